/**
 * `apt-ostree kargs --import-proc-cmdline`: the running kernel's command line as the base of the
 * edits. Arguments the bootloader adds by itself (GRUB's BOOT_IMAGE=, an EFI stub's initrd=)
 * are dropped: written into the boot entry they would appear twice at the next boot. `ostree=`
 * stays; libostree rewrites it for the new deployment.
 */
import { readFileSync } from 'node:fs';

/** Arguments a bootloader puts on the command line itself, by key. */
const BOOTLOADER_KEYS = ['BOOT_IMAGE', 'initrd'];

/** The arguments of a command line, double-quoted values kept whole. */
export function splitCmdline(text: string): string[] {
  return text.match(/(?:[^\s"]|"[^"]*")+/g) ?? [];
}

/** The command line without the bootloader's own arguments, one line. */
export function importableCmdline(text: string): string {
  return splitCmdline(text)
    .filter((arg) => !BOOTLOADER_KEYS.includes(arg.split('=')[0]))
    .join(' ');
}

/** /proc/cmdline of the running system. */
export function readProcCmdline(): string {
  return readFileSync('/proc/cmdline', 'utf8');
}
