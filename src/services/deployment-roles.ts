import { ApiError } from '../api/errors.js';
import type { Deployment } from '../api/types/deployment.js';
import type { SysrootSnapshot } from '../backends/ostree/sysroot-reader.js';

/** The roles deployments of one OS play (docs/design-decisions.md, "Roles of deployments"). */
export interface OsRoles {
  osname: string;
  booted: Deployment | null;
  /** The deployment that boots next: index 0 of the OS. */
  default: Deployment | null;
  /** Booted system: a newer default than the booted one. Never set on a sysroot not booted. */
  pending: Deployment | null;
  /** Booted system: the first one after the booted; otherwise: the one after the default. */
  rollback: Deployment | null;
}

export function rolesOf(snapshot: SysrootSnapshot, osname: string): OsRoles {
  const mine = snapshot.deployments.filter((d) => d.osname === osname);
  const booted = mine.find((d) => d.booted) ?? null;
  const first = mine[0] ?? null;
  if (booted === null) {
    return { osname, booted: null, default: first, pending: null, rollback: mine[1] ?? null };
  }
  const at = mine.indexOf(booted);
  return {
    osname,
    booted,
    default: first,
    pending: at > 0 ? first : null,
    rollback: mine[at + 1] ?? null,
  };
}

/** The OS an `osname`-less call means: the booted deployment's, else the default deployment's. */
function defaultOsName(snapshot: SysrootSnapshot): string | null {
  const booted = snapshot.deployments.find((d) => d.booted);
  if (booted) return booted.osname;
  if (snapshot.deployments.length > 0) return snapshot.deployments[0].osname;
  return snapshot.stateroots.length === 1 ? snapshot.stateroots[0] : null;
}

/** Resolves a requested OS name ("" or undefined = the default); NoSuchOS when unknown. */
export function resolveOsName(snapshot: SysrootSnapshot, requested: string | undefined): string {
  if (requested === undefined || requested === '') {
    const name = defaultOsName(snapshot);
    if (name === null) {
      throw new ApiError('NoSuchOS', `Sysroot ${snapshot.path} has no deployment and no single stateroot to default to`);
    }
    return name;
  }
  const known = snapshot.stateroots.includes(requested) || snapshot.deployments.some((d) => d.osname === requested);
  if (!known) {
    const list = snapshot.stateroots.length > 0 ? snapshot.stateroots.join(', ') : 'none';
    throw new ApiError('NoSuchOS', `No OS named "${requested}" in ${snapshot.path} (stateroots: ${list})`, {
      osname: requested,
    });
  }
  return requested;
}

export { osObjectPath } from '../api/dbus-signatures.js';
