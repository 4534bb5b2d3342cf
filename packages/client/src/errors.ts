import { ErrorCode, isErrorCode } from '@firetower/protocol';

/**
 * Why a client operation failed. Stable strings: switch on them.
 * - `refused`: the server's hooks refused it (beforeSubscribe, the message handler) or a limit
 *   such as `maxTopicsPerConnection` was reached.
 * - `invalid`: the topic or frame was malformed, or the data is not JSON-serialisable.
 * - `too_large`: the publish is bigger than `maxFrameBytes` or the server's size limit.
 * - `timeout`: no acknowledgement within `publishTimeoutMs` (or `ready()`'s timeout).
 * - `closed`: the client was closed (by the app, a no-retry close code, or `maxAttempts`).
 * - `queue_full`: the offline queue already holds `maxQueuedPublishes` publishes.
 * - `rate_limited`: the server's `maxMessagesPerSecond` was exceeded.
 * - `internal`: a server hook failed while handling the frame, or (no `serverCode`) the client
 *   itself hit an unexpected exception and reconnected.
 * - `callback`: an app callback (a subscription handler, an event listener, `shouldReconnect`)
 *   threw; `cause` holds what it threw. The client carried on.
 */
export type FiretowerErrorCode =
  | 'refused'
  | 'invalid'
  | 'too_large'
  | 'timeout'
  | 'closed'
  | 'queue_full'
  | 'rate_limited'
  | 'internal'
  | 'callback';

export interface FiretowerErrorDetails {
  /** The topic the error is about, when there is one. */
  topic?: string;
  /** The server's own error code, when the error came from an error frame or a refused topic. */
  serverCode?: ErrorCode;
  /** The WebSocket close code, for `closed`. */
  closeCode?: number;
  /** The server's own words (a refusal's reason, an error frame's message), for showing to users. */
  reason?: string;
  /** What an app callback threw, for `callback`; the unexpected exception, for a client-side `internal`. */
  cause?: unknown;
}

export class FiretowerError extends Error {
  override readonly name = 'FiretowerError';
  // Assigned in the constructor; `declare` keeps the bundle from defining each one twice.
  declare readonly code: FiretowerErrorCode;
  declare readonly topic: string | undefined;
  declare readonly serverCode: ErrorCode | undefined;
  declare readonly closeCode: number | undefined;
  declare readonly reason: string | undefined;

  constructor(code: FiretowerErrorCode, message: string, details: FiretowerErrorDetails = {}) {
    // `cause` only when there is one, so `'cause' in error` stays meaningful.
    super(message, 'cause' in details ? { cause: details.cause } : undefined);
    this.code = code;
    this.topic = details.topic;
    this.serverCode = details.serverCode;
    this.closeCode = details.closeCode;
    this.reason = details.reason;
  }
}

const fromServer: Record<ErrorCode, FiretowerErrorCode> = {
  [ErrorCode.BadFrame]: 'invalid',
  [ErrorCode.UnknownType]: 'invalid',
  [ErrorCode.InvalidTopic]: 'invalid',
  [ErrorCode.InvalidField]: 'invalid',
  // A well-formed request that a limit turned down: the app can do nothing about the frame itself.
  [ErrorCode.TooManyTopics]: 'refused',
  [ErrorCode.Refused]: 'refused',
  [ErrorCode.TooLarge]: 'too_large',
  [ErrorCode.RateLimited]: 'rate_limited',
  [ErrorCode.Internal]: 'internal',
};

/** Maps a server error code onto the client's smaller set; unknown codes (a newer server) are `refused`. */
export function clientCodeFor(serverCode: string): FiretowerErrorCode {
  return isErrorCode(serverCode) ? fromServer[serverCode] : 'refused';
}

export function serverError(serverCode: string, message: string, topic?: string, reason = message): FiretowerError {
  const details: FiretowerErrorDetails = { reason };
  if (topic !== undefined) details.topic = topic;
  if (isErrorCode(serverCode)) details.serverCode = serverCode;
  return new FiretowerError(clientCodeFor(serverCode), message, details);
}
