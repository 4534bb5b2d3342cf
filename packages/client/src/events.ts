import type { FiretowerError } from './errors.js';
import type { TopicMessage } from './topics.js';

/**
 * - `idle`: created with `autoConnect: false` (or where it cannot connect yet: server-side rendering), `connect()` not called yet.
 * - `connecting`: the first socket after `connect()` is opening.
 * - `open`: connected; frames flow.
 * - `reconnecting`: the connection was lost (or never opened); waiting for the next attempt or
 *   making it. Waits are held while the browser is offline.
 * - `closed`: closed by the app, by a no-retry close code, or after `maxAttempts`. Only
 *   `connect()` leaves it.
 */
export type FiretowerState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StateChange<S extends string = FiretowerState> {
  previous: S;
  current: S;
}

export interface OpenEvent {
  clientId: string;
  /** True when this is not the first connection of this client. */
  reconnected: boolean;
}

export interface CloseEvent {
  /**
   * The WebSocket close code: the server's (`CloseCode`), 1005/1006 when the socket closed without
   * a code or failed without a close frame (`ReportedCloseCode`), 3000–3003 for the client's own
   * reasons (`LocalCloseCode`). All in `@firetower/protocol`, whose README has the tables.
   */
  code: number;
  reason: string;
  /** False when the client went to `closed`. */
  willReconnect: boolean;
}

export interface ReconnectingEvent {
  /** 1 for the first retry after a drop; reset after `minUptimeMs` of stable connection. */
  attempt: number;
  delayMs: number;
  /**
   * Why this wait: `backoff`, the server's `retry-after` hint, `hidden` (page not visible: long
   * delay), or an immediate retry (`delayMs` 0) because `online` (the network came back) or
   * `visible` (the page became visible again).
   */
  cause: 'backoff' | 'retry-after' | 'hidden' | 'online' | 'visible';
}

export interface FiretowerEvents {
  state: [change: StateChange];
  open: [event: OpenEvent];
  close: [event: CloseEvent];
  reconnecting: [event: ReconnectingEvent];
  /** Every delivery on every topic this client holds. */
  message: [message: TopicMessage];
  /**
   * Errors no promise carries: a refusal on resubscribe, an error frame without an id, an app
   * callback that threw (`callback`), the client's own unexpected exception (`internal`, no `serverCode`).
   */
  error: [error: FiretowerError];
}
