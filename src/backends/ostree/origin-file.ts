/**
 * The meaning of a deployment's origin file (docs/design-decisions.md "Deployments, origins, commits"):
 * a plain deployment has `[origin] refspec=`, a layered one `[origin] baserefspec=` plus
 * `[packages] requested=a;b;`; initramfs state lives in `[apt-ostree]`.
 */
import { KeyFile } from './key-file.js';

/** What the daemon reads from an origin file. */
export interface OriginInfo {
  /** `[origin] refspec`, null when absent. */
  refspec: string | null;
  /** `[origin] baserefspec` (layered deployments), null when absent. */
  baseRefspec: string | null;
  /** The refspec the deployment follows: refspec, else baserefspec, else null. */
  followedRefspec: string | null;
  /** `[packages] requested`, empties dropped. */
  requestedPackages: string[];
  /** `[packages] requested-local`: local .debs layered, `NAME:SHA256`. */
  requestedLocal: string[];
  /** `[overrides] remove`: base packages removed. */
  overrideRemove: string[];
  /** `[overrides] replace`: base packages replaced from the sources, `name=version`. */
  overrideReplace: string[];
  /** `[overrides] replace-local`: base packages replaced by local .debs, `NAME:SHA256`. */
  overrideReplaceLocal: string[];
  /** `[apt-ostree] regenerate-initramfs`, false when absent. */
  regenerateInitramfs: boolean;
  /** `[apt-ostree] initramfs-args`, empties dropped. */
  initramfsArgs: string[];
  /** `[apt-ostree] initramfs-etc`: files of /etc put into the initramfs, empties dropped. */
  initramfsEtc: string[];
  /** The whole file, for keys this summary does not cover. */
  keyFile: KeyFile;
}

/** Interprets origin-file text (as written by libostree or g_key_file_to_data). */
export function parseOrigin(text: string): OriginInfo {
  const kf = KeyFile.parse(text);
  const refspec = kf.getString('origin', 'refspec');
  const baseRefspec = kf.getString('origin', 'baserefspec');
  return {
    refspec,
    baseRefspec,
    followedRefspec: refspec ?? baseRefspec,
    requestedPackages: kf.getStringList('packages', 'requested'),
    requestedLocal: kf.getStringList('packages', 'requested-local'),
    overrideRemove: kf.getStringList('overrides', 'remove'),
    overrideReplace: kf.getStringList('overrides', 'replace'),
    overrideReplaceLocal: kf.getStringList('overrides', 'replace-local'),
    regenerateInitramfs: kf.getBoolean('apt-ostree', 'regenerate-initramfs') ?? false,
    initramfsArgs: kf.getStringList('apt-ostree', 'initramfs-args'),
    initramfsEtc: kf.getStringList('apt-ostree', 'initramfs-etc'),
    keyFile: kf,
  };
}
