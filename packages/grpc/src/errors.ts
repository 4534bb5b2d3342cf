/**
 * Errors of the gRPC front door. Each has a stable string `code` (also sent to the client in the
 * `firetower-error-code` trailer) and the gRPC status it maps to.
 */
import { Metadata, status } from '@grpc/grpc-js';

/** The request itself is wrong: INVALID_ARGUMENT. */
export type InvalidArgumentCode =
  | 'invalid_topic'
  | 'invalid_json'
  | 'invalid_field'
  | 'data_too_large'
  | 'batch_too_large'
  | 'invalid_page_token'
  | 'invalid_data'
  | 'data_too_deep'
  | 'malformed_request';

export type GrpcErrorCode =
  | InvalidArgumentCode
  | 'unauthenticated'
  | 'broker_overflow'
  | 'shutting_down'
  | 'unavailable'
  | 'publish_failed'
  | 'internal';

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
  unauthenticated: status.UNAUTHENTICATED,
  // Retryable with backoff: the cluster link is congested, nothing is wrong with the request.
  broker_overflow: status.RESOURCE_EXHAUSTED,
  shutting_down: status.UNAVAILABLE,
  unavailable: status.UNAVAILABLE,
  publish_failed: status.INTERNAL,
  internal: status.INTERNAL,
};

export class GrpcApiError extends Error {
  readonly code: GrpcErrorCode;
  constructor(code: GrpcErrorCode, message: string) {
    super(message);
    this.name = 'GrpcApiError';
    this.code = code;
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
  // The server's FiretowerError codes, and the broker's overflow.
  if (code === 'closed') return new GrpcApiError('shutting_down', message);
  if (code === 'broker_failed') return new GrpcApiError('unavailable', message);
  if (typeof code === 'string' && code in STATUS_OF) return new GrpcApiError(code as GrpcErrorCode, message);
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
