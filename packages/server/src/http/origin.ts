import type { IncomingMessage } from 'node:http';
import { normaliseOrigin } from '../options.js';

/**
 * Cross-site WebSocket hijacking guard. Browsers always send Origin on a WebSocket upgrade, so an
 * upgrade without one comes from a non-browser client (allowed: `authenticate` is its check).
 *
 * - An explicit `allowedOrigins` list is exclusive: only those origins pass. This is the
 *   recommended setting, and the only one that also stops DNS rebinding (see below).
 * - With no list (the default), a browser origin passes when its host is the request's own `Host`
 *   header (same origin). That stops a page on another site from opening a connection that carries
 *   this site's cookies. It does not stop DNS rebinding: a page on evil.example whose name is made
 *   to resolve to this server sends `Host: evil.example` and `Origin: http://evil.example`, which
 *   agree. The browser sends no cookies of this site then, so cookie-authenticated apps stay safe,
 *   but a server that trusts its network position (localhost, an intranet, no authenticate hook)
 *   must set `allowedOrigins` or `allowedHosts`.
 * - The scheme is compared only when this server itself terminates TLS (an `https` origin over
 *   plain HTTP is what a TLS-terminating proxy in front of the app produces, so it must pass; an
 *   `http` origin on a TLS socket never should).
 */
export function isOriginAllowed(origin: string | undefined, request: IncomingMessage, allowed: ReadonlySet<string> | '*'): boolean {
  if (origin === undefined) return true;
  if (allowed === '*') return true;
  if (allowed.size > 0) return allowed.has(normaliseOrigin(origin));
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (isTls(request) && url.protocol !== 'https:') return false;
  const requestHost = request.headers.host;
  return typeof requestHost === 'string' && url.host.length > 0 && url.host.toLowerCase() === requestHost.toLowerCase();
}

/**
 * DNS-rebinding guard: with `allowedHosts`, the upgrade's `Host` header must name one of them (an
 * entry without a port matches any port). Without the option every host passes.
 */
export function isHostAllowed(request: IncomingMessage, allowedHosts: ReadonlySet<string> | undefined): boolean {
  if (allowedHosts === undefined) return true;
  const host = request.headers.host?.toLowerCase();
  if (host === undefined) return false;
  if (allowedHosts.has(host)) return true;
  const colon = host.lastIndexOf(':');
  // IPv6 literals ("[::1]:3000") keep their brackets; the port is what follows the last colon after "]".
  return colon > host.lastIndexOf(']') && allowedHosts.has(host.slice(0, colon));
}

function isTls(request: IncomingMessage): boolean {
  return (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
}
