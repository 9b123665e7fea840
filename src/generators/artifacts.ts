import { jsonText, indexDocument, schemaDocuments } from './schema-files.js';
import { polkitPolicy } from './polkit-policy.js';
import { validatorsSource } from './validators.js';
import { dbusBusPolicy, dbusIntrospectionXml } from './dbus-xml.js';
import { cliManPage, daemonManPage } from './man-pages.js';
import { varlinkFiles } from './varlink-idl.js';
import { versionSource } from './version.js';
import { treeFileSchema } from '../compose/tree-file.js';
import { apiDoc } from './api-doc.js';
import { PERFORMANCE_PAGE, performancePage } from './bench-results-doc.js';
import { COMPAT_PAGE, compatPage } from './rpm-ostree-compat-doc.js';

/** Every generated, checked-in file: path relative to the repository root → content. */
export function generatedArtifacts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const { file, schema } of schemaDocuments().values()) files.set(file, jsonText(schema));
  files.set('schema/index.json', jsonText(indexDocument()));
  files.set('schema/compose-tree.json', jsonText(treeFileSchema()));
  files.set('src/generated/validators.ts', validatorsSource());
  files.set('src/generated/version.ts', versionSource());
  files.set('polkit/org.projectatomic.aptostree.policy', polkitPolicy());
  for (const [file, text] of varlinkFiles()) files.set(file, text);
  files.set('interfaces/org.projectatomic.aptostree1.xml', dbusIntrospectionXml());
  files.set('interfaces/org.projectatomic.aptostree1.conf', dbusBusPolicy());
  files.set('docs/apt-ostreed.8', daemonManPage());
  files.set('docs/apt-ostree.1', cliManPage());
  files.set('docs/api.md', apiDoc());
  files.set(PERFORMANCE_PAGE, performancePage());
  files.set(COMPAT_PAGE, compatPage());
  return files;
}

/** Folders whose content is generated: a file there that the generator no longer makes is stale. */
export const GENERATED_DIRS = ['schema', 'src/generated', 'polkit', 'docs'];

/** Handwritten prose that lives beside the generated man pages (docs/security.md): never stale. docs/api.md is
 * generated whole; docs/performance.md only between its bench-results markers. */
export function isHandwritten(path: string): boolean {
  return /^docs\/[^/]+\.md$/.test(path);
}
