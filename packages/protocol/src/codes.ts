/**
 * Every code Firetower uses, one family per object, each an `as const` object plus a union type
 * of its values. The README of this package has one table per family.
 *
 * - `CloseCode`: the close codes a server sends (or ws sends for it), with the retry policy.
 * - `ReportedCloseCode`: 1005 and 1006, which no peer sends but every socket reports.
 * - `LocalCloseCode`: the codes the client closes its own socket with (3000–3999).
 * - `ErrorCode`: the `code` of an error frame.
 * - `UpgradeRefusalCode`: the `code` of a refused WebSocket upgrade's JSON body, with its HTTP
 *   status in `UpgradeRefusalStatus`.
 * - `HttpErrorCode`: the `code` of the middleware's other JSON error answers.
 *
 * The `code` families of the error classes (client, server, brokers, admin API, gRPC door, topic
 * service, Redis) are in `error-codes.ts`, next to it.
 *
 * Close codes encode the retry policy in their range, so a client needs no table to decide:
 * - 1000–2999 are the standard WebSocket codes (ws sends 1009 for an oversized frame, 1007 for
 *   invalid UTF-8); a client reconnects after any of them except a 1000 it asked for.
 * - 3000–3999 are the client's own (`LocalCloseCode`): it closed the socket and reconnects.
 * - 4000–4499: the server closed this connection but a new one is welcome (reconnect with backoff).
 * - 4500–4999: the server refuses this client; reconnecting would be refused again (do not retry).
 */
export const CloseCode = {
  /** Normal closure (the client or the app closed the connection on purpose). */
  Normal: 1000,
  /** The server is going away without a retry hint. */
  GoingAway: 1001,
  /**
   * The peer broke RFC 6455 itself (a reserved opcode, an unmasked client frame): sent by ws, never
   * by Firetower (a binary frame, legal WebSocket but not Firetower protocol, gets 4502
   * `PolicyViolation`). Reconnect with backoff.
   */
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
  /**
   * The credentials `authenticate` accepted expired (`expiresAt`) and no `refresh` frame renewed
   * them: reconnect with fresh credentials.
   */
  AuthExpired: 4005,
  /**
   * `authenticate` refused the credentials (returned false or threw a 401 `FiretowerRefusal`), or
   * `onConnect` refused, or the upgrade was never verified; the close reason says why. Do not
   * retry with the same credentials (a client with a `params` provider asks it once more).
   */
  Unauthorized: 4500,
  /** The server kicked this user (`kickUser`). Do not retry. */
  Kicked: 4501,
  /** The client broke the protocol badly enough to be dropped (a binary frame). Do not retry. */
  PolicyViolation: 4502,
  /** `authenticate` threw a 403 `FiretowerRefusal`: this client may not connect at all; the reason says why. Do not retry. */
  Forbidden: 4503,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close codes RFC 6455 reserves for reporting: no peer sends them in a close frame, but a socket's
 * `close` event (and the server's `onOffline` hook) reports them. A client reconnects after both.
 */
export const ReportedCloseCode = {
  /** The close frame carried no status code (or none was recorded before the hooks ran). */
  NoStatus: 1005,
  /**
   * The connection died without a close frame: a network drop, a refused or failed connect, or the
   * server's heartbeat timeout (two pings unanswered: the socket was destroyed).
   */
  Abnormal: 1006,
} as const;

export type ReportedCloseCode = (typeof ReportedCloseCode)[keyof typeof ReportedCloseCode];

/**
 * Codes the client closes its own socket with (3000–3999 is the range the WebSocket spec leaves
 * to libraries), also reported in its `close` event. The client always reconnects after them
 * (with backoff; `Offline` waits for the network to come back).
 */
export const LocalCloseCode = {
  /** No frame (heartbeats included) arrived within `heartbeatTimeoutMs`. */
  HeartbeatTimeout: 3000,
  /** The socket did not open within `connectionTimeoutMs`. */
  ConnectTimeout: 3001,
  /** The browser went offline. */
  Offline: 3002,
  /** The client hit an unexpected exception of its own (reported as an `internal` error) and starts over. */
  InternalError: 3003,
} as const;

export type LocalCloseCode = (typeof LocalCloseCode)[keyof typeof LocalCloseCode];

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
  /**
   * A client publish the app did not allow: client publishes are off unless the server sets
   * `publish: 'allow'` or a `canPublish` hook that allows the topic.
   */
  PublishNotAllowed: 'publish_not_allowed',
  /** A presence query for a topic without presence on this server. */
  NoPresence: 'no_presence',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const errorCodes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && errorCodes.has(value);
}

/**
 * The `code` of a refused WebSocket upgrade: the server answers the HTTP request with the status in
 * `UpgradeRefusalStatus` and a JSON body `{"error":{"code","message"}}`; no WebSocket is opened.
 */
export const UpgradeRefusalCode = {
  /** 403: `allowedHosts` is set and the `Host` header names none of them (DNS-rebinding guard). Do not retry. */
  HostNotAllowed: 'host_not_allowed',
  /** 403: the `Origin` is not allowed (`allowedOrigins`, or not the same origin). Do not retry. */
  OriginNotAllowed: 'origin_not_allowed',
  /** 401: `authenticate` returned false or threw `FiretowerRefusal` (status 401). Retry after logging in. */
  Unauthorized: 'unauthorized',
  /** 403: `authenticate` threw `FiretowerRefusal` with status 403. Do not retry. */
  Forbidden: 'forbidden',
  /** 500: `authenticate` threw something else, or the upgrade failed unexpectedly. Retry with backoff. */
  Internal: 'internal',
  /** 404: no WebSocket endpoint at this path. Do not retry. */
  NotFound: 'not_found',
  /** 503: the server is shutting down. Retry with backoff (another node may answer). */
  ShuttingDown: 'shutting_down',
  /** 503: the broker is not available (it failed to start). Retry with backoff. */
  BrokerUnavailable: 'broker_unavailable',
  /** 426: the upgrade reached Express, not Firetower (`http.createServer(app)` without `ft.attach(server)`). */
  NotAttached: 'not_attached',
} as const;

export type UpgradeRefusalCode = (typeof UpgradeRefusalCode)[keyof typeof UpgradeRefusalCode];

/** The HTTP status each upgrade refusal is answered with (`unauthorized`/`forbidden` follow the hook's `status`). */
export const UpgradeRefusalStatus: Readonly<Record<UpgradeRefusalCode, number>> = {
  host_not_allowed: 403,
  origin_not_allowed: 403,
  unauthorized: 401,
  forbidden: 403,
  internal: 500,
  not_found: 404,
  shutting_down: 503,
  broker_unavailable: 503,
  not_attached: 426,
};

/** The `code` of the middleware's JSON error answers other than upgrade refusals. */
export const HttpErrorCode = {
  /** 404 on `${prefix}/client.js`: the client's browser bundle is not built (`pnpm build`). */
  ClientBundleMissing: 'client_bundle_missing',
} as const;

export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];
