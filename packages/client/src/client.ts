import { CloseCode, isTerminalCloseCode, LocalCloseCode, parseRetryAfter, ReportedCloseCode, type PresenceList } from '@firetower/protocol';
import { backoff, retryAfterDelay } from './backoff.js';
import { callbackError, describeThrown, IsolatedEmitter } from './callbacks.js';
import type { EnvironmentChange } from './environment.js';
import { FiretowerError, serverError } from './errors.js';
import type { FiretowerEvents, FiretowerState, ReconnectingEvent, StateChange } from './events.js';
import { resolveOptions, type FiretowerOptions, type ResolvedOptions } from './options.js';
import type { PublishResult } from './publish-queue.js';
import { Publisher, type PublishOptions } from './publisher.js';
import { decodeServerFrame } from './server-frames.js';
import {
  cannotConnect,
  checkUrl,
  closeSocket,
  connectionUrl,
  detach,
  findWebSocket,
  messageText,
  OPEN,
  randomId,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket.js';
import { refreshDelay, withParams, type ConnectParams } from './credentials.js';
import { Requests, type Answer } from './requests.js';
import { catchUpLimit, wantsPresence, type SubscribeOptions } from './subscribe-options.js';
import { Subscription } from './subscription.js';
import { Timers } from './timers.js';
import { closeCodeFor, closeReasonFor } from './close-frame.js';
import { monotonicNow } from './clock.js';
import { TopicSync } from './topic-sync.js';
import { topicList, topicProblem } from './topic-args.js';
import type { AnyTopics, Chosen, MessageHandler, PayloadOf, TopicMessage, TopicOf } from './topics.js';

/** Why a connection ends, handed to the one teardown path. */
interface Teardown {
  code: number;
  reason: string;
  /** The client ends the socket itself (close(), timeouts, offline); otherwise the peer closed it. */
  local: boolean;
  /** Go to `closed` instead of reconnecting. */
  final: boolean;
  /** The server's graceful-shutdown hint. */
  retryAfterMs?: number | undefined;
}

type TimerName = 'connect' | 'watchdog' | 'stable' | 'retry' | 'refresh';

/**
 * A Firetower connection: subscribe to topics, publish to them, and stay connected.
 *
 * @example
 * type Topics = { [topic: `/chat/${string}`]: { from: string; text: string } };
 * const client = new Firetower<Topics>('wss://example.com/ws');
 * client.subscribe('/chat/world', (m) => console.log(m.from, m.text));
 * await client.publish('/chat/world', { from: 'ann', text: 'hi' });
 */
export class Firetower<TM extends object = AnyTopics> extends IsolatedEmitter<FiretowerEvents> {
  // Fields the constructor assigns (or that start undefined) are `declare`d: no per-field define in
  // the browser bundle, whose size is budgeted (< 9 KB gzip).
  declare readonly url: string;
  /** Sent as `?clientId=` on every connection; the server dedupes publishes on `clientId:id`. */
  declare readonly clientId: string;
  declare private readonly options: ResolvedOptions;
  private current: FiretowerState = 'idle';
  declare private socket: WebSocketLike | undefined;
  /** Bumped for every socket: callbacks of an older socket see a different number and drop out. */
  private connectionId = 0;
  /** Frame ids are unique per instance even when the app reuses a clientId across page loads. */
  private readonly idPrefix = randomId().slice(0, 8);
  private frameCount = 0;
  /** Consecutive reconnect attempts since the last stable connection. */
  private attempt = 0;
  private openedBefore = false;
  /** A 4500 made the client ask its `params` provider once more; reset by a stable connection and by `connect()`. */
  declare private authRetried: boolean | undefined;
  private lastFrameAt = 0;
  private readonly timers = new Timers<TimerName>();
  declare private readonly publisher: Publisher;
  declare private readonly topicSync: TopicSync;
  /** Presence queries and credential refreshes waiting for the server. */
  private readonly requests = new Requests();
  declare private stopWatchingEnvironment: (() => void) | undefined;

  constructor(url: string, options: FiretowerOptions = {}) {
    super();
    this.options = resolveOptions(options);
    this.clientId = this.options.clientId;
    // Throws now, not on some later reconnect, when the URL can never work. Nothing else here
    // needs a browser: during server-side rendering the client is built and stays idle.
    checkUrl(url);
    this.url = url;
    this.topicSync = new TopicSync({
      send: (frame) => this.sendFrame(JSON.stringify(frame)),
      nextId: () => this.nextId(),
      maxTopicsPerFrame: () => this.options.maxTopicsPerFrame,
      synced: () => this.publisher.flush(),
      error: (error) => this.emit('error', error),
      subscribed: (event) => this.emit('subscribed', event),
    });
    this.publisher = new Publisher(
      {
        send: (text) => this.sendFrame(text),
        nextId: () => this.nextId(),
        canSend: () => this.is('open') && !this.topicSync.syncing,
        isClosed: () => this.is('closed'),
      },
      this.options,
    );
    if (this.options.autoConnect) {
      const reason = cannotConnect(url, this.options.WebSocket);
      if (reason === undefined) this.connect();
      else this.log(reason);
    }
  }

  get state(): FiretowerState {
    return this.current;
  }

  isConnected(): boolean {
    return this.current === 'open';
  }

  /** The topics this client holds locally (and, when connected, on the server). */
  get topics(): string[] {
    return this.topicSync.registry.topics();
  }

  /** Publishes waiting for a connection. */
  get queuedPublishes(): number {
    return this.publisher.queuedCount;
  }

  /**
   * Opens the connection (from `idle` or `closed`), or retries now when waiting to reconnect.
   * Throws a `TypeError` where no connection can be made: no WebSocket implementation, or a
   * relative URL without a page (server-side rendering); call it where the page runs.
   */
  connect(): void {
    if (this.is('idle') || this.is('closed')) {
      const reason = cannotConnect(this.url, this.options.WebSocket);
      if (reason !== undefined) throw new TypeError(reason);
      this.attempt = 0;
      this.authRetried = false;
      this.watchEnvironment();
      this.setState('connecting');
      if (this.is('connecting')) this.openSocket();
    } else if (this.waiting()) {
      this.timers.clear('retry');
      this.openSocket();
    }
  }

  /**
   * Closes for good: no reconnect until `connect()`. Pending publishes reject with `closed`. A code
   * the WebSocket API refuses (anything but 1000 and 3000–4999) is sent as 1000, and a reason over
   * 123 UTF-8 bytes is cut on a character boundary; the `close` event reports what was sent.
   */
  close(code: number = CloseCode.Normal, reason: string = 'client closed'): void {
    if (this.is('closed')) return;
    this.teardown({ code: closeCodeFor(code), reason: closeReasonFor(reason), local: true, final: true });
  }

  /** Resolves once the client is open; rejects with `closed` if it closes first, or `timeout`. */
  ready(timeoutMs?: number): Promise<void> {
    if (this.is('open')) return Promise.resolve();
    if (this.is('closed')) return Promise.reject(new FiretowerError('closed', 'the client is closed'));
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (error?: FiretowerError) => {
        clearTimeout(timer);
        this.off('state', onState);
        if (error) reject(error);
        else resolve();
      };
      const onState = ({ current }: StateChange) => {
        if (current === 'open') settle();
        else if (current === 'closed') settle(new FiretowerError('closed', 'the client closed before it connected'));
      };
      this.on('state', onState);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => settle(new FiretowerError('timeout', `not connected within ${timeoutMs} ms`)), timeoutMs);
      }
    });
  }

  /**
   * Subscribes a handler to one or more topics. The payload type comes from the client's topic
   * map, or from the type argument: `subscribe<ChatMessage>('/chat/world', ...)`. With `since`,
   * the topics this handle is the first to hold start with their newest messages; with
   * `presence: true` the handle emits `join` / `leave`.
   */
  subscribe<P = never, K extends TopicOf<TM> = TopicOf<TM>>(
    topics: K | readonly K[],
    handler?: MessageHandler<Chosen<NoInfer<P>, PayloadOf<TM, K>>>,
    options?: SubscribeOptions,
  ): Subscription<Chosen<NoInfer<P>, PayloadOf<TM, K>>> {
    const list = topicList(topics);
    const catchUp = catchUpLimit(options);
    const problem = topicProblem(list) ?? (typeof catchUp === 'string' ? { reason: catchUp } : undefined);
    // Every topic is a valid string unless there is a problem; then the handle names only the strings.
    const names = list.filter((topic): topic is string => typeof topic === 'string');
    const subscription = new Subscription(
      names,
      handler,
      {
        release: (s) => this.topicSync.release(s),
        report: (error) => this.emit('error', error),
        presence: (topic) => this.presenceOf(topic),
      },
      wantsPresence(options),
    );
    if (problem) {
      const error = new FiretowerError('invalid', problem.reason, problem.topic === undefined ? {} : { topic: problem.topic });
      // After the caller has had the chance to listen for it.
      queueMicrotask(() => {
        subscription.fail(error);
        this.emit('error', error);
      });
      return subscription;
    }
    this.topicSync.add(subscription, catchUp as number | undefined);
    return subscription;
  }

  /**
   * Publishes to a topic. Resolves when the server accepted the message; rejects with a
   * `FiretowerError` (`refused`, `invalid`, `too_large`, `rate_limited`, `timeout`, `closed`,
   * `queue_full`). Made while disconnected, it waits in the offline queue. Servers take client
   * publishes only when they allow them (`publish: 'allow'` or `canPublish`); otherwise it
   * rejects with `refused` and `serverCode` `publish_not_allowed`.
   */
  publish<P = never, K extends TopicOf<TM> = TopicOf<TM>>(
    topic: K,
    data: Chosen<NoInfer<P>, PayloadOf<TM, K>>,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    return this.publisher.publish(topic, data, options);
  }

  // -- connection lifecycle ----------------------------------------------------------------

  /** One connection attempt: the `params` (the connect timeout covers a slow provider), then the socket. */
  private openSocket(): void {
    const id = ++this.connectionId;
    this.setTimer('connect', this.options.connectionTimeoutMs, () =>
      this.teardown({ code: LocalCloseCode.ConnectTimeout, reason: 'connect timeout', local: true, final: false }),
    );
    withParams(
      this.options.params,
      (params) => {
        if (id === this.connectionId) this.guarded(() => this.createSocket(id, params));
      },
      (thrown) => {
        if (id !== this.connectionId) return;
        this.guarded(() => {
          this.emit('error', callbackError('params', thrown));
          this.teardown({ code: ReportedCloseCode.Abnormal, reason: 'params failed', local: true, final: false });
        });
      },
    );
  }

  private createSocket(id: number, params: ConnectParams): void {
    let socket: WebSocketLike;
    try {
      // connect() checked that there is one; a global removed since fails here, like any constructor.
      const url = connectionUrl(this.url, { ...params, clientId: this.clientId });
      socket = new (findWebSocket(this.options.WebSocket) as WebSocketConstructor)(url);
    } catch (error) {
      this.log('socket failed', error);
      this.teardown({ code: ReportedCloseCode.Abnormal, reason: describeThrown(error), local: false, final: false });
      return;
    }
    this.socket = socket;
    // Each callback is one guarded entry point: nothing thrown in it reaches the socket's code.
    socket.onopen = () => {
      if (id === this.connectionId) this.guarded(() => this.opened());
    };
    socket.onmessage = (event) => {
      if (id !== this.connectionId) return;
      this.guarded(() => {
        const text = messageText(event.data);
        if (text !== undefined) this.receive(text);
      });
    };
    socket.onclose = (event) => {
      if (id === this.connectionId) this.guarded(() => this.closedByPeer(event.code, event.reason));
    };
    socket.onerror = (event) => {
      // A close always follows; the teardown happens there.
      if (id === this.connectionId) this.log('socket error', event);
    };
  }

  private opened(): void {
    this.timers.clear('connect');
    this.lastFrameAt = monotonicNow();
    this.armWatchdog(this.options.heartbeatTimeoutMs);
    this.setTimer('stable', this.options.minUptimeMs, () => {
      this.attempt = 0;
      this.authRetried = false;
    });
    const reconnected = this.openedBefore;
    this.openedBefore = true;
    // Topics first: publishes made from an 'open' or 'state' listener queue behind them.
    this.topicSync.opened();
    this.setState('open');
    this.publisher.flush();
    if (this.is('open')) this.emit('open', { clientId: this.clientId, reconnected });
  }

  /**
   * A 4500 (credentials refused) is retried once with what the `params` provider gives next (a
   * token can expire between the provider's answer and the server's check); every other
   * 4500–4999, and a second 4500, is final.
   */
  private closedByPeer(code: number, reason: string): void {
    const retryAuth = code === CloseCode.Unauthorized && typeof this.options.params === 'function' && !this.authRetried;
    if (retryAuth) this.authRetried = true;
    const final = (isTerminalCloseCode(code) && !retryAuth) || !this.askShouldReconnect(code, reason);
    const retryAfterMs = code === CloseCode.ServerShutdown ? parseRetryAfter(reason) : undefined;
    this.teardown({ code, reason, local: false, final, retryAfterMs });
  }

  /** The one way a connection ends: every timer, socket and pending operation is settled here. */
  private teardown(cause: Teardown): void {
    const previous = this.current;
    const socket = this.socket;
    this.socket = undefined;
    this.connectionId++;
    this.timers.clearAll();
    if (socket) {
      detach(socket);
      if (cause.local) {
        closeSocket(socket, cause.code, cause.reason, (error) => this.log('close failed', error));
      }
    }
    this.topicSync.dropped();
    this.requests.dropped();
    this.publisher.dropped(cause.code);
    if (cause.final) this.finish(cause);
    else this.scheduleReconnect(cause, previous);
  }

  /** Goes to `closed`; a server's refusal (4500–4999: unauthorized, forbidden, kicked) is also an `error` event with its reason. */
  private finish(cause: Teardown): void {
    const refused = !cause.local && isTerminalCloseCode(cause.code);
    const details = refused ? { closeCode: cause.code, reason: cause.reason } : { closeCode: cause.code };
    const error = new FiretowerError('closed', `the client closed: ${cause.reason || cause.code}`, details);
    this.publisher.rejectAll(error);
    this.topicSync.abandon(error);
    this.stopWatchingEnvironment?.();
    this.stopWatchingEnvironment = undefined;
    this.setState('closed');
    this.emit('close', { code: cause.code, reason: cause.reason, willReconnect: false });
    if (refused) this.emit('error', error);
  }

  private scheduleReconnect(cause: Teardown, previous: FiretowerState): void {
    this.attempt++;
    if (this.attempt > this.options.maxAttempts) {
      this.finish({ ...cause, reason: `gave up after ${this.options.maxAttempts} attempts (${cause.reason})` });
      return;
    }
    const { environment, reconnectDelayMinMs, reconnectDelayMaxMs, hiddenRetryDelayMs } = this.options;
    const hinted = cause.retryAfterMs !== undefined;
    let delayMs = hinted
      ? retryAfterDelay(cause.retryAfterMs ?? 0, this.attempt - 1, reconnectDelayMinMs, reconnectDelayMaxMs)
      : backoff(this.attempt - 1, reconnectDelayMinMs, reconnectDelayMaxMs);
    let why: ReconnectingEvent['cause'] = hinted ? 'retry-after' : 'backoff';
    if (!environment.isVisible() && delayMs < hiddenRetryDelayMs) {
      delayMs = hiddenRetryDelayMs;
      why = 'hidden';
    }
    // Offline: no timer at all; the 'online' event starts the next attempt.
    const online = environment.isOnline();
    if (online) this.setTimer('retry', delayMs, () => this.openSocket());
    this.setState('reconnecting');
    if (previous === 'open') this.emit('close', { code: cause.code, reason: cause.reason, willReconnect: true });
    if (online && this.timers.has('retry')) this.emit('reconnecting', { attempt: this.attempt, delayMs, cause: why });
  }

  private watchEnvironment(): void {
    this.stopWatchingEnvironment ??= this.options.environment.watch((change) => this.guarded(() => this.environmentChanged(change)));
  }

  private environmentChanged(change: EnvironmentChange): void {
    if (change === 'offline') {
      if (this.socket || this.timers.has('connect')) this.teardown({ code: LocalCloseCode.Offline, reason: 'offline', local: true, final: false });
      else this.timers.clear('retry');
    } else if ((change === 'online' || change === 'visible') && this.waiting()) {
      this.timers.clear('retry');
      this.emit('reconnecting', { attempt: this.attempt, delayMs: 0, cause: change });
      this.openSocket();
    }
  }

  /** Reconnects when no frame (heartbeats included) arrived for `heartbeatTimeoutMs`. */
  private armWatchdog(delayMs: number): void {
    const timeout = this.options.heartbeatTimeoutMs;
    if (timeout <= 0) return;
    // One timer per window instead of one reset per frame: it re-arms for the time left.
    this.setTimer('watchdog', delayMs, () => {
      const silentFor = monotonicNow() - this.lastFrameAt;
      if (silentFor < timeout) this.armWatchdog(timeout - silentFor);
      else this.teardown({ code: LocalCloseCode.HeartbeatTimeout, reason: `no frame for ${Math.round(silentFor)} ms`, local: true, final: false });
    });
  }

  // -- frames ------------------------------------------------------------------------------

  private receive(text: string): void {
    this.lastFrameAt = monotonicNow();
    const frame = decodeServerFrame(text);
    if (!frame) {
      this.log('ignored an unknown frame', text.slice(0, 200));
      return;
    }
    switch (frame.type) {
      case 'heartbeat':
        return;
      case 'publish': {
        const message: TopicMessage = { topic: frame.topic, data: frame.data, ...frame.position };
        if (this.topicSync.deliver(message, frame.position)) this.emit('message', message);
        return;
      }
      case 'ack': {
        const { id } = frame;
        if (!this.topicSync.acknowledged(id, frame.refused, frame.streams) && !this.requests.answer(id, frame))
          this.publisher.acknowledged(id, frame.duplicate);
        return;
      }
      case 'error': {
        const error = serverError(frame.code, frame.message, frame.topic);
        const { id } = frame;
        if (id !== undefined) {
          if (this.topicSync.failed(id, error) || this.publisher.failed(id, error) || this.requests.answer(id, undefined, error)) return;
        }
        this.emit('error', error);
        return;
      }
      case 'session':
        this.expiresIn(frame.expiresInMs);
        return;
      case 'join':
      case 'leave':
        for (const subscriber of this.topicSync.registry.holdersOf(frame.topic)) subscriber.presenceEvent(frame.type, frame.member, frame.topic);
        return;
    }
  }

  /** Sends a frame that waits for an answer; false (and no answer) when there is no open socket. */
  private request(frame: object, answer: Answer): boolean {
    const id = this.nextId();
    const sent = this.sendFrame(JSON.stringify({ ...frame, id }));
    if (sent) this.requests.set(id, answer);
    return sent;
  }

  private presenceOf(topic: string): Promise<PresenceList> {
    return new Promise((resolve, reject) => {
      const sent = this.request({ type: 'presence', topic }, (ack, error) => {
        if (ack?.presence) resolve(ack.presence);
        else reject(error ?? new FiretowerError(ack ? 'invalid' : 'closed', 'no presence list', { topic }));
      });
      if (!sent) reject(new FiretowerError('closed', 'no presence list: not connected', { topic }));
    });
  }

  /**
   * The credentials expire in `expiresInMs` (a `session` frame, a refresh ack; undefined: they no
   * longer do). With a `params` provider, a refresh goes out at `refreshDelay`; a refused one is
   * reported and the server's 4005 at expiry brings a reconnect with fresh params.
   */
  private expiresIn(expiresInMs: number | undefined): void {
    const provider = this.options.params;
    if (expiresInMs === undefined || typeof provider !== 'function') return this.timers.clear('refresh');
    this.setTimer('refresh', refreshDelay(expiresInMs), () => {
      const id = this.connectionId;
      withParams(
        provider,
        (credentials) => {
          if (id === this.connectionId)
            this.request({ type: 'refresh', credentials }, (ack, error) => (ack ? this.expiresIn(ack.expiresInMs) : error && this.emit('error', error)));
        },
        (thrown) => {
          if (id === this.connectionId) this.emit('error', callbackError('params', thrown));
        },
      );
    });
  }

  private sendFrame(text: string): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    try {
      socket.send(text);
      return true;
    } catch (error) {
      // The socket is going down; its close event brings the teardown and the resend.
      this.log('send failed', error);
      return false;
    }
  }

  // -- isolation ---------------------------------------------------------------------------

  /** A listener threw: reported as an `error` event (code `callback`); an `error` listener's own exception only goes to `logger` (reporting it again could loop). */
  protected listenerThrew(event: string, thrown: unknown, topic: string | undefined): void {
    if (event === 'error') this.log('error listener threw', thrown);
    else this.emit('error', callbackError(`'${event}' listener`, thrown, topic));
  }

  /**
   * Runs one inbound path (a socket callback, a timer, an environment change). App code is
   * isolated where it is called, so an exception here is a client bug: it is reported, and the
   * client starts over on a fresh connection rather than carry on in a state nobody can vouch for.
   */
  private guarded(run: () => void): void {
    try {
      run();
    } catch (thrown) {
      this.emit('error', new FiretowerError('internal', `client bug: ${describeThrown(thrown)}`, { cause: thrown }));
      try {
        if (this.socket) this.teardown({ code: LocalCloseCode.InternalError, reason: 'client error', local: true, final: false });
      } catch {
        // Already reported; nothing more may escape into the socket's code.
      }
    }
  }

  private setTimer(name: TimerName, ms: number, run: () => void): void {
    this.timers.set(name, ms, () => this.guarded(run));
  }

  /** The app's `shouldReconnect`; one that throws is reported and the client reconnects, as it would without it. */
  private askShouldReconnect(code: number, reason: string): boolean {
    try {
      return !!this.options.shouldReconnect({ code, reason });
    } catch (thrown) {
      this.emit('error', callbackError('shouldReconnect', thrown));
      return true;
    }
  }

  // -- helpers -----------------------------------------------------------------------------

  private nextId(): string {
    return `${this.idPrefix}.${++this.frameCount}`;
  }

  /** Reconnecting, between attempts (no socket opening, no `params` provider pending). */
  private waiting(): boolean {
    return this.is('reconnecting') && !this.timers.has('connect');
  }

  /** State checks through a method, so TypeScript does not narrow `current` across listener calls that may change it. */
  private is(state: FiretowerState): boolean {
    return this.current === state;
  }

  private setState(next: FiretowerState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.log(`state ${previous} -> ${next}`);
    this.emit('state', { previous, current: next });
  }

  private log(message: string, ...details: unknown[]): void {
    try {
      this.options.logger(message, ...details);
    } catch {
      // A diagnostics sink that throws must not take the client down with it.
    }
  }
}
