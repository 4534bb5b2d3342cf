/**
 * Errors of the gRPC front door. Each has a stable string `code` (also sent to the client in the
 * `firetower-error-code` trailer) and the gRPC status it maps to.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/** The request itself is wrong: INVALID_ARGUMENT. */
export type InvalidArgumentCode =
  | 'invalid_topic'
  | 'invalid_json'
  | 'invalid_field'
  | 'data_too_large'
  | 'batch_too_large'
  | 'invalid_page_token'
  | 'invalid_data';

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

/** Turns anything an operation threw into a GrpcApiError, keeping the server's own codes. */
export function toApiError(error: unknown): GrpcApiError {
  if (error instanceof GrpcApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  // The server's FiretowerError codes, and the broker's overflow.
  if (code === 'closed') return new GrpcApiError('shutting_down', message);
  if (code === 'broker_failed') return new GrpcApiError('unavailable', message);
  if (typeof code === 'string' && code in STATUS_OF) return new GrpcApiError(code as GrpcErrorCode, message);
  return new GrpcApiError('internal', message);
}

/** The shape grpc-js sends as a call's final status. */
export function toServiceError(error: unknown): Partial<ServiceError> {
  const apiError = toApiError(error);
  const metadata = new Metadata();
  metadata.set('firetower-error-code', apiError.code);
  return { code: apiError.grpcStatus, details: apiError.message, metadata };
}
