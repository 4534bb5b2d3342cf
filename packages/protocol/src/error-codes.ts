/**
 * The `code` of every Firetower error class, one family per class, each an `as const` object
 * plus a union type of its values (the wire's close, error-frame and refusal codes are in
 * `codes.ts`). Every class extends `FiretowerCodedError<Family>` (`errors.ts`).
 *
 * - `ClientErrorCode`: the client's `FiretowerError`.
 * - `ServerErrorCode`: the server's `FiretowerServerError`; `BrokerErrorCode`: a broker's errors
 *   the server maps (`BrokerOverflowError`); `AdminErrorCode`: the admin API's `AdminHttpError`.
 * - `GrpcErrorCode`, `GrpcServerErrorCode`: the gRPC door's `GrpcApiError` and `GrpcServerError`.
 * - `TopicServiceErrorCode` (with `TopicServiceErrorStatus`), `TopicServiceClientErrorCode`,
 *   `TopicServiceConfigErrorCode`: the topic service's API and its broker.
 * - `RedisBrokerErrorCode`: the Redis broker's `RedisBrokerError`.
 */

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
  /** `sendTo` / `sendToUser` with an empty or over-long clientId / userId. */
  InvalidTarget: 'invalid_target',
  /** `ft.history` on a topic without history, or the `history` option with a broker that keeps none. */
  NoHistory: 'no_history',
  /** `ft.presence` on a topic without presence, or the `presence` option with a broker that has none. */
  NoPresence: 'no_presence',
  /** A history read failed (the broker's link is down, or it refused); the subscribe got a `history_unavailable` error frame. */
  HistoryUnavailable: 'history_unavailable',
} as const;

