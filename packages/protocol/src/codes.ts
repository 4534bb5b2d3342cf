/**
 * Close codes and error codes shared by the server and the client.
 *
 * Close codes encode the retry policy in their range, so a client needs no table to decide:
 * - 1000–2999 are the standard WebSocket codes (ws sends 1009 for an oversized frame, 1007 for
 *   invalid UTF-8); a client reconnects after any of them except a 1000 it asked for.
 * - 4000–4499: the server closed this connection but a new one is welcome (reconnect with backoff).
 * - 4500–4999: the server refuses this client; reconnecting would be refused again (do not retry).
 */
export const CloseCode = {
  /** Normal closure (the client or the app closed the connection on purpose). */
  Normal: 1000,
  /** The server is going away without a retry hint. */
  GoingAway: 1001,
  /** The peer sent something the protocol forbids at the WebSocket level (e.g. a binary frame). */
  ProtocolError: 1002,
  /** A text frame was not valid UTF-8 (sent by ws itself). */
  InvalidPayload: 1007,
  /** A frame exceeded `limits.maxFrameBytes` (sent by ws itself). */
  MessageTooBig: 1009,
  /**
   * The server hit an unexpected error while handling this connection's input (a bug, never the
   * client's fault alone). Only this connection is closed; it may reconnect.
   */
  InternalError: 1011,
  /** Graceful shutdown: reconnect after the delay in the close reason (`retry-after=<ms>`). */
  ServerShutdown: 4000,
  /** The client sent frames faster than `limits.maxMessagesPerSecond` for too long. */
  RateLimited: 4001,
  /** The client read too slowly: its send queue overflowed under the `close` slow-consumer policy. */
  SlowConsumer: 4002,
  /** The inbound queue stayed full (the app's read handler is slower than the client's writes). */
  ReadTimeout: 4003,
  /** The app closed the connection and allows a reconnect. */
  ServerClosed: 4004,
  /** The authenticate hook refused the connection after the upgrade. Do not retry. */
  Unauthorized: 4500,
  /** The server kicked this user (`kickUser`). Do not retry. */
  Kicked: 4501,
  /** The client broke the protocol badly enough to be dropped (e.g. binary frames). Do not retry. */
  PolicyViolation: 4502,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** True when a client should not reconnect after this close code. */
export function isTerminalCloseCode(code: number): boolean {
  return code >= 4500 && code <= 4999;
}

/** The close reason of a graceful shutdown carries the delay the server asks clients to wait. */
export function formatRetryAfter(ms: number): string {
  return `retry-after=${Math.max(0, Math.round(ms))}`;
}

/** Reads `retry-after=<ms>` from a close reason; undefined when there is none. */
export function parseRetryAfter(reason: string): number | undefined {
  const match = /^retry-after=(\d{1,9})$/.exec(reason);
  return match ? Number(match[1]) : undefined;
}

/**
 * The `code` of an error frame (and of the client's typed errors). Stable strings: apps may
 * switch on them.
 */
export const ErrorCode = {
  /** The frame was not a JSON object. */
  BadFrame: 'bad_frame',
  /** The frame's `type` is not one a client may send. */
  UnknownType: 'unknown_type',
  /** A topic was missing, empty, too long, or had forbidden characters. */
  InvalidTopic: 'invalid_topic',
  /** The subscribe would exceed `maxTopicsPerConnection` or `maxTopicsPerFrame`. */
  TooManyTopics: 'too_many_topics',
  /** A hook (beforeSubscribe, the message handler) refused the operation. */
  Refused: 'refused',
  /** The publish's data exceeded the allowed size. */
  TooLarge: 'too_large',
  /** The client is sending faster than `maxMessagesPerSecond`. */
  RateLimited: 'rate_limited',
  /** A field had the wrong type (e.g. a numeric `id`). */
  InvalidField: 'invalid_field',
  /** The server failed while handling the frame (a hook threw). */
  Internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const errorCodes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && errorCodes.has(value);
}
