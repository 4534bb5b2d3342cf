import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { TopicServiceError } from '../errors.js';
import type { ErrorBody } from '../wire.js';

/**
 * Fault isolation for the service (issue 14): one guarded entry point per inbound path.
 *
 * A handler's refusal (`TopicServiceError`) is that request's 4xx. Anything else is a bug: it is
 * answered `500 internal` for that request only (or the response is cut if it had started),
 * reported through `onError`, and the process and every other request carry on. Timer callbacks
 * of the core (held polls, the sweep, the restart grace) go through `safely` the same way.
 */
export type ServiceErrorReporter = (error: unknown, where: string) => void;

export function sendError(res: Response, code: ErrorBody['error']['code'], message: string, status: number): void {
  const body: ErrorBody = { error: { code, message } };
  res.status(status).json(body);
}

/** Answer an unexpected error with 500 (once), report it. Never throws. */
export function failInternal(res: Response, error: unknown, where: string, report: ServiceErrorReporter): void {
  safely(report, where, () => report(error, where));
  try {
    if (res.headersSent) res.destroy();
    else sendError(res, 'internal', 'internal error', 500);
  } catch {
    res.destroy();
  }
}

/** Run a handler; a refusal goes to Express's error path, anything unexpected is a 500 here. */
export function guarded(report: ServiceErrorReporter, handler: (req: Request, res: Response) => void | Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const where = `${req.method} ${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const fail = (error: unknown) => {
      if (error instanceof TopicServiceError) next(error);
      else failInternal(res, error, where, report);
    };
    try {
      const result = handler(req, res);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/** Run `fn`; an exception is reported instead of escaping (a timer callback must not crash the process). */
export function safely(report: ServiceErrorReporter, where: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    try {
      report(error, where);
    } catch {
      // a reporter that throws has nowhere left to go
    }
  }
}
