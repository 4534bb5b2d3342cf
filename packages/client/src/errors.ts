import { type ClientErrorCode, ErrorCode, FiretowerCodedError, isErrorCode } from '@firetower/protocol';

/**
 * Why a client operation failed: `ClientErrorCode` of `@firetower/protocol`, where each code is
 * documented (`refused`, `invalid`, `too_large`, `timeout`, `closed`, `queue_full`,
 * `rate_limited`, `internal`, `callback`). Stable strings: switch on them.
 */
export type FiretowerErrorCode = ClientErrorCode;

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

/**
 * The client's error (`Firetower.FiretowerError` on a page). Not the server's: that one is
 * `FiretowerServerError` of `@firetower/server`, with other codes. Both extend
 * `FiretowerCodedError` of `@firetower/protocol`.
 */
export class FiretowerError extends FiretowerCodedError<FiretowerErrorCode> {
  declare readonly name: 'FiretowerError';
  // Assigned in the constructor; `declare` keeps the bundle from defining each one twice.
  declare readonly topic: string | undefined;
  declare readonly serverCode: ErrorCode | undefined;
  declare readonly closeCode: number | undefined;
  declare readonly reason: string | undefined;

  constructor(code: FiretowerErrorCode, message: string, details: FiretowerErrorDetails = {}) {
    // `cause` only when there is one, so `'cause' in error` stays meaningful.
    super(code, message, 'cause' in details ? { cause: details.cause } : undefined);
    this.name = 'FiretowerError';
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
  // The server does not let clients publish there (`publish: 'allow'` / `canPublish`): `serverCode` tells it apart.
  [ErrorCode.PublishNotAllowed]: 'refused',
  [ErrorCode.NoPresence]: 'invalid',
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
