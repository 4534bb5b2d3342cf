/**
 * The upgrade and authentication types of @firetower/server: what the `authenticate` hook sees of
 * the upgrade request and may answer (accept with a user, data, expiry and presence, or refuse),
 * what the `refresh` hook answers, and what a connection keeps of its upgrade request. Re-exported
 * by `types.ts` (and so by the package): import them from there.
 */
import type { IncomingMessage } from 'node:http';

/**
 * What a connection keeps of its HTTP upgrade request. The IncomingMessage and its headers are
 * released once the connection is accepted: holding them cost about 0.7 KB of heap per idle
 * connection. Hooks that need headers or cookies later read them in `authenticate` (which sees
 * the whole request) and keep what they need in `data`.
 */
export interface UpgradeRequest {
  /** The request URL, path and query (e.g. `/ws?clientId=abc`). */
  readonly url: string;
  /** The peer's address as the socket saw it (no proxy headers applied). */
  readonly remoteAddress: string | undefined;
}

/** The upgrade request as the authenticate hook sees it. */
export interface UpgradeContext {
  request: IncomingMessage;
  /** The request URL's query parameters. */
  query: URLSearchParams;
  /** Cookies parsed from the Cookie header. */
  cookies: Record<string, string>;
  /** The Origin header, if any. */
  origin: string | undefined;
}

/** Accept a connection, naming the user and attaching app data. */
export interface AuthAccept<AppData> {
  userId?: string;
  data?: AppData;
  /**
   * When the credentials expire (ms since the epoch, e.g. a JWT's `exp * 1000`). The client is told
   * how long it has (a `session` frame) and renews them with a `refresh` frame (the `refresh`
   * hook); otherwise the connection is closed with 4005 (`AuthExpired`) when they expire, and the
   * client reconnects with fresh ones.
   */
  expiresAt?: number;
  /**
   * What this connection shows as a member of topics with presence (e.g. `{ name: 'Ada' }`), as
   * JSON of at most 1 KB. It comes from here, never from a client frame. The member is the user
   * (`userId`; three tabs are one member) or, without one, the connection.
   */
  presence?: unknown;
}

/** What the `refresh` hook returns: the renewed expiry (and optionally new app data); `false` refuses. */
export type RefreshResult<AppData> = { expiresAt?: number; data?: AppData } | boolean | undefined | void;

/**
 * What authenticate returns: `true`/`undefined` accepts anonymously, an object accepts with a
 * user, `false` refuses (401). Throwing `new FiretowerRefusal(message, { status })` refuses with
 * its status (401 or 403) and message. With `authRefusal: 'close'` (the default) a refusal
 * accepts the upgrade and closes at once with 4500 (401) or 4503 (403) and the message as the
 * close reason, which a browser can read; with `'http'` it is an HTTP response before the upgrade
 * (a browser sees only 1006). Any other error is a 500 before the upgrade.
 */
export type AuthResult<AppData> = AuthAccept<AppData> | boolean | undefined | void;
