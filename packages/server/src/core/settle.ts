/**
 * Hooks may be sync or async. `settle` runs one and continues synchronously when it returned a
 * plain value, so the common sync path allocates no promise; a thrown error or a rejection goes to
 * `onError` either way.
 */
export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function settle<T, R>(
  run: () => T | PromiseLike<T>,
  onValue: (value: T) => R | PromiseLike<R>,
  onError: (error: unknown) => R | PromiseLike<R>,
): R | PromiseLike<R> {
  let value: T | PromiseLike<T>;
  try {
    value = run();
  } catch (error) {
    return onError(error);
  }
  if (isPromiseLike<T>(value)) return Promise.resolve(value).then(onValue, onError);
  return onValue(value);
}

/** Run `next` after `result` (at once when it is not a promise). */
export function andThen(result: void | PromiseLike<void>, next: () => void | PromiseLike<void>): void | PromiseLike<void> {
  return isPromiseLike<void>(result) ? result.then(next) : next();
}
