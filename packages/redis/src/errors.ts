/** Why a Redis broker operation failed. */
export type RedisBrokerErrorCode =
  /** The broker was closed (or never started). */
  | 'broker_closed'
  /** An option was out of range. */
  | 'invalid_option';

/** An error of the Redis broker; `code` is stable and safe to branch on. */
export class RedisBrokerError extends Error {
  readonly code: RedisBrokerErrorCode;
  constructor(code: RedisBrokerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisBrokerError';
    this.code = code;
  }
}
