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
 * - `ClientErrorCode`, `ServerErrorCode`, `BrokerErrorCode`, `AdminErrorCode`, `GrpcErrorCode`,
 *   `GrpcServerErrorCode`: the `code` of the errors the client, the server, a broker, the admin
 *   API and the gRPC door raise (see `FiretowerCodedError`).
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
  /** Refused after the upgrade (`onConnect` threw `FiretowerRefusal`, or the upgrade was never verified). Do not retry. */
  Unauthorized: 4500,
  /** The server kicked this user (`kickUser`). Do not retry. */
  Kicked: 4501,
  /** The client broke the protocol badly enough to be dropped (a binary frame). Do not retry. */
  PolicyViolation: 4502,
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

/**
 * The `code` of the client's `FiretowerError` (a smaller set than `ErrorCode`: the client maps
 * each error frame's code onto one of these and keeps the server's in `serverCode`).
 */
export const ClientErrorCode = {
  /** The server's hooks refused it (beforeSubscribe, the message handler), or a limit such as `maxTopicsPerConnection` was reached. */
  Refused: 'refused',
  /** The topic or frame was malformed, or the data is not JSON-serialisable. */
  Invalid: 'invalid',
  /** The publish is bigger than `maxFrameBytes` or the server's size limit. */
  TooLarge: 'too_large',
  /** No acknowledgement within `publishTimeoutMs` (or `ready()`'s timeout). */
  Timeout: 'timeout',
  /** The client was closed (by the app, a no-retry close code, or `maxAttempts`). */
  Closed: 'closed',
  /** The offline queue already holds `maxQueuedPublishes` publishes. */
  QueueFull: 'queue_full',
  /** The server's `maxMessagesPerSecond` was exceeded. */
  RateLimited: 'rate_limited',
  /** A server hook failed while handling the frame, or (no `serverCode`) the client itself hit an unexpected exception and reconnected. */
  Internal: 'internal',
  /** An app callback (a subscription handler, an event listener, `shouldReconnect`) threw; `cause` holds what it threw. The client carried on. */
  Callback: 'callback',
} as const;

export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** The `code` of the server's `FiretowerServerError` (thrown by its API or passed to `onError`). */
export const ServerErrorCode = {
  /** A topic given to the API (or returned by `onMessage`) is malformed. */
  InvalidTopic: 'invalid_topic',
  /** `publish` data that cannot be serialised as JSON. */
  InvalidData: 'invalid_data',
  /** `tower.subscribe` would pass `limits.maxTopicsPerConnection`. */
  TooManyTopics: 'too_many_topics',
  /** The operation was called after `close()`. */
  Closed: 'closed',
  /** A hook threw something other than `FiretowerRefusal` (reported to `onError`; for beforeSubscribe and onMessage the client got an `internal` error frame). */
  HookFailed: 'hook_failed',
  /** The broker failed to start or to close (reported to `onError`). */
  BrokerFailed: 'broker_failed',
  /** An unexpected exception while handling a connection's input; that connection was closed with 1011. */
  Internal: 'internal',
  /** A WebSocket upgrade reached Express, not Firetower: call `ft.attach(server)` (reported once). */
  NotAttached: 'not_attached',
  /** The HTTP server emitted an error (e.g. EMFILE); reported at most once every 10 s with a count. */
  ServerError: 'server_error',
  /** Few file descriptors are left after start-up: raise the open-file limit (reported once). */
  FdLimit: 'fd_limit',
} as const;

export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** The `code` of a broker's errors that the server, the admin API and gRPC map. */
export const BrokerErrorCode = {
  /** A publish refused because the broker's outgoing buffer is full (`BrokerOverflowError`). Retry with backoff. */
  Overflow: 'broker_overflow',
} as const;

export type BrokerErrorCode = (typeof BrokerErrorCode)[keyof typeof BrokerErrorCode];

/** The `code` of the admin API's JSON error bodies `{"error":{"code","message"}}` (`AdminHttpError`). */
export const AdminErrorCode = {
  /** 401: no or a wrong admin token. */
  Unauthorized: 'unauthorized',
  /** 400: the request is malformed (bad JSON, a missing or wrong field). */
  BadRequest: 'bad_request',
  /** 400: a topic is malformed. */
  InvalidTopic: 'invalid_topic',
  /** 404: no such admin route or topic. */
  NotFound: 'not_found',
  /** 405: the route exists, the method does not. */
  MethodNotAllowed: 'method_not_allowed',
  /** 413: the request body is too large. */
  TooLarge: 'too_large',
  /** 413: a batch publish carries too many messages. */
  TooManyMessages: 'too_many_messages',
  /** 415: the body is not JSON. */
  UnsupportedMediaType: 'unsupported_media_type',
  /** 503: the broker's outgoing buffer is full; retry with backoff. */
  BrokerOverflow: 'broker_overflow',
  /** 500: an unexpected failure. */
  Internal: 'internal',
} as const;

export type AdminErrorCode = (typeof AdminErrorCode)[keyof typeof AdminErrorCode];

/**
 * The `code` of an error of the gRPC door (`GrpcApiError`), sent in the `firetower-error-code`
 * trailer next to the gRPC status; `@firetower/grpc` maps each to its status.
 */
export const GrpcErrorCode = {
  /** INVALID_ARGUMENT: a topic is empty, too long, or has spaces, commas or non-ASCII. */
  InvalidTopic: 'invalid_topic',
  /** INVALID_ARGUMENT: `data_json` is not valid JSON. */
  InvalidJson: 'invalid_json',
  /** INVALID_ARGUMENT: a field is out of range (an empty `user_id`, `page_size` over 1000, a long `idempotency_key`). */
  InvalidField: 'invalid_field',
  /** INVALID_ARGUMENT: data above `maxDataBytes`. */
  DataTooLarge: 'data_too_large',
  /** INVALID_ARGUMENT: more than `maxBatch` messages in `PublishBatch`. */
  BatchTooLarge: 'batch_too_large',
  /** INVALID_ARGUMENT: a page token this server did not issue. */
  InvalidPageToken: 'invalid_page_token',
  /** INVALID_ARGUMENT: the server refused the data. */
  InvalidData: 'invalid_data',
  /** INVALID_ARGUMENT: `data_json` nests deeper than a WebSocket publish frame may. */
  DataTooDeep: 'data_too_deep',
  /** INVALID_ARGUMENT: the request bytes are not a valid protobuf message of the method's type. */
  MalformedRequest: 'malformed_request',
  /** UNAUTHENTICATED: missing or wrong credentials. */
  Unauthenticated: 'unauthenticated',
  /** RESOURCE_EXHAUSTED: the cluster link's buffer is full; retry with backoff. */
  BrokerOverflow: 'broker_overflow',
  /** UNAVAILABLE: the gRPC server or the node is closing. */
  ShuttingDown: 'shutting_down',
  /** UNAVAILABLE: the broker link failed. */
  Unavailable: 'unavailable',
  /** INTERNAL: reserved (nothing raises it today). */
  PublishFailed: 'publish_failed',
  /** INTERNAL: anything else; the details say what. */
  Internal: 'internal',
} as const;

export type GrpcErrorCode = (typeof GrpcErrorCode)[keyof typeof GrpcErrorCode];

/** The `code` of `GrpcServerError`: `createGrpcServer` could not start. */
export const GrpcServerErrorCode = {
  /** The port could not be bound (in use, no permission, a bad host). */
  BindFailed: 'bind_failed',
} as const;

export type GrpcServerErrorCode = (typeof GrpcServerErrorCode)[keyof typeof GrpcServerErrorCode];
