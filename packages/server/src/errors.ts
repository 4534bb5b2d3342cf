/**
 * Errors the server raises or understands. Each carries a stable string `code` apps may switch on.
 */

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
export class FiretowerRefusal extends Error {
  readonly code = 'refused' as const;
  /** @default 401 */
  readonly status: RefusalStatus;

  constructor(message = 'refused', options: { status?: RefusalStatus } = {}) {
    super(message);
    this.name = 'FiretowerRefusal';
    this.status = options.status ?? 401;
  }
}

export type FiretowerErrorCode = 'invalid_topic' | 'invalid_data' | 'too_many_topics' | 'closed' | 'hook_failed' | 'broker_failed' | 'internal' | 'not_attached' | 'server_error' | 'fd_limit';

/** A server-side operation was called with something it cannot use, or a hook failed. */
export class FiretowerError extends Error {
  readonly code: FiretowerErrorCode;

  constructor(code: FiretowerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FiretowerError';
    this.code = code;
  }
}

/** Anything thrown, as an Error (hooks may throw strings, or objects that cannot be stringified). */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value.length > 500 ? `${value.slice(0, 500)}…` : value);
  return new Error(`a thrown ${value === null ? 'null' : typeof value}`, { cause: value });
}
