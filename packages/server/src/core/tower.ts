import createDebug from 'debug';
import {
  checkTopic,
  CloseCode,
  encodeDelivery,
  encodeError,
  encodeSession,
  ErrorCode,
  HEARTBEAT,
  ReportedCloseCode,
  truncateCloseReason,
  type DecodeResult,
  type ErrorFrame,
  type StreamPosition,
} from '@firetower/protocol';
import { FiretowerServerError, FiretowerRefusal, toError } from '../errors.js';
import { SerialQueue, type InboundEvents } from './inbound.js';
import { Outbox, type Frame, type OutboxEvents, type WritableSocket } from '../transport/send-queue.js';
import { TokenBucket } from './rate-limit.js';
import { ReplyOrder } from './reply-order.js';
import { ExpiryTimer } from './expiry.js';
import { HeldDeliveries } from '../history/held.js';
import { bytesReadOf } from '../transport/writer.js';
import { andThen } from './settle.js';
import type { HubMember } from './hub.js';
import type { TowerHost } from './host.js';
import type { IncomingPublish, PublishOptions, PublishResult, Tower, TowerState, UpgradeRequest } from '../types.js';

const debug = createDebug('firetower:tower');

/** The socket a tower drives: the part of a ws WebSocket it needs (STYLE 13: ws stays at the edge). */
export interface TowerSocket extends WritableSocket {
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
  pause(): void;
  resume(): void;
}

/** How the connection should be ended by teardown. */
type EndAction = 'close' | 'terminate' | 'none';

/** One item of the inbound queue: a decoded client frame or hooks of a server-side change. */
export type InboundItem = { kind: 'frame'; frame: DecodeResult } | { kind: 'task'; run: () => void | PromiseLike<void> };

/** A closed socket that never finishes the close handshake is destroyed after this. */
const CLOSE_GRACE_MS = 5_000;
const MISSED_PONGS_ALLOWED = 2;

export interface TowerInit<AppData> {
  clientId: string;
  /** The client's own id (`?clientId=`), used for idempotency keys even when clientId had to change. */
  dedupeId: string;
  userId: string | undefined;
  /** From the authenticate hook; a fresh `{}` is made on first use when absent. */
  data: AppData | undefined;
  /** From the authenticate hook: when the credentials expire (ms since the epoch). */
  expiresAt?: number | undefined;
  /** From the authenticate hook: what the connection shows as a member (JSON text). */
  presenceInfo?: string;
}

export function toTopicList(topics: string | string[]): string[] {
  const list = typeof topics === 'string' ? topics.split(',') : topics;
  for (const topic of list) {
    const check = checkTopic(topic, Number.MAX_SAFE_INTEGER);
    if (!check.ok) throw new FiretowerServerError('invalid_topic', `invalid topic ${JSON.stringify(topic)}: ${check.reason}`);
  }
  return list;
}

/** One WebSocket connection: its topics, hook context, inbound queue, outbox and heartbeat. */
export class TowerImpl<AppData = Record<string, unknown>> implements Tower<AppData>, HubMember, OutboxEvents, InboundEvents<InboundItem> {
  readonly clientId: string;
  readonly dedupeId: string;
  readonly userId: string | undefined;
  private appData: AppData | undefined;
  readonly topicSet = new Set<string>();
  readonly connectedAt = Date.now();
  private _state: TowerState = 'open';
  private closeInfo: { code: number; reason: string } | undefined;
  private missedPongs = 0;
  /** Bytes read from the socket at the last ping; -1 before the first (see heartbeat()). */
  private bytesReadAtPing = -1;
  private readTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  /** Closes the connection when its credentials expire (see `renewExpiry`). */
  private readonly expiry: ExpiryTimer;
  private readonly initialExpiry: number | undefined;
  private readonly outbox: Outbox;
  private readonly inbound: SerialQueue<InboundItem>;
  private readonly bucket: TokenBucket;
  /** Made on the first publish whose reply waits for the broker. */
  private replyOrder: ReplyOrder | undefined;
  /** The member this connection is on presence topics: its user, else itself. */
  readonly memberId: string;
  /** What it shows as a member (JSON text; `null` when nothing). */
  readonly presenceInfo: string;
  /** Topics whose join/leave events this connection asked for; undefined when none. */
  presenceEvents: Set<string> | undefined = undefined;
  /** Topics whose live deliveries wait for a history replay (see `hold`); undefined when none. */
  held: HeldDeliveries | undefined = undefined;

