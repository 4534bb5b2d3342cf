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

/**
 * The parsed reply, or a `RedisBrokerError` of `code` naming `what`: the command failed (an error
 * reply, a lost connection), Redis did not answer within `timeoutMs` (node-redis would otherwise
 * hold the command while the link is down or Redis is stuck), or the reply had the wrong shape
 * (`parse` gave undefined).
 */
export function withinDeadline<R, T>(
  code: RedisBrokerErrorCode,
  reply: Promise<R>,
  timeoutMs: number,
  what: string,
  parse: (reply: R) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisBrokerError(code, `Redis did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    reply.then(
      (value: R) => {
        clearTimeout(timer);
        const parsed = parse(value);
        if (parsed !== undefined) resolve(parsed);
        else reject(new RedisBrokerError(code, `unexpected reply to ${what}`));
      },
      (error: unknown) => {
        clearTimeout(timer);
        const why = error instanceof Error ? error.message : String(error);
        reject(new RedisBrokerError(code, `${what} failed: ${why}`, { cause: error }));
      },
    );
  });
}
