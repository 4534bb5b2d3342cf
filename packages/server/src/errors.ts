/**
 * Errors the server raises or understands. Each extends `FiretowerCodedError` of
 * `@firetower/protocol` and carries a stable string `code` apps may switch on; the codes and what
 * they mean are in that package's codes module (`ServerErrorCode`).
 */
import { checkTopic, FiretowerCodedError, type ServerErrorCode } from '@firetower/protocol';

/** HTTP statuses a refusal before the upgrade may carry. */
export type RefusalStatus = 401 | 403;

/**
 * Thrown by a hook to refuse something on purpose:
 * - from `authenticate`: the upgrade is refused with `status` (401 by default, or 403);
 * - from `onConnect`: the connection is closed with `CloseCode.Unauthorized` and the message as reason;
 * - from `beforeSubscribe`: every topic of the frame is refused with the message as reason;
 * - from `onMessage`: the publish is refused; the client gets a `refused` error frame.
 *
 * @example
 * authenticate: ({ cookies }) => {
 *   const user = sessions.get(cookies.sid);
 *   if (!user) throw new FiretowerRefusal('log in first', { status: 401 });
 *   return { userId: user.id };
 * }
 */
export class FiretowerRefusal extends FiretowerCodedError<'refused'> {
  /** @default 401 */
  readonly status: RefusalStatus;

  constructor(message = 'refused', options: { status?: RefusalStatus } = {}) {
    super('refused', message);
    this.name = 'FiretowerRefusal';
    this.status = options.status ?? 401;
  }
}

/**
 * A server-side operation was called with something it cannot use, a hook failed, or the server
 * reports trouble to `onError`. `code` is a `ServerErrorCode`: `invalid_topic`, `invalid_data`,
 * `too_many_topics`, `closed`, `hook_failed`, `broker_failed`, `internal`, `not_attached`,
 * `server_error`, `fd_limit` (each documented in `@firetower/protocol`'s codes module).
 *
 * Named apart from the client's `FiretowerError` (other codes), so code that imports both packages
 * (tests, server-side rendering) needs no renaming import.
 */
export class FiretowerServerError extends FiretowerCodedError<ServerErrorCode> {
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FiretowerServerError';
  }
}

/** @deprecated Renamed `FiretowerServerError` (the client's error is also called `FiretowerError`); this alias stays. */
export const FiretowerError = FiretowerServerError;
/** @deprecated Renamed `FiretowerServerError`; this alias stays. */
export type FiretowerError = FiretowerServerError;
/** @deprecated Use `ServerErrorCode` of `@firetower/protocol` (re-exported here); this alias stays. */
export type FiretowerErrorCode = ServerErrorCode;

/** Anything thrown, as an Error (hooks may throw strings, or objects that cannot be stringified). */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value.length > 500 ? `${value.slice(0, 500)}…` : value);
  return new Error(`a thrown ${value === null ? 'null' : typeof value}`, { cause: value });
}

/** A topic given to the API: throws `invalid_topic` with the reason when it is malformed. */
export function requireTopic(topic: string, maxLength: number): void {
  const check = checkTopic(topic, maxLength);
  if (!check.ok) throw new FiretowerServerError('invalid_topic', `invalid topic: ${check.reason}`);
}
