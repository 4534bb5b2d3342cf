import { LocalCloseCode, ReportedCloseCode } from '@firetower/protocol';
import { callbackError, describeThrown } from './callbacks.js';
import { monotonicNow } from './clock.js';
import type { Teardown } from './connection-end.js';
import { withParams, type ConnectParams } from './credentials.js';
import type { FiretowerError } from './errors.js';
import { log, type ResolvedOptions } from './options.js';
import type { Timers } from './timers.js';
import { closeSocket, connectionUrl, detach, findWebSocket, messageText, sendText, type WebSocketConstructor, type WebSocketLike } from './socket.js';

/**
 * One connection attempt, from the `params` to the socket's end: the URL, the WebSocket, its
 * callbacks, sending, and the silence watchdog. The client lets go of it with `end()`; whatever
 * still arrives from it then (a provider that answers late, an event of a replaced socket) is
 * dropped, so the client only ever hears its current connection.
 */

/** What a connection needs of its client. */
export interface ConnectionLink {
  /** Runs an inbound path (a callback, a timer) as one of the client's guarded entry points. */
  guarded(run: () => void): void;
  /** The client's timers (guarded, and cleared by its teardown). */
  readonly timers: Pick<Timers<'connect' | 'watchdog'>, 'set'>;
  opened(): void;
  receive(text: string): void;
  closedByPeer(code: number, reason: string): void;
  teardown(cause: Teardown): void;
  report(error: FiretowerError): void;
}

type ConnectionOptions = Pick<ResolvedOptions, 'clientId' | 'connectionTimeoutMs' | 'heartbeatTimeoutMs' | 'logger'> &
  Pick<Partial<ResolvedOptions>, 'params' | 'WebSocket'>;

export interface Connection {
  /** The socket, once there is one. */
  socket(): WebSocketLike | undefined;
  /**
   * Starts the attempt: the `params` (the connect timeout covers a slow provider), then the socket,
   * whose callbacks are each one guarded entry point: nothing thrown in them reaches the socket's code.
   */
  open(url: string): void;
  /** Sends on the open socket; false when there is none. */
  send(text: string): boolean;
  /** The client lets go: nothing of this connection reaches it any more; a `local` end closes the socket. */
  end(cause: Teardown): void;
}

export function createConnection(link: ConnectionLink, options: ConnectionOptions): Connection {
  let socket: WebSocketLike | undefined;
  /** The client has let go of this connection. */
  let ended = false;
  let lastFrameAt = 0;

  /** Runs `run` as a guarded entry point, unless the client has let go of this connection. */
  const current = (run: () => void): void => {
    if (!ended) link.guarded(run);
  };

  const create = (base: string, params: ConnectParams): void => {
    try {
      // connect() checked that there is one; a global removed since fails here, like any constructor.
      const url = connectionUrl(base, { ...params, clientId: options.clientId });
      socket = new (findWebSocket(options.WebSocket) as WebSocketConstructor)(url);
    } catch (error) {
      log(options, 'socket failed', error);
      link.teardown({ code: ReportedCloseCode.Abnormal, reason: describeThrown(error), local: false, final: false });
      return;
    }
    socket.onopen = () =>
      current(() => {
        lastFrameAt = monotonicNow();
        watchSilence(link, options.heartbeatTimeoutMs, () => lastFrameAt);
        link.opened();
      });
    socket.onmessage = (event) =>
      current(() => {
        const text = messageText(event.data);
        if (text === undefined) return;
        lastFrameAt = monotonicNow();
        link.receive(text);
      });
    socket.onclose = (event) => current(() => link.closedByPeer(event.code, event.reason));
    socket.onerror = (event) => {
      // A close always follows; the teardown happens there.
      if (!ended) log(options, 'socket error', event);
    };
  };

  return {
    socket: () => socket,
    open(url) {
      link.timers.set('connect', options.connectionTimeoutMs, () =>
        link.teardown({ code: LocalCloseCode.ConnectTimeout, reason: 'connect timeout', local: true, final: false }),
      );
      withParams(
        options.params,
        (params) => current(() => create(url, params)),
        (thrown) =>
          current(() => {
            link.report(callbackError('params', thrown));
            link.teardown({ code: ReportedCloseCode.Abnormal, reason: 'params failed', local: true, final: false });
          }),
      );
    },
    // A send that throws means the socket is going down; its close event brings the teardown and the resend.
    send: (text) => sendText(socket, text, (error) => log(options, 'send failed', error)),
    end(cause) {
      ended = true;
      if (socket) {
        detach(socket);
        if (cause.local) closeSocket(socket, cause.code, cause.reason, (error) => log(options, 'close failed', error));
      }
    },
  };
}

/** Reconnects when no frame (heartbeats included) arrived for `timeout` ms (0: never); `lastFrameAt` reads when the last one came. */
function watchSilence(link: ConnectionLink, timeout: number, lastFrameAt: () => number, delayMs = timeout): void {
  if (timeout <= 0) return;
  // One timer per window instead of one reset per frame: it re-arms for the time left.
  link.timers.set('watchdog', delayMs, () => {
    const silentFor = monotonicNow() - lastFrameAt();
    if (silentFor < timeout) watchSilence(link, timeout, lastFrameAt, timeout - silentFor);
    else link.teardown({ code: LocalCloseCode.HeartbeatTimeout, reason: `no frame for ${Math.round(silentFor)} ms`, local: true, final: false });
  });
}
