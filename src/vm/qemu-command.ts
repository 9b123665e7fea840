/**
 * The QEMU command line of a test machine: direct kernel boot of the newest loader entry
 * (no bootloader), the root disk (a private sparse raw copy) and the read-only data disk as
 * virtio disks, no network, the serial console on a socket (and logged), and the agent's
 * virtio serial port. `-no-reboot`: a guest reboot ends QEMU, and the host boots the entry the
 * guest's boot configuration now selects — as a bootloader would.
 *
 * Acceleration: KVM only where the CPU offers it (vmx/svm in /proc/cpuinfo) and /dev/kvm
 * exists; otherwise TCG (software emulation). A nested PVM hypervisor exposes /dev/kvm
 * without vmx/svm and cannot run a stock kernel: TCG there.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Accel = 'kvm' | 'tcg';

export function detectAccel(): Accel {
  if (process.env.APT_OSTREE_VM_ACCEL === 'tcg' || process.env.APT_OSTREE_VM_ACCEL === 'kvm') return process.env.APT_OSTREE_VM_ACCEL;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync('/proc/cpuinfo', 'utf8')) ? 'kvm' : 'tcg';
  } catch {
    return 'tcg';
  }
}

interface QemuMachine {
  dir: string;
  disk: string;
  dataDisk?: string;
  kernel: string;
  initrd: string;
  options: string;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
}

/** Socket paths in the instance dir. */
export const agentSocket = (dir: string): string => join(dir, 'agent.sock');
const consoleSocket = (dir: string): string => join(dir, 'console.sock');
export const consoleLog = (dir: string): string => join(dir, 'console.log');

export function qemuArgv(m: QemuMachine): string[] {
  // TCG single-threaded: with multi-threaded TCG, the guest kernel patching its own code on one
  // vCPU (static keys: int3 breakpoints, text_poke_bp) while the other runs it panicked about one
  // boot in ten ("Oops: int3" in sched_clock_cpu). One host thread runs both vCPUs in turn.
  const accel = m.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=single,tb-size=256', '-cpu', 'max'];
  return [
    'qemu-system-x86_64',
    ...['-name', 'apt-ostree-vm', '-machine', 'q35', ...accel, '-smp', String(m.cpus), '-m', String(m.memoryMiB)],
    ...['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-nic', 'none'],
    ...['-kernel', m.kernel, '-initrd', m.initrd, '-append', m.options],
    ...['-drive', `file=${m.disk},format=raw,if=virtio,cache=writeback`],
    ...(m.dataDisk === undefined ? [] : ['-drive', `file=${m.dataDisk},format=raw,if=virtio,readonly=on`]),
    ...['-device', 'virtio-rng-pci'],
    ...['-device', 'virtio-serial-pci'],
    ...['-chardev', `socket,id=agent,path=${agentSocket(m.dir)},server=on,wait=off`],
    ...['-device', 'virtserialport,chardev=agent,name=org.aptostree.vm.agent'],
    ...['-chardev', `socket,id=console,path=${consoleSocket(m.dir)},server=on,wait=off,logfile=${consoleLog(m.dir)},logappend=on`],
    ...['-serial', 'chardev:console'],
  ];
}
