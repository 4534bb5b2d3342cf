import { CloseCode, isTerminalCloseCode, parseRetryAfter } from '@firetower/protocol';
import { callbackError } from './callbacks.js';
import type { FiretowerError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/**
 * Why a connection ends, as the client's one teardown path receives it, and how a close from the
 * server becomes such a cause: final or not (the terminal codes, the app's `shouldReconnect`), with
 * the server's retry-after hint.
 */

/** Why a connection ends, handed to the one teardown path. */
export interface Teardown {
  code: number;
  reason: string;
  /** The client ends the socket itself (close(), timeouts, offline); otherwise the peer closed it. */
  local: boolean;
  /** Go to `closed` instead of reconnecting. */
  final: boolean;
  /** The server's graceful-shutdown hint. */
  retryAfterMs?: number | undefined;
}

/**
 * The server closed the connection. A 4500–4999 is final unless `retryAuth` (the client asks its
 * `params` provider once more after a 4500); otherwise the app's `shouldReconnect` decides. One
 * that throws is reported and the client reconnects, as it would without it.
 */
export function peerTeardown(
  code: number,
  reason: string,
  retryAuth: boolean,
  options: Pick<ResolvedOptions, 'shouldReconnect'>,
  link: { report(error: FiretowerError): void },
): Teardown {
  let final = isTerminalCloseCode(code) && !retryAuth;
  if (!final) {
    try {
      final = !options.shouldReconnect({ code, reason });
    } catch (thrown) {
      link.report(callbackError('shouldReconnect', thrown));
    }
  }
  const retryAfterMs = code === CloseCode.ServerShutdown ? parseRetryAfter(reason) : undefined;
  return { code, reason, local: false, final, retryAfterMs };
}
