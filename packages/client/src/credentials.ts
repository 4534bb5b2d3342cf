/** Query parameters added to the connection URL (e.g. `{ token }`); the values of a `refresh` frame's `credentials`. */
export type ConnectParams = Record<string, string>;

/**
 * Fresh parameters for each connection attempt (and each credentials refresh): an object, or a
 * function returning one (or a promise of one), e.g. `async () => ({ token: await getToken() })`.
 */
export type ParamsOption = ConnectParams | (() => ConnectParams | PromiseLike<ConnectParams>);

/** Only own string values count: what a query string (and the server's `refresh` hook) carries. */
const readParams = (value: unknown): ConnectParams =>
  Object.fromEntries(Object.entries(Object(value) as object).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

/**
 * Gets the parameters: at once for an object or a function that returns one, after the promise
 * for an async provider. A provider that throws or rejects goes to `failed`, always
 * asynchronously.
 */
export function withParams(option: ParamsOption | undefined, done: (params: ConnectParams) => void, failed: (thrown: unknown) => void): void {
  let result: unknown;
  try {
    result = typeof option === 'function' ? option() : option;
    if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') return done(readParams(result));
  } catch (thrown) {
    // Reported on the next microtask like a rejection: a constructor's first attempt is then heard.
    result = Promise.reject(thrown);
  }
  Promise.resolve(result).then((value) => done(readParams(value)), failed);
}

/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When to refresh credentials that expire in `expiresInMs`: 30 s before they expire, or at 80 %
 * of their lifetime when that is later (sessions shorter than 150 s), so the margin is
 * min(30 s, 20 %) of the session.
 */
export function refreshDelay(expiresInMs: number): number {
  return Math.min(Math.max(expiresInMs - 30_000, expiresInMs * 0.8), MAX_TIMER_MS);
}
