import type { IncomingMessage } from 'node:http';
import { normaliseOrigin } from './options.js';

/**
 * Cross-site WebSocket hijacking guard. Browsers always send Origin on a WebSocket upgrade, so an
 * upgrade without one comes from a non-browser client (allowed). A browser origin passes when it
 * is the page's own host (`Origin` host equals the `Host` header) or is listed in `allowedOrigins`.
 */
export function isOriginAllowed(origin: string | undefined, request: IncomingMessage, allowed: ReadonlySet<string> | '*'): boolean {
  if (origin === undefined) return true;
  if (allowed === '*') return true;
  if (allowed.has(normaliseOrigin(origin))) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const requestHost = request.headers.host;
  return typeof requestHost === 'string' && host.length > 0 && host.toLowerCase() === requestHost.toLowerCase();
}
