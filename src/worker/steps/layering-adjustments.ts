/**
 * What UpdateDeployment's `noLayering` and `noInitramfs` (rpm-ostree's `no-layering`,
 * `no-initramfs`) change in the client layer a new deployment gets: no requested packages,
 * initramfs regeneration off. Every path that builds a deployment (upgrade, deploy, rebase,
 * package change) applies them the same way.
 */
import type { InitramfsState } from '../../backends/ostree/write/deployment-writer.js';

export interface LayeringAdjustments {
  /** Drop every requested package (packages asked for in the same request are then added). */
  noLayering?: boolean;
  /** Turn client-side initramfs regeneration off. */
  noInitramfs?: boolean;
}

export function adjustLayering(
  current: { requested: string[]; initramfs: InitramfsState },
  a: LayeringAdjustments = {},
): { requested: string[]; initramfs: InitramfsState } {
  return {
    requested: a.noLayering === true ? [] : current.requested,
    initramfs: a.noInitramfs === true ? { regenerate: false, args: [] } : current.initramfs,
  };
}

/** Whether the adjustments change anything for `current`. */
export function adjustsAnything(current: { requested: string[]; initramfs: InitramfsState }, a: LayeringAdjustments = {}): boolean {
  return (a.noLayering === true && current.requested.length > 0) || (a.noInitramfs === true && current.initramfs.regenerate);
}
