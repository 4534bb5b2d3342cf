import { FiretowerServerError } from '../errors.js';

/** Errors of the HTTP server (an EMFILE storm) reach onError at most this often. */
export const SERVER_ERROR_REPORT_MS = 10_000;

/**
 * Errors of the HTTP server a node serves on (accept failing with EMFILE is the one that matters),
 * turned into a `FiretowerServerError` `server_error` that says what to do, at most once per
 * SERVER_ERROR_REPORT_MS with the count of the ones in between (monotonic clock).
 */
export class ServerErrorReports {
  private unreported = 0;
  private reportedAt = Number.NEGATIVE_INFINITY;

  /** The error to report now, or undefined while within the interval. */
  next(error: Error, now = performance.now()): FiretowerServerError | undefined {
    this.unreported++;
    if (now - this.reportedAt < SERVER_ERROR_REPORT_MS) return undefined;
    this.reportedAt = now;
    const count = this.unreported;
    this.unreported = 0;
    const code = (error as { code?: unknown }).code;
    const hint =
      code === 'EMFILE' || code === 'ENFILE'
        ? ': the process is out of file descriptors, so new connections are refused until some close; raise the limit (ulimit -n, systemd LimitNOFILE, docker --ulimit nofile)'
        : '';
    const times = count > 1 ? ` (${count} times since the last report)` : '';
    return new FiretowerServerError('server_error', `HTTP server error ${error.message}${hint}${times}`, { cause: error });
  }
}
