import type { RedisBrokerErrorCode as ErrorCode } from '@firetower/protocol';
import { FiretowerCodedError } from '@firetower/server';

/**
 * Why a Redis broker operation failed: protocol's `RedisBrokerErrorCode`, where each code's meaning
 * is listed once. An alias, not a re-export, so the bundled declarations export it as a type only.
 */
export type RedisBrokerErrorCode = ErrorCode;

/** An error of the Redis broker; `code` is stable and safe to branch on. */
export class RedisBrokerError extends FiretowerCodedError<RedisBrokerErrorCode> {
  constructor(code: RedisBrokerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RedisBrokerError';
  }
}
