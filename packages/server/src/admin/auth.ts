import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import createDebug from 'debug';
import type { AdminOptions } from '../types.js';
import { AdminHttpError, sendError } from './errors.js';

const debug = createDebug('firetower:admin');

/**
 * Where a credential may come from. Only the dashboard page accepts `?token=`, because a browser
 * navigation cannot send a Bearer header; the page then sends the header on its own fetches. It
 * also accepts the short-lived cookie it sets when it was opened with `?token=`, so a reload works
 * after its script has taken the token out of the address bar.
 */
export type CredentialSource = 'header' | 'header-or-query';

/** HttpOnly, SameSite=Strict, scoped to the dashboard page's own path. */
export const DASHBOARD_COOKIE = 'firetower_dashboard';
export const DASHBOARD_COOKIE_MAX_AGE_S = 3600;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time comparison. Hashing first gives both sides the same length, so neither the
 * content nor the length of the configured token leaks through timing.
 */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function queryToken(req: Request): string | undefined {
  const value = req.query.token;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function cookieToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === DASHBOARD_COOKIE) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

async function isAllowed(req: Request, admin: AdminOptions, source: CredentialSource): Promise<boolean> {
  if (admin.token !== undefined && admin.token.length > 0) {
    const given = bearerToken(req) ?? (source === 'header-or-query' ? (queryToken(req) ?? cookieToken(req)) : undefined);
    if (given !== undefined && tokenMatches(given, admin.token)) return true;
  }
  if (admin.authorize) return (await admin.authorize(req)) === true;
  return false;
}

/**
 * Admits a request with the configured token (`Authorization: Bearer <token>`) or when the app's
 * `authorize(req)` returns true. With neither configured every request is refused: enabling admin
 * must never open it to everybody by accident.
 */
export function requireAdmin(admin: AdminOptions, source: CredentialSource = 'header'): RequestHandler {
  const configured = (admin.token !== undefined && admin.token.length > 0) || admin.authorize !== undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!configured) {
      sendError(res, new AdminHttpError(401, 'unauthorized', 'admin access has no token or authorize() configured'));
      return;
    }
    isAllowed(req, admin, source).then(
      (allowed) => {
        if (allowed) {
          next();
          return;
        }
        res.setHeader('WWW-Authenticate', 'Bearer realm="firetower"');
        sendError(res, new AdminHttpError(401, 'unauthorized', 'missing or wrong admin credentials'));
      },
      (err: unknown) => {
        // A throwing authorize() is an app bug: deny, and say so without leaking its message.
        debug('authorize() threw: %O', err);
        sendError(res, new AdminHttpError(500, 'internal', 'authorize() failed'));
      },
    );
  };
}