export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** The `code` of a broker's errors that the server, the admin API and gRPC map. */
export const BrokerErrorCode = {
  /** A publish refused because the broker's outgoing buffer is full (`BrokerOverflowError`). Retry with backoff. */
  Overflow: 'broker_overflow',
  /** An operation before `start()` (`BrokerLifecycleError`). Retry with backoff: the node is still starting. */
  NotStarted: 'broker_not_started',
  /** A second `start()` (`BrokerLifecycleError`): a bug in the code driving the broker. */
  AlreadyStarted: 'broker_already_started',
  /** An operation while closing or after `close()` (`BrokerLifecycleError`). The node is going away. */
  Closed: 'broker_closed',
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
  /** 404: `GET /api/history` of a topic that keeps no history. */
  NoHistory: 'no_history',
  /** 404: `GET /api/presence` of a topic without presence (or a server without the `presence` option). */
  NoPresence: 'no_presence',
  /** 400: a send's `userId` / `clientId` is not a string of 1 to 256 characters. */
  InvalidTarget: 'invalid_target',
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
  /** 503: the broker is not running (`broker_not_started`: still starting; `broker_closed`: the node is going away); retry with backoff, maybe on another node. */
  BrokerUnavailable: 'broker_unavailable',
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
  /** INVALID_ARGUMENT: a `SendTo` / `SendToUser` `client_id` / `user_id` that is empty or longer than 256 characters. */
  InvalidTarget: 'invalid_target',
  /** UNAUTHENTICATED: missing or wrong credentials. */
  Unauthenticated: 'unauthenticated',
  /** NOT_FOUND: `History` of a topic that keeps no history. */
  NoHistory: 'no_history',
  /** NOT_FOUND: `GetPresence` of a topic without presence (or a server without the `presence` option). */
  NoPresence: 'no_presence',
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

/**
 * The `code` of the topic service's HTTP error bodies `{"error":{"code","message"}}`
 * (`TopicServiceError`), with the status in `TopicServiceErrorStatus`.
 */
export const TopicServiceErrorCode = {
  /** 400: malformed JSON, a body or query that fails validation. */
  BadRequest: 'bad_request',
  /** 413: a body above `maxBodyBytes`. */
  PayloadTooLarge: 'payload_too_large',
  /** 413: more than `maxBatch` entries. */
  BatchTooLarge: 'batch_too_large',
  /** 401: the token is missing or wrong. */
  Unauthorized: 'unauthorized',
  /** 409: the node is not registered (never, lease expired, service restarted) or has another epoch: register and resync. */
  UnknownNode: 'unknown_node',
  /** 409: a second poll while one is held. */
  PollInProgress: 'poll_in_progress',
  /** 409: the held poll's registration was replaced or removed. */
  PollSuperseded: 'poll_superseded',
  /** 404: no such endpoint. */
  NotFound: 'not_found',
  /** 503: the service is shutting down. */
  Closed: 'closed',
  /** 500: a bug. */
  Internal: 'internal',
} as const;

export type TopicServiceErrorCode = (typeof TopicServiceErrorCode)[keyof typeof TopicServiceErrorCode];

/** The HTTP status the topic service answers each error with. */
export const TopicServiceErrorStatus: Readonly<Record<TopicServiceErrorCode, number>> = {
  bad_request: 400,
  payload_too_large: 413,
  batch_too_large: 413,
  unauthorized: 401,
  unknown_node: 409,
  poll_in_progress: 409,
  poll_superseded: 409,
  not_found: 404,
  closed: 503,
  internal: 500,
};

const topicServiceErrorCodes: ReadonlySet<string> = new Set(Object.values(TopicServiceErrorCode));

/** True for a code the topic service's API may answer with (a newer or foreign one is not). */
export function isTopicServiceErrorCode(value: unknown): value is TopicServiceErrorCode {
  return typeof value === 'string' && topicServiceErrorCodes.has(value);
}

/**
 * The `code` of `TopicServiceClientError`: a request from the broker to the service failed. Either
 * the service's own refusal (any `TopicServiceErrorCode`, `status` set) or one of these.
 */
export const TopicServiceClientErrorCode = {
  ...TopicServiceErrorCode,
  /** No answer (connection refused, reset, DNS). */
  Network: 'network',
  /** An answer that is not the API's (not JSON, an unknown code, a wrong shape). */
  BadResponse: 'bad_response',
  /** No answer within the deadline (claims). */
  Timeout: 'timeout',
  /** The broker knows the link is down and did not try (claims). */
  Unreachable: 'unreachable',
  /** The broker is not started, or closed. */
  NotRunning: 'not_running',
} as const;

export type TopicServiceClientErrorCode = (typeof TopicServiceClientErrorCode)[keyof typeof TopicServiceClientErrorCode];

/** The `code` of `TopicServiceConfigError`: the topic-service broker was configured with something it can never use. */
export const TopicServiceConfigErrorCode = {
  /** The service URL is not an http(s) URL. */
  BadUrl: 'bad_url',
  /** A port Node's `fetch` refuses (the Fetch standard's blocked ports). */
  BadPort: 'bad_port',
} as const;

export type TopicServiceConfigErrorCode = (typeof TopicServiceConfigErrorCode)[keyof typeof TopicServiceConfigErrorCode];

/** The `code` of `RedisBrokerError`. */
export const RedisBrokerErrorCode = {
  /** The broker was closed (or never started). */
  BrokerClosed: 'broker_closed',
  /** An option was out of range. */
  InvalidOption: 'invalid_option',
  /** `claimKey` or `history` was called while the command connection to Redis is down. */
  NotConnected: 'not_connected',
  /** Redis did not answer a `claimKey` within `claimTimeoutMs`. */
  ClaimTimeout: 'claim_timeout',
  /** Redis refused a `claimKey` (an error reply, e.g. OOM) or the link broke while it was in flight. */
  ClaimFailed: 'claim_failed',
  /** A `history` read (error reply, lost connection, no answer within `historyTimeoutMs`) or a history publish's append (error reply, lost connection) failed. */
  HistoryFailed: 'history_failed',
  /** A `presence` read failed (error reply, lost connection, no answer within `presenceTimeoutMs`). */
  PresenceFailed: 'presence_failed',
} as const;

export type RedisBrokerErrorCode = (typeof RedisBrokerErrorCode)[keyof typeof RedisBrokerErrorCode];
