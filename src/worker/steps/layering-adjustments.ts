/**
 * What UpdateDeployment's `noLayering`, `noOverrides` and `noInitramfs` (rpm-ostree's
 * `no-layering`, `no-overrides`, `no-initramfs`) change in the client layer a new deployment
 * gets: no requested packages, no overrides of base packages, initramfs regeneration off and no
 * /etc files tracked in the initramfs (as rpm-ostree's no-initramfs).
 * Every path that builds a deployment (upgrade, deploy, rebase, package change, override)
 * applies them the same way.
 */
import { hasOverrides, NO_OVERRIDES, type BaseOverrides, type InitramfsState } from '../../backends/ostree/write/deployment-writer.js';

export interface LayeringAdjustments {
  /** Drop every requested package (packages asked for in the same request are then added). */
  noLayering?: boolean;
  /** Drop every override of base packages. */
  noOverrides?: boolean;
  /** Turn client-side initramfs regeneration off and untrack every /etc file of the initramfs. */
  noInitramfs?: boolean;
}

/** The client layer of a deployment: what every new base gets again. */
export interface ClientLayer {
  requested: string[];
  local: string[];
  overrides: BaseOverrides;
  initramfs: InitramfsState;
}

export function adjustLayering(current: ClientLayer, a: LayeringAdjustments = {}): ClientLayer {
  return {
    requested: a.noLayering === true ? [] : current.requested,
    local: a.noLayering === true ? [] : current.local,
    overrides: a.noOverrides === true ? NO_OVERRIDES : current.overrides,
    initramfs: a.noInitramfs === true ? { regenerate: false, args: [], etc: [] } : current.initramfs,
  };
}

/** Whether the adjustments change anything for `current`. */
export function adjustsAnything(current: ClientLayer, a: LayeringAdjustments = {}): boolean {
  const overrides = hasOverrides(current.overrides);
  return (
    (a.noLayering === true && current.requested.length + current.local.length > 0) ||
    (a.noOverrides === true && overrides) ||
    (a.noInitramfs === true && (current.initramfs.regenerate || current.initramfs.etc.length > 0))
  );
}
