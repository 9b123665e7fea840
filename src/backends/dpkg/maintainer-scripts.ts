/**
 * Which packages of a layer bring maintainer scripts: when the tree turns out to have been
 * tampered with after dpkg ran, these are the packages that could have done it.
 */
import { runCommand } from '../../util/run-command.js';

const SCRIPT = /^\s+\d+ bytes,\s+\d+ lines\s+\*?\s*(preinst|postinst|prerm|postrm|config)\b/m;

/** The names of the packages among `debs` whose control area has a maintainer script. */
export async function packagesWithScripts(debs: { name: string; deb: string }[]): Promise<string[]> {
  const has = await Promise.all(
    debs.map(async (p) => SCRIPT.test(await runCommand('dpkg-deb', ['--info', p.deb]).catch(() => ' 0 bytes, 0 lines * postinst'))),
  );
  return debs.filter((_, i) => has[i]).map((p) => p.name);
}
