/**
 * The base of every Firetower error: an `Error` with a stable string `code` to switch on. The
 * client's `FiretowerError`, the server's `FiretowerServerError`, `FiretowerRefusal`,
 * `BrokerOverflowError`, `AdminHttpError` and the gRPC door's errors all extend it; each narrows
 * `C` to its own code family (see `codes.ts`).
 *
 * Each published package bundles its own copy of this module, so an `instanceof
 * FiretowerCodedError` across packages is not reliable: switch on `code` (or use the package's
 * own class).
 *
 * @example
 * class QuotaError extends FiretowerCodedError<'quota'> {}
 * throw new QuotaError('quota', 'over quota');
 */
export class FiretowerCodedError<C extends string = string> extends Error {
  // Assigned in the constructor; `declare` keeps the bundle from defining it twice.
  declare readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
