/**
 * Errors of the gRPC front door. Each has a stable string `code` (also sent to the client in the
 * `firetower-error-code` trailer) and the gRPC status it maps to. `SERVER_CODE_MAPPING` is where
 * every coded error of the server (and its broker) gets its gRPC code.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { FiretowerCodedError, type BrokerErrorCode, type GrpcErrorCode as SharedGrpcErrorCode, type ServerErrorCode } from '@firetower/protocol';

/** The door's codes: `@firetower/protocol`'s `GrpcErrorCode`, each documented in its codes module. */
export type GrpcErrorCode = SharedGrpcErrorCode;

/** The request itself is wrong: INVALID_ARGUMENT. */
export type InvalidArgumentCode = Extract<
  GrpcErrorCode,
  | 'invalid_topic'
  | 'invalid_json'
  | 'invalid_field'
  | 'data_too_large'
  | 'batch_too_large'
  | 'invalid_page_token'
  | 'invalid_data'
  | 'data_too_deep'
  | 'malformed_request'
  | 'invalid_target'
>;

/** The gRPC status of each code (the README's table). */
const STATUS_OF: Record<GrpcErrorCode, status> = {
  invalid_topic: status.INVALID_ARGUMENT,
  invalid_json: status.INVALID_ARGUMENT,
  invalid_field: status.INVALID_ARGUMENT,
  data_too_large: status.INVALID_ARGUMENT,
  batch_too_large: status.INVALID_ARGUMENT,
  invalid_page_token: status.INVALID_ARGUMENT,
  invalid_data: status.INVALID_ARGUMENT,
  data_too_deep: status.INVALID_ARGUMENT,
  malformed_request: status.INVALID_ARGUMENT,
  invalid_target: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  // Not retryable: the server's history option does not cover the topic (the HTTP API's 404).
  no_history: status.NOT_FOUND,
  // Not retryable either: the server's presence option does not cover the topic.
  no_presence: status.NOT_FOUND,
  // Retryable with backoff: the cluster link is congested, nothing is wrong with the request.
  broker_overflow: status.RESOURCE_EXHAUSTED,
  shutting_down: status.UNAVAILABLE,
  unavailable: status.UNAVAILABLE,
  publish_failed: status.INTERNAL,
  internal: status.INTERNAL,
};

/**
 * The gRPC code each coded error of `@firetower/server` becomes (then its status through
 * `STATUS_OF`). Typed over every `ServerErrorCode`, `BrokerErrorCode` and the hooks' `refused`, so
 * a new server code does not compile until it is placed here.
 */
export const SERVER_CODE_MAPPING: Readonly<Record<ServerErrorCode | BrokerErrorCode | 'refused', GrpcErrorCode>> = {
  invalid_topic: 'invalid_topic', // INVALID_ARGUMENT
  invalid_data: 'invalid_data', // INVALID_ARGUMENT
  broker_overflow: 'broker_overflow', // RESOURCE_EXHAUSTED: retry with backoff
  closed: 'shutting_down', // UNAVAILABLE: the node is closing
  broker_failed: 'unavailable', // UNAVAILABLE: the cluster link failed
  broker_not_started: 'unavailable', // UNAVAILABLE: the node is still starting
  broker_closed: 'unavailable', // UNAVAILABLE: the node's broker is closing
  broker_already_started: 'internal', // INTERNAL: a bug in the code driving the broker
  internal: 'internal', // INTERNAL
  no_history: 'no_history', // NOT_FOUND: History of a topic that keeps none
  no_presence: 'no_presence', // NOT_FOUND: GetPresence of a topic without presence
  invalid_target: 'invalid_target', // INVALID_ARGUMENT: SendTo / SendToUser to an empty or over-long id
  history_unavailable: 'unavailable', // UNAVAILABLE: the history store could not be read
  // No operation the door calls (publish, count, topics, kickUser, unsubscribeUser, removeTopic,
  // stats, history, presence, sendTo, sendToUser) raises these; were one to reach it, it is the
  // server's problem, not the caller's.
  too_many_topics: 'internal',
  hook_failed: 'internal',
  not_attached: 'internal',
  server_error: 'internal',
  fd_limit: 'internal',
  refused: 'internal',
};

