/** Why a Redis broker operation failed. */
export type RedisBrokerErrorCode =
  /** The broker was closed (or never started). */
  | 'broker_closed'
  /** An option was out of range. */
  | 'invalid_option'
  /** `claimKey` was called while the command connection to Redis is down. */
  | 'not_connected'
  /** Redis did not answer a `claimKey` within `claimTimeoutMs`. */
  | 'claim_timeout'
  /** Redis refused a `claimKey` (an error reply, e.g. OOM) or the link broke while it was in flight. */
  | 'claim_failed';

/** An error of the Redis broker; `code` is stable and safe to branch on. */
export class RedisBrokerError extends Error {
  readonly code: RedisBrokerErrorCode;
  constructor(code: RedisBrokerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisBrokerError';
    this.code = code;
  }
}