  constructor(
    private readonly host: TowerHost<AppData>,
    private readonly socket: TowerSocket,
    readonly request: UpgradeRequest,
    init: TowerInit<AppData>,
  ) {
    this.clientId = init.clientId;
    this.dedupeId = init.dedupeId;
    this.userId = init.userId;
    this.appData = init.data;
    this.initialExpiry = init.expiresAt;
    // Anonymous members are named apart, so a chosen `?clientId=` can never pose as a user.
    this.memberId = init.userId ?? `client:${init.clientId}`;
    this.presenceInfo = init.presenceInfo ?? 'null';
    this.expiry = new ExpiryTimer(
      () => this.teardown(CloseCode.AuthExpired, 'credentials expired', 'close'),
      (error) => this.crashed(error),
    );
    const options = host.options;
    this.bucket = new TokenBucket(options.limits.maxMessagesPerSecond);
    this.outbox = new Outbox(socket, options.outbox, this);
    this.inbound = new SerialQueue<InboundItem>(options.maxInboundQueue, this);
  }

  // --- OutboxEvents / InboundEvents (internal; the Tower is its own listener) ---------------------

  /** @internal */
  outboxDropped(droppedFrames: number, queuedBytes: number, totalDropped: number): void {
    this.host.slowConsumer(this, { policy: this.host.options.outbox.policy, queuedBytes, droppedFrames, totalDropped });
  }

  /** @internal */
  outboxOverflow(queuedBytes: number): void {
    this.host.slowConsumer(this, { policy: 'close', queuedBytes, droppedFrames: 0, totalDropped: 0 });
    this.teardown(CloseCode.SlowConsumer, 'slow consumer', 'close');
  }

  /** @internal */
  runInbound(item: InboundItem): void | PromiseLike<void> {
    return item.kind === 'frame' ? this.host.handleFrame(this, item.frame) : item.run();
  }

  /** @internal A step escaped its own error handling: a bug, isolated to this connection. */
  inboundFailed(error: unknown): void {
    this.crashed(error);
  }

  /**
   * The last guard of every path from this connection's socket into the server (frames, the
   * inbound queue, close, pong, heartbeat): an unexpected exception is reported with this
   * connection's id and closes this connection alone with 1011; the process and every other
   * connection carry on.
   */
  private crashed(error: unknown): void {
    try {
      this.host.reportError(
        new FiretowerServerError('internal', `unexpected error on connection ${this.clientId}: ${toError(error).message}`, { cause: error }),
        this,
      );
    } finally {
      this.teardown(CloseCode.InternalError, 'internal error', 'close');
    }
  }

  /** Made on first use when authenticate gave none: most connections never touch it. */
  get data(): AppData {
    return (this.appData ??= {} as AppData);
  }

  set data(value: AppData) {
    this.appData = value;
  }

  get state(): TowerState {
    return this._state;
  }

  get topics(): ReadonlySet<string> {
    return this.topicSet;
  }

  // --- socket events (wired by the middleware) -------------------------------------------------

  /** Tell the client when its credentials expire, then run onConnect before any frame of this connection is handled. */
  start(): void {
    if (this.initialExpiry !== undefined) {
      const expiresInMs = this.renewExpiry(this.initialExpiry);
      if (expiresInMs !== undefined && this._state === 'open') this.writeOwn(encodeSession(expiresInMs));
    }
    const onConnect = this.host.options.hooks.onConnect;
    if (!onConnect) return;
    this.inbound.push({
      kind: 'task',
      run: () =>
        this.host.callHook(
          'onConnect',
          this,
          () => onConnect(this),
          (error) => {
            if (error instanceof FiretowerRefusal) this.teardown(CloseCode.Unauthorized, error.message, 'close');
            else this.teardown(CloseCode.ServerClosed, 'internal error', 'close');
          },
        ),
    });
  }

  receive(data: Buffer, isBinary: boolean): void {
    try {
      this.receiveFrame(data, isBinary);
    } catch (error) {
      this.crashed(error);
    }
  }

