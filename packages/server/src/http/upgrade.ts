import type { IncomingMessage } from 'node:http';
import { CloseCode, UpgradeRefusalCode, UpgradeRefusalStatus } from '@firetower/protocol';
import { FiretowerRefusal } from '../errors.js';
import { isHostAllowed, isOriginAllowed } from './origin.js';
import type { ResolvedOptions } from '../options.js';
import type { StatsRecorder } from '../core/stats.js';
import type { AuthAccept, UpgradeContext } from '../types.js';

/**
 * The answer to an upgrade request, before any WebSocket exists. `closeWith`: upgrade, then close
 * at once with this code and reason (an `authenticate` refusal a browser can read).
 */
export type UpgradeVerdict<AppData> = { ok: true; accept: AuthAccept<AppData>; closeWith?: { code: number; reason: string } } | UpgradeRefusal;

/** A refused upgrade: the HTTP status, and the `code` and message of the JSON body. */
export interface UpgradeRefusal {
  ok: false;
  status: number;
  code: UpgradeRefusalCode;
  message: string;
}

/** A refusal with the status its code is documented with (`UpgradeRefusalStatus`), unless the hook chose one. */
export function refusal(code: UpgradeRefusalCode, message: string, status: number = UpgradeRefusalStatus[code]): UpgradeRefusal {
  return { ok: false, status, code, message };
}

export function refusalBody(code: UpgradeRefusalCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** Cookies from the Cookie header, in a prototype-less record (a `__proto__` cookie is just a key). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (!name || name in cookies) continue;
    let value = part.slice(index + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

export function queryOf(request: IncomingMessage): URLSearchParams {
  const url = request.url ?? '/';
  const index = url.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : url.slice(index + 1));
}

/** One query parameter; a URL without a query (the usual upgrade) parses nothing. */
export function queryParam(request: IncomingMessage, name: string): string | null {
  const url = request.url ?? '/';
  const index = url.indexOf('?');
  return index < 0 ? null : new URLSearchParams(url.slice(index + 1)).get(name);
}

export function upgradeContext(request: IncomingMessage, origin: string | undefined): UpgradeContext {
  return { request, query: queryOf(request), cookies: parseCookies(request.headers.cookie), origin };
}

/** The verdict of every upgrade when there is no authenticate hook: shared, nothing per upgrade. */
const ANONYMOUS: UpgradeVerdict<never> = Object.freeze({ ok: true as const, accept: Object.freeze({}) });

/**
 * Origin check, then the authenticate hook. Runs inside ws's `verifyClient`, so a refusal is a
 * real HTTP response (403 for origin, 401/403 from the hook) and no WebSocket is ever opened.
 * Without an authenticate hook the verdict is synchronous: no promise per upgrade.
 */
export function verifyUpgrade<AppData>(
  options: ResolvedOptions<AppData>,
  stats: StatsRecorder,
  request: IncomingMessage,
  origin: string | undefined,
  reportError: (error: unknown) => void,
): UpgradeVerdict<AppData> | Promise<UpgradeVerdict<AppData>> {
  if (!isHostAllowed(request, options.allowedHosts)) {
    stats.refusal('origin', `host ${String(request.headers.host).slice(0, 200)} is not allowed`);
    return refusal(UpgradeRefusalCode.HostNotAllowed, 'this host name is not served here');
  }
  if (!isOriginAllowed(origin, request, options.allowedOrigins)) {
    stats.refusal('origin', `origin ${String(origin).slice(0, 200)} is not allowed`);
    return refusal(UpgradeRefusalCode.OriginNotAllowed, 'this origin may not connect');
  }
  const authenticate = options.hooks.authenticate;
  if (!authenticate) return ANONYMOUS;
  const verdict = authenticateUpgrade(authenticate, stats, request, origin, reportError);
  return options.authRefusal === 'close' ? verdict.then(readableRefusal) : verdict;
}

/** An authenticate refusal as a close the client can read, instead of an HTTP status it cannot. */
function readableRefusal<AppData>(verdict: UpgradeVerdict<AppData>): UpgradeVerdict<AppData> {
  if (verdict.ok || (verdict.code !== UpgradeRefusalCode.Unauthorized && verdict.code !== UpgradeRefusalCode.Forbidden)) return verdict;
  const code = verdict.code === UpgradeRefusalCode.Forbidden ? CloseCode.Forbidden : CloseCode.Unauthorized;
  return { ok: true, accept: {}, closeWith: { code, reason: verdict.message } };
}

async function authenticateUpgrade<AppData>(
  authenticate: NonNullable<ResolvedOptions<AppData>['hooks']['authenticate']>,
  stats: StatsRecorder,
  request: IncomingMessage,
  origin: string | undefined,
  reportError: (error: unknown) => void,
): Promise<UpgradeVerdict<AppData>> {
  let result: unknown;
  try {
    result = await authenticate(upgradeContext(request, origin));
  } catch (error) {
    if (error instanceof FiretowerRefusal) {
      stats.refusal('authenticate', error.message);
      const code = error.status === 403 ? UpgradeRefusalCode.Forbidden : UpgradeRefusalCode.Unauthorized;
      return refusal(code, error.message, error.status);
    }
    reportError(error);
    stats.refusal('authenticate', 'authenticate threw');
    return refusal(UpgradeRefusalCode.Internal, 'authentication failed');
  }
  if (result === false) {
    stats.refusal('authenticate', 'authenticate returned false');
    return refusal(UpgradeRefusalCode.Unauthorized, 'authentication required');
  }
  if (typeof result === 'object' && result !== null) return { ok: true, accept: result };
  return ANONYMOUS;
}
