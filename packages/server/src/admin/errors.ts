import type { NextFunction, Request, Response } from 'express';
import createDebug from 'debug';
import { FiretowerCodedError, type AdminErrorCode } from '@firetower/protocol';

const debug = createDebug('firetower:admin');

/** Stable `code`s of the admin API's JSON error bodies, each documented in `@firetower/protocol`'s codes module. */
export type { AdminErrorCode };

/** An admin request that failed; becomes `{ error: { code, message } }` with `status`. */
export class AdminHttpError extends FiretowerCodedError<AdminErrorCode> {
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: AdminErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message);
    this.name = 'AdminHttpError';
    this.status = status;
    this.details = details;
  }
}

export interface AdminErrorBody {
  error: { code: AdminErrorCode; message: string; [key: string]: unknown };
}

export function sendError(res: Response, error: AdminHttpError): void {
  const body: AdminErrorBody = { error: { ...error.details, code: error.code, message: error.message } };
  res.status(error.status).json(body);
}

/** The `code` of a thrown value, without trusting its shape. */
export function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** Codes the error handler already maps: 503 broker_unavailable for the lifecycle ones, 500 for internal. */
const HANDLER_MAPPED = new Set(['broker_not_started', 'broker_closed', 'internal']);

/**
 * An operation's coded failure that no route maps as the caller's fault: the broker's or a
 * store's (a Redis or topic-service link that is down, a timeout, a closing node), a 503 to retry
 * on this node or another. Anything uncoded is a bug and stays as is, for the handler's 500.
 */
export function unavailableOrAsIs(err: unknown, what: string): unknown {
  const code = codeOf(err);
  if (typeof code !== 'string' || HANDLER_MAPPED.has(code)) return err;
  return new AdminHttpError(503, 'broker_unavailable', `${what} failed (${code.slice(0, 40)}); retry later`);
}

/** body-parser's errors carry an HTTP status and a `type` such as 'entity.too.large'. */
function isBodyParserError(value: unknown): value is Error & { status: number; type: string } {
  return value instanceof Error && typeof (value as { status?: unknown }).status === 'number' && typeof (value as { type?: unknown }).type === 'string';
}

function toAdminError(err: unknown): AdminHttpError {
  if (err instanceof AdminHttpError) return err;
  if (isBodyParserError(err)) {
    if (err.status === 413) return new AdminHttpError(413, 'too_large', 'request body is too large');
    if (err.status === 415) return new AdminHttpError(415, 'unsupported_media_type', err.message);
    if (err.type === 'entity.parse.failed') return new AdminHttpError(400, 'bad_request', 'body is not valid JSON');
    if (err.status >= 400 && err.status < 500) return new AdminHttpError(err.status, 'bad_request', err.message);
  }
  // A broker outside start..close (BrokerLifecycleError): the node is starting or going away.
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'broker_not_started' || code === 'broker_closed') {
    return new AdminHttpError(503, 'broker_unavailable', `the broker is not running (${code}); retry later`);
  }
  // Express's own client errors (a path segment that is not valid percent-encoding) carry a 4xx status.
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new AdminHttpError(status, 'bad_request', 'bad request');
  debug('admin route failed: %O', err);
  return new AdminHttpError(500, 'internal', 'internal error');
}

/** The last handler of the admin router: every failure leaves as a JSON error body. */
export function jsonErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  const error = toAdminError(err);
  if (error.code === 'broker_unavailable' || error.code === 'broker_overflow') res.setHeader('Retry-After', '1');
  sendError(res, error);
}
