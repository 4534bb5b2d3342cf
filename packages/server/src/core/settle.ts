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

/**
 * `run()`'s promise, or a rejection with `message` after `ms`. The timer is owned and cleared
 * either way (never `AbortSignal.timeout()`, which Node 20 may collect before it fires), and
 * unref'd; a `run` that throws becomes a rejection.
 */
export function withDeadline<T>(run: () => Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
    let pending: Promise<T>;
    try {
      pending = run();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Run `next` after `result` (at once when it is not a promise). */
export function andThen(result: void | PromiseLike<void>, next: () => void | PromiseLike<void>): void | PromiseLike<void> {
  return isPromiseLike<void>(result) ? result.then(next) : next();
}
