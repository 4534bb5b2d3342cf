import { CloseCode, isTerminalCloseCode, LocalCloseCode } from '@firetower/protocol';
import { backoff, retryAfterDelay } from './backoff.js';
import { callbackError, describeThrown, IsolatedEmitter } from './callbacks.js';
import { peerTeardown, type Teardown } from './connection-end.js';
import { createConnection, type Connection, type ConnectionLink } from './connection.js';
import type { EnvironmentChange } from './environment.js';
import { FiretowerError } from './errors.js';
import type { FiretowerEvents, FiretowerState, ReconnectingEvent, StateChange, SubscribedEvent } from './events.js';
import { routeFrame } from './frame-routing.js';
import { log, resolveOptions, type FiretowerOptions, type ResolvedOptions } from './options.js';
import type { PublishResult } from './publish-queue.js';
import { Publisher, type PublishOptions } from './publisher.js';
import { decodeServerFrame } from './server-frames.js';
import { cannotConnect, checkUrl, randomId } from './socket.js';
import { Requests } from './requests.js';
import { catchUpLimit, wantsPresence, type SubscribeOptions } from './subscribe-options.js';
import { Subscription, type SubscriptionLink, type TopicSubscriber } from './subscription.js';
import { Timers } from './timers.js';
import { closeCodeFor, closeReasonFor } from './close-frame.js';
import { TopicSync } from './topic-sync.js';
import { topicList, topicProblem } from './topic-args.js';
import type { AnyTopics, Chosen, MessageHandler, PayloadOf, TopicOf } from './topics.js';

type TimerName = 'connect' | 'watchdog' | 'stable' | 'retry';

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
  // the browser bundle, whose size is budgeted (< 10 KB gzip; test/browser-bundle.test.ts). With no
  // field initializer left in the client, the bundle needs no define helper at all.
  declare readonly url: string;
  /** Sent as `?clientId=` on every connection; the server dedupes publishes on `clientId:id`. */
  declare readonly clientId: string;
  declare private readonly options: ResolvedOptions;
  declare private current: FiretowerState;
  /** The current attempt and its socket; undefined between attempts. */
  declare private connection: Connection | undefined;
  /** Frame ids are unique per instance even when the app reuses a clientId across page loads. */
  declare private readonly idPrefix: string;
  declare private frameCount: number;
  /** Consecutive reconnect attempts since the last stable connection. */
  declare private attempt: number;
  declare private openedBefore: boolean;
  /** A 4500 made the client ask its `params` provider once more; reset by a stable connection and by `connect()`. */
  declare private authRetried: boolean | undefined;
  declare private readonly timers: Timers<TimerName>;
  declare private readonly publisher: Publisher;
  declare private readonly topicSync: TopicSync;
  /** Presence queries and credential refreshes waiting for the server. */
  declare private readonly requests: Requests;
  declare private readonly link: SubscriptionLink & ConnectionLink;
  declare private stopWatchingEnvironment: (() => void) | undefined;

  constructor(url: string, options: FiretowerOptions = {}) {
    super();
    this.current = 'idle';
    this.idPrefix = randomId().slice(0, 8);
    this.frameCount = 0;
    this.attempt = 0;
    this.openedBefore = false;
    this.timers = new Timers((run) => this.guarded(run));
    this.options = resolveOptions(options);
    this.clientId = this.options.clientId;
    // Throws now, not on some later reconnect, when the URL can never work. Nothing else here
    // needs a browser: during server-side rendering the client is built and stays idle.
    checkUrl(url);
    this.url = url;
    // One link for every part (topic sync, publisher, requests, subscriptions, connections): each reads what its own interface names.
    const link = {
      send: (text: string) => !!this.connection?.send(text),
      nextId: () => this.nextId(),
      report: (error: FiretowerError) => this.emit('error', error),
      guarded: (run: () => void) => this.guarded(run),
      synced: () => this.publisher.flush(),
      subscribed: (event: SubscribedEvent) => this.emit('subscribed', event),
      canSend: () => this.is('open') && !this.topicSync.syncing,
      isClosed: () => this.is('closed'),
      release: (subscriber: TopicSubscriber) => this.topicSync.release(subscriber),
      presence: (topic: string) => this.requests.presence(topic),
      timers: this.timers,
      opened: () => this.opened(),
      receive: (text: string) => this.receive(text),
      closedByPeer: (code: number, reason: string) => this.closedByPeer(code, reason),
      teardown: (cause: Teardown) => this.teardown(cause),
    };
    this.link = link;
    this.topicSync = new TopicSync(link, this.options);
    this.publisher = new Publisher(link, this.options);
    this.requests = new Requests(link, this.options);
    if (this.options.autoConnect) {
      const reason = cannotConnect(url, this.options.WebSocket);
      if (reason === undefined) this.connect();
      else log(this.options, reason);
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
    const subscription = new Subscription(names, handler, this.link, wantsPresence(options));
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

  /** One connection attempt (connection.ts): the `params`, then the socket. */
  private openSocket(): void {
    const connection = createConnection(this.link, this.options);
    this.connection = connection;
    connection.open(this.url);
  }

  private opened(): void {
    this.timers.clear('connect');
    this.timers.set('stable', this.options.minUptimeMs, () => {
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
    this.teardown(peerTeardown(code, reason, retryAuth, this.options, this.link));
  }

  /** The one way a connection ends: every timer, socket and pending operation is settled here. */
  private teardown(cause: Teardown): void {
    const previous = this.current;
    const connection = this.connection;
    this.connection = undefined;
    this.timers.clearAll();
    connection?.end(cause);
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
    if (online) this.timers.set('retry', delayMs, () => this.openSocket());
    this.setState('reconnecting');
    if (previous === 'open') this.emit('close', { code: cause.code, reason: cause.reason, willReconnect: true });
    if (online && this.timers.has('retry')) this.emit('reconnecting', { attempt: this.attempt, delayMs, cause: why });
  }

  private watchEnvironment(): void {
    this.stopWatchingEnvironment ??= this.options.environment.watch((change) => this.guarded(() => this.environmentChanged(change)));
  }

  private environmentChanged(change: EnvironmentChange): void {
    if (change === 'offline') {
      if (this.connection?.socket() || this.timers.has('connect'))
        this.teardown({ code: LocalCloseCode.Offline, reason: 'offline', local: true, final: false });
      else this.timers.clear('retry');
    } else if ((change === 'online' || change === 'visible') && this.waiting()) {
      this.timers.clear('retry');
      this.emit('reconnecting', { attempt: this.attempt, delayMs: 0, cause: change });
      this.openSocket();
    }
  }

  // -- frames ------------------------------------------------------------------------------

  private receive(text: string): void {
    const frame = decodeServerFrame(text);
    if (!frame) {
      log(this.options, 'ignored an unknown frame', text.slice(0, 200));
      return;
    }
    routeFrame(frame, this.topicSync, this.publisher, this.requests, this);
  }

  // -- isolation ---------------------------------------------------------------------------

  /** A listener threw: reported as an `error` event (code `callback`); an `error` listener's own exception only goes to `logger` (reporting it again could loop). */
  protected listenerThrew(event: string, thrown: unknown, topic: string | undefined): void {
    if (event === 'error') log(this.options, 'error listener threw', thrown);
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
        if (this.connection?.socket()) this.teardown({ code: LocalCloseCode.InternalError, reason: 'client error', local: true, final: false });
      } catch {
        // Already reported; nothing more may escape into the socket's code.
      }
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
    log(this.options, `state ${previous} -> ${next}`);
    this.emit('state', { previous, current: next });
  }
}
