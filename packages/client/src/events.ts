import type { RecoveryFailure } from '@firetower/protocol';
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

/**
 * A topic is live on the current connection: sent once per topic for every subscribe the server
 * acknowledged (the first one, each one after a reconnect, and each recovery after a gap). The
 * replayed messages, if any, follow it. When `recovered` is false the app may have missed messages
 * (or never had the topic's state): that is the moment to fetch the state it shows.
 */
export interface SubscribedEvent {
  topic: string;
  /** The client asked the server to replay what it missed since its last position on this topic. */
  wasRecovering: boolean;
  /** Nothing was missed: every message after the client's last one is replayed, in order. */
  recovered: boolean;
  /**
   * Why a recovery failed (with `wasRecovering` and not `recovered`): `epoch_changed`,
   * `too_old`, `too_many`, `bad_position`, `unavailable` or `no_history` (see `RecoveryFailure` in
   * `@firetower/protocol`); a newer server may send others.
   */
  reason?: RecoveryFailure | (string & {});
}

export interface FiretowerEvents {
  state: [change: StateChange];
  open: [event: OpenEvent];
  close: [event: CloseEvent];
  reconnecting: [event: ReconnectingEvent];
  /**
   * Every delivery on every topic this client holds (duplicates and out-of-order ones of a topic
   * with history are dropped), and direct messages (`ft.sendToUser`, `ft.sendTo`, `tower.send`) on
   * topics it never subscribed: this event is the place for those.
   */
  message: [message: TopicMessage];
  /** Once per topic per subscribe the server acknowledged; handles get it too. */
  subscribed: [event: SubscribedEvent];
  /**
   * Errors no promise carries: a refusal on resubscribe, an error frame without an id, a refused
   * credentials refresh (`refused`), the server refusing the client (`closed` with `closeCode`
   * 4500–4999 and the server's `reason`), an app callback that threw (`callback`, the `params`
   * provider included), the client's own unexpected exception (`internal`, no `serverCode`).
   */
  error: [error: FiretowerError];
}
