/**
 * Telling systemd how the service is doing (`Type=notify`): READY=1 once requests are
 * accepted, STATUS= lines (idle / running transaction X / N queued), STOPPING=1 on exit —
 * through libsystemd's sd_notify (koffi; Node has no Unix datagram sockets). Nothing is
 * loaded unless systemd asked (NOTIFY_SOCKET set).
 */
import { koffi } from '../backends/ostree/koffi.js';

type Notify = (unsetEnvironment: number, state: string) => number;
let notify: Notify | null | undefined;

function sdNotify(): Notify | null {
  if (notify !== undefined) return notify;
  if (process.env.NOTIFY_SOCKET === undefined) return (notify = null);
  try {
    const lib = koffi().load('libsystemd.so.0');
    notify = lib.func('int sd_notify(int unset_environment, const char *state)') as Notify;
  } catch {
    notify = null;
  }
  return notify;
}

/** Sends `state` (e.g. `READY=1\nSTATUS=idle`) when running under systemd; else does nothing. */
export function notifySystemd(state: string): void {
  sdNotify()?.(0, state);
}
