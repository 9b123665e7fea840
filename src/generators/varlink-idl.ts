/** The Varlink interface files (interfaces/*.varlink): the very text the daemon serves (src/api/varlink-idl.ts). */
import { VARLINK_INTERFACES, varlinkDescription, varlinkInterfaceName } from '../api/varlink-idl.js';

/** interfaces/<name>.varlink → text, for every interface. */
export function varlinkFiles(): Map<string, string> {
  return new Map(VARLINK_INTERFACES.map((i) => [`interfaces/${varlinkInterfaceName(i)}.varlink`, varlinkDescription(i)]));
}