  private receiveFrame(data: Buffer, isBinary: boolean): void {
    if (this._state !== 'open') return;
    const { stats, options } = this.host;
    stats.messagesInTotal++;
    this.missedPongs = 0;
    if (isBinary) {
      stats.refusal('limits', 'binary frame', { clientId: this.clientId });
      this.teardown(CloseCode.PolicyViolation, 'binary frames are not supported', 'close');
      return;
    }
    if (data.length > options.limits.maxFrameBytes) {
      stats.refusal('limits', `frame of ${data.length} bytes`, { clientId: this.clientId });
      this.teardown(CloseCode.MessageTooBig, 'frame too large', 'close');
      return;
    }
    const verdict = this.bucket.take();
    if (verdict !== 'ok') return this.rateLimited(verdict, data);
    const text = data.toString();
    if (text === HEARTBEAT) return;
    this.inbound.push({ kind: 'frame', frame: this.host.decode(text) });
  }

  pong(): void {
    this.missedPongs = 0;
  }

  socketClosed(code: number, reason: string): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = undefined;
    try {
      this.teardown(code, reason, 'none');
    } catch (error) {
      this.host.reportError(new FiretowerServerError('internal', `unexpected error closing ${this.clientId}`, { cause: error }), this);
    }
  }

  /** One heartbeat tick: drop a half-open connection, else ping and send the `heartbeat` text frame. */
  heartbeat(): void {
    try {
      this.beat();
    } catch (error) {
      this.crashed(error);
    }
  }

  private beat(): void {
    if (this._state !== 'open') return;
    // Anything received since the last ping (its pong, or any frame) shows the peer is there.
    // Where the socket's byte count is unavailable, the node listens for 'pong' instead.
    const read = bytesReadOf(this.socket);
    if (read !== undefined) {
      if (read !== this.bytesReadAtPing) this.missedPongs = 0;
      this.bytesReadAtPing = read;
    }
    if (this.missedPongs >= MISSED_PONGS_ALLOWED) {
      debug('%s missed %d pongs: terminating', this.clientId, this.missedPongs);
      this.teardown(ReportedCloseCode.Abnormal, 'heartbeat timeout', 'terminate');
      return;
    }
    this.missedPongs++;
    try {
      this.socket.ping();
    } catch (error) {
      debug('%s ping failed: %o', this.clientId, error);
    }
    this.write(HEARTBEAT);
  }

  // --- writing ----------------------------------------------------------------------------------

  /** Write a frame shared by many sockets (fan-out). False when dropped or closing. */
  write(frame: Frame): boolean {
    if (this._state !== 'open') return false;
    return this.outbox.write(frame);
  }

  /** Write a frame meant for this connection only (ack, error, ToSelf), counting it in stats. */
  private writeOwn(text: string): boolean {
    if (!this.write(text)) return false;
    this.host.stats.messagesOutTotal++;
    this.host.stats.bytesOutTotal += Buffer.byteLength(text);
    return true;
  }

  /** A reply to one of this connection's frames: after the replies to its earlier frames. */
  reply(text: string): void {
    const order = this.replyOrder;
    if (order === undefined || order.idle) this.writeOwn(text);
    else order.push(text);
  }

  /** Like `reply`, for work that writes several frames in a reply's place (a history replay). */
  replyWith(write: () => void): void {
    const order = this.replyOrder;
    if (order === undefined || order.idle) write();
    else
      order.push(() => {
        try {
          write();
        } catch (error) {
          this.crashed(error);
        }
      });
  }

  /** Write a frame of this connection's own (a replayed publication), counted in stats. */
  writeText(text: string): boolean {
    return this.writeOwn(text);
  }

  // --- credentials expiry ----------------------------------------------------------------------

  /**
   * Arm (or with `undefined` disarm) the expiry: when `expiresAt` passes the connection is closed
   * with 4005 (`AuthExpired`) so the client reconnects with fresh credentials. Returns the ms
   * left, or undefined when the credentials do not expire.
   */
  renewExpiry(expiresAt: number | undefined): number | undefined {
    return this._state === 'open' ? this.expiry.renew(expiresAt) : undefined;
  }

  // --- held topics: live deliveries wait while a history replay is prepared --------------------

  /**
   * Hold live deliveries of these topics (the hub hands them to `holdFrame`) until `release`: the
   * subscriber is live first, then its history is read, so nothing published meanwhile is missed.
   */
  hold(topics: readonly string[]): void {
    (this.held ??= new HeldDeliveries(this.host.options.outbox.maxQueueBytes)).hold(topics);
  }

  /** @internal From the hub: a live delivery of a held topic. */
  holdFrame(topic: string, frame: Frame, position: StreamPosition | undefined): boolean {
    const held = this.held;
    if (held === undefined) return this.write(frame);
    let written = false;
    held.add(topic, frame, position, (live) => void (written = this.write(live)));
    if (held.size === 0) this.held = undefined;
    return written;
  }

  /**
   * Stop holding `topic` and write what was held, except publications at or before `through` (the
   * replay already carried them).
   */
  release(topic: string, through: StreamPosition | undefined): void {
    const held = this.held;
    if (held === undefined) return;
    held.release(topic, through, (frame) => void this.write(frame));
    if (held.size === 0) this.held = undefined;
  }

  /**
   * Reserve this frame's place among the replies when its answer comes later (a publish waits for
   * the broker): replies to later frames wait behind it. Call the result once, with the reply or
   * `null` when there is none.
   */
  deferReply(): (text: string | null) => void {
    const order = (this.replyOrder ??= new ReplyOrder((text) => void this.writeOwn(text)));
    const ticket = order.reserve();
    return (text) => {
      try {
        order.fill(ticket, text);
      } catch (error) {
        this.crashed(error);
      }
    };
  }

  fail(error: ErrorFrame): void {
    this.reply(encodeError(error));
  }

  /** Queue server-side work behind the frames already received, so hooks keep their order. */
  enqueue(run: () => void | PromiseLike<void>): void {
    if (this._state === 'closed') return;
    this.inbound.push({ kind: 'task', run });
  }

  // --- the public Tower API ---------------------------------------------------------------------

  send(topic: string, data: unknown): boolean {
    const json = this.host.serialise(data);
    toTopicList([topic]);
    return this.sendJson(topic, json);
  }

  /** `send` with data already JSON text and a checked topic (a direct message from another node). */
  sendJson(topic: string, json: string): boolean {
    return this.writeOwn(this.host.options.rawDelivery ? json : encodeDelivery(topic, json));
  }

  publish(topic: string, data: unknown, options?: PublishOptions): Promise<PublishResult> {
    return this.host.publish(topic, data, options);
  }

  subscribe(topics: string | string[]): void {
    const list = toTopicList(topics);
    if (this._state !== 'open') return;
    // The same bound as a client's subscribe: the server may not grow a connection past it either.
    const max = this.host.options.limits.maxTopicsPerConnection;
    const fresh = new Set(list.filter((topic) => !this.topicSet.has(topic))).size;
    if (this.topicSet.size + fresh > max) {
      throw new FiretowerServerError(
        'too_many_topics',
        `subscribing ${this.clientId} to ${fresh} more topics would pass limits.maxTopicsPerConnection (${max})`,
      );
    }
    const added = this.host.hub.subscribe(this, list);
    const onSubscribe = this.host.options.hooks.onSubscribe;
    if (added.length > 0 && onSubscribe) this.enqueue(() => this.host.callHook('onSubscribe', this, () => onSubscribe(this, added)));
  }

  unsubscribe(topics: string | string[]): void {
    const list = toTopicList(topics);
    if (this._state !== 'open') return;
    this.removeByServer(list);
  }

  /** Server-side removal (unsubscribe, unsubscribeUser, removeTopic): onUnsubscribe('server'), then onSystemRemove per topic. */
  removeByServer(topics: readonly string[]): void {
    const removed = this.host.hub.unsubscribe(this, topics);
    if (removed.length === 0) return;
    const { onUnsubscribe, onSystemRemove } = this.host.options.hooks;
    this.enqueue(() => {
      const first = onUnsubscribe ? this.host.callHook('onUnsubscribe', this, () => onUnsubscribe(this, removed, 'server')) : undefined;
      if (!onSystemRemove) return first;
      return removed.reduce<void | PromiseLike<void>>(
        (previous, topic) => andThen(previous, () => this.host.callHook('onSystemRemove', this, () => onSystemRemove(this, topic))),
        first,
      );
    });
  }

  close(code: number = CloseCode.ServerClosed, reason = ''): void {
    this.teardown(code, reason, 'close');
  }

  // --- internals --------------------------------------------------------------------------------

  private rateLimited(verdict: 'warn' | 'drop' | 'close', data: Buffer): void {
    const { stats } = this.host;
    if (verdict === 'close') {
      stats.refusal('rate', 'closed: inbound rate limit exceeded for too long', { clientId: this.clientId });
      this.teardown(CloseCode.RateLimited, 'rate limited', 'close');
      return;
    }
    if (verdict === 'warn') stats.refusal('rate', 'inbound rate limit reached', { clientId: this.clientId });
    else stats.refusalsTotal.rate++;
    // A dropped frame that carried an id gets its own error, so the client can fail that publish
    // at once instead of waiting for its ack timeout; frames without an id are told only once.
    const id = frameId(data);
    if (verdict === 'warn' || id !== undefined) {
      const error: ErrorFrame = { type: 'error', code: ErrorCode.RateLimited, message: 'too many frames: slow down' };
      if (id !== undefined) error.id = id;
      this.fail(error);
    }
  }

  /** @internal The inbound queue is full: stop reading (TCP pushes back) and start the read timer. */
  inboundFull(): void {
    this.socket.pause();
    const timeoutMs = this.host.options.readTimeoutMs;
    this.readTimer = setTimeout(() => this.readTimedOut(), timeoutMs);
  }

  /** @internal */
  inboundRelieved(): void {
    if (this.readTimer) clearTimeout(this.readTimer);
    this.readTimer = undefined;
    if (this._state === 'open') this.socket.resume();
  }

  private readTimedOut(): void {
    this.readTimer = undefined;
    if (this._state !== 'open') return;
    const pending: IncomingPublish[] = [];
    for (const item of this.inbound.pending()) {
      if (item.kind !== 'frame' || !item.frame.ok || item.frame.frame.type !== 'publish') continue;
      const { topic, data, id, excludeSelf } = item.frame.frame;
      pending.push({ topic, data, id, excludeSelf: excludeSelf === true });
    }
    this.host.stats.error('onReadTimeout', `inbound queue full for ${this.host.options.readTimeoutMs} ms`, { clientId: this.clientId });
    const onReadTimeout = this.host.options.hooks.onReadTimeout;
    if (onReadTimeout) this.host.callHook('onReadTimeout', this, () => onReadTimeout(this, pending));
    this.teardown(CloseCode.ReadTimeout, 'read timeout', 'close');
  }

  /** The one way a connection ends, whatever the cause. */
  private teardown(code: number, reason: string, action: EndAction): void {
    if (this._state !== 'open') return;
    this.setState('closing');
    this.closeInfo = { code, reason };
    if (this.readTimer) clearTimeout(this.readTimer);
    this.readTimer = undefined;
    this.expiry.stop();
    this.inbound.clear();
    this.outbox.close();
    if (action === 'close') this.closeSocket(code, reason);
    else if (action === 'terminate') this.socket.terminate();
    const topics = this.host.hub.remove(this);
    this.host.towerClosing(this);
    this.inbound.push({ kind: 'task', run: () => this.runCloseHooks(topics) });
  }

  private closeSocket(code: number, reason: string): void {
    try {
      this.socket.resume();
      this.socket.close(code, truncateCloseReason(reason));
    } catch (error) {
      debug('%s close failed, terminating: %o', this.clientId, error);
      this.socket.terminate();
      return;
    }
    this.killTimer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    this.killTimer.unref();
  }

  private runCloseHooks(topics: string[]): void | PromiseLike<void> {
    const { onUnsubscribe, onOffline } = this.host.options.hooks;
    const info = { ...(this.closeInfo ?? { code: ReportedCloseCode.NoStatus, reason: '' }) };
    const unsubscribed =
      onUnsubscribe && topics.length > 0 ? this.host.callHook('onUnsubscribe', this, () => onUnsubscribe(this, topics, 'closed')) : undefined;
    return andThen(
      andThen(unsubscribed, () => (onOffline ? this.host.callHook('onOffline', this, () => onOffline(this, info)) : undefined)),
      () => {
        this.setState('closed');
        this.host.towerClosed(this);
      },
    );
  }

  private setState(next: TowerState): void {
    debug('%s %s -> %s', this.clientId, this._state, next);
    this._state = next;
  }
}

/** The `id` of a client frame, if it has a valid one; never throws. */
function frameId(data: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data.toString());
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const id = (parsed as { id?: unknown }).id;
    return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
  } catch {
    return undefined;
  }
}
