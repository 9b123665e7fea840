import { ApiError } from '../api/errors.js';
import type { MethodSpec } from '../api/method.js';
import { actionId } from '../api/polkit-actions.js';
import type { PeerCredentials } from '../api/peer-credentials.js';
import type { Logger } from '../util/logger.js';
import type { AuthorizedCall, Authorizer } from './authorizer.js';
import { PolkitClient, PolkitUnavailableError } from './polkit-client.js';

/** Decides whether a caller may act on something without asking polkit (e.g. cancel its own transaction). */
type Exemption = (method: MethodSpec, params: Record<string, unknown>, peer: PeerCredentials) => boolean;

/** Request details polkit rules can tell requests apart by (packages, refspec, osname...). */
function details(method: MethodSpec, params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { method: method.name };
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value.join(' ');
  }
  const modifiers = params.modifiers as Record<string, unknown> | undefined;
  if (modifiers !== undefined) {
    for (const [key, value] of Object.entries(modifiers)) {
      if (typeof value === 'string') out[key] = value;
      else if (Array.isArray(value)) out[key] = value.join(' ');
    }
  }
  return out;
}

/**
 * Why the caller cannot be the subject of a polkit check, or null. A D-Bus caller is named by
 * its bus name (polkit resolves it); a socket caller must still be the process that connected.
 */
function callerGone(peer: PeerCredentials): string | null {
  if (peer.busName !== undefined) return null;
  return peer.process?.check() ?? (peer.startTime === undefined ? 'has exited' : null);
}

/**
 * One polkit check per request, after validation and before any work (joining and queueing
 * included). Read methods and open control methods need nothing; root needs no polkit call.
 */
export class PolkitAuthorizer implements Authorizer {
  private readonly polkit = new PolkitClient();

  constructor(
    private readonly exempt: Exemption,
    private readonly log: Logger,
  ) {}

  async authorize(method: MethodSpec, params: Record<string, unknown>, call: AuthorizedCall): Promise<void> {
    if (method.action === null) return;
    const peer = call.peer;
    if (peer === null) throw new ApiError('NotAuthorized', `${method.name}: the caller could not be identified`);
    if (peer.uid === 0) return;
    if (this.exempt(method, params, peer)) return;
    const action = actionId(method.selectAction ? method.selectAction(params as never) : method.action);
    const gone = callerGone(peer);
    if (gone !== null) throw new ApiError('NotAuthorized', `Not authorized: ${action} (the calling process ${gone})`, { action });
    let answer;
    try {
      answer = await this.polkit.check(action, peer, details(method, params), params.allowInteractiveAuthentication === true);
    } catch (err) {
      if (err instanceof PolkitUnavailableError) {
        this.log.warn(`authorization unavailable for uid ${peer.uid}: ${err.message}`);
        throw new ApiError('AuthorizationUnavailable', `${err.message}; only root can be served`, { action });
      }
      throw err;
    }
    if (answer.refusal !== undefined) {
      this.log.debug(`polkit refused to check uid ${peer.uid} pid ${peer.pid}: ${answer.refusal}`);
      throw new ApiError('NotAuthorized', `Not authorized: ${action} (polkit could not check the caller: ${answer.refusal})`, { action });
    }
    if (!answer.authorized) {
      const hint =
        answer.challenge && params.allowInteractiveAuthentication !== true ? ' (polkit would ask for authentication: set allowInteractiveAuthentication)' : '';
      throw new ApiError('NotAuthorized', `Not authorized: ${action}${hint}`, { action });
    }
  }

  close(): void {
    this.polkit.close();
  }
}