/** An error of the gRPC door: `code` goes in the `firetower-error-code` trailer, `grpcStatus` is the call's status. */
export class GrpcApiError extends FiretowerCodedError<GrpcErrorCode> {
  constructor(code: GrpcErrorCode, message: string) {
    super(code, message);
    this.name = 'GrpcApiError';
  }
  get grpcStatus(): status {
    return STATUS_OF[this.code];
  }
}

/** Raised for a request that fails validation (INVALID_ARGUMENT). */
export class InvalidArgumentError extends GrpcApiError {
  declare readonly code: InvalidArgumentCode;
  constructor(code: InvalidArgumentCode, message: string) {
    super(code, message);
    this.name = 'InvalidArgumentError';
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * What a thrown value says, without trusting it: anything can be thrown, and stringifying an
 * object whose toString is not a function throws again (inside the error path).
 */
function messageOf(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') return error.message;
    if (typeof error === 'string') return error.slice(0, 200);
  } catch {
    // a hostile getter: fall through
  }
  return 'unexpected error';
}

/** Is `code` one the door maps: a server or broker code, or one of its own (an own key: not `toString`)? */
export function isDoorCode(code: string): boolean {
  return Object.hasOwn(SERVER_CODE_MAPPING, code) || Object.hasOwn(STATUS_OF, code);
}

/**
 * A coded error the door does not know, out of an operation that reads or sends through the
 * broker (History, GetPresence, SendTo, SendToUser), is the broker's or its store's (a Redis or
 * topic-service link that is down, a timeout): UNAVAILABLE, to retry, not an INTERNAL fault. The
 * server's own codes keep their mapping; an uncoded error stays a fault (a bug).
 */
export function unavailableUnlessKnown(error: unknown, what: string): unknown {
  let code: unknown;
  try {
    code = codeOf(error);
  } catch {
    return error;
  }
  if (typeof code !== 'string' || isDoorCode(code)) return error;
  return new GrpcApiError('unavailable', `${what} failed (${code.slice(0, 40)}: ${messageOf(error)})`);
}

/** Turns anything an operation threw into a GrpcApiError, keeping the server's own codes. */
export function toApiError(error: unknown): GrpcApiError {
  if (error instanceof GrpcApiError) return error;
  const message = messageOf(error);
  let code: unknown;
  try {
    code = codeOf(error);
  } catch {
    code = undefined;
  }
  if (typeof code !== 'string') return new GrpcApiError('internal', message);
  // The server's coded errors, then a gRPC code thrown as is (an own key: not `toString`).
  if (Object.hasOwn(SERVER_CODE_MAPPING, code)) return new GrpcApiError(SERVER_CODE_MAPPING[code as keyof typeof SERVER_CODE_MAPPING], message);
  if (Object.hasOwn(STATUS_OF, code)) return new GrpcApiError(code as GrpcErrorCode, message);
  return new GrpcApiError('internal', message);
}

/** Longest `details` we send: a status is for people, and some messages quote the request. */
const MAX_DETAILS_LENGTH = 1000;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text that is safe as a status's `details`: grpc-js percent-encodes it with encodeURI, which
 * throws URIError on a lone surrogate (a topic or a JSON.parse message quoting the caller's
 * input can carry one). Thrown there, inside grpc-js, it was an unhandled rejection: a crash.
 */
export function statusDetails(message: string): string {
  const cut = message.length > MAX_DETAILS_LENGTH ? `${message.slice(0, MAX_DETAILS_LENGTH)}…` : message;
  return cut.replace(LONE_SURROGATE, '\ufffd');
}

/** A call's final status, as both a handler callback and an interceptor's sendStatus take it. */
export interface CallStatus {
  code: status;
  details: string;
  metadata: Metadata;
}

/** The status grpc-js sends for an error: its gRPC code, the message, the stable code as a trailer. */
export function toServiceError(error: unknown): CallStatus {
  const apiError = toApiError(error);
  const metadata = new Metadata();
  metadata.set('firetower-error-code', apiError.code);
  return { code: apiError.grpcStatus, details: statusDetails(apiError.message), metadata };
}
