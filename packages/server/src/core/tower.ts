import createDebug from 'debug';
import {
  CloseCode,
  encodeDelivery,
  encodeError,
  encodeSession,
  HEARTBEAT,
  ReportedCloseCode,
  type DecodeResult,
  type ErrorFrame,
  type StreamPosition,
} from '@firetower/protocol';
import { FiretowerServerError, toError } from '../errors.js';
import { SerialQueue, type InboundEvents } from './inbound.js';
import { Outbox, type Frame, type OutboxEvents } from '../transport/send-queue.js';
import { TokenBucket } from './rate-limit.js';
import type { ReplyOrder } from './reply-order.js';
import { deferReplyInOrder, replyInOrder, replyWithInOrder } from './replies.js';
import { ExpiryTimer } from './expiry.js';
import type { HeldDeliveries } from '../history/held.js';
import { andThen } from './settle.js';
import { admitFrame } from './frame-limits.js';
import { closedHooks, onConnectStep, readTimedOutHook } from './lifecycle-hooks.js';
import { removeByServer, subscribeByServer, toTopicList } from './server-subscriptions.js';
import { deliverHeld, holdTopics, releaseHeld } from './held-topics.js';
import { beat, heardFrom } from './liveness.js';
import { endSocket, type EndAction, type TowerSocket } from './tower-socket.js';
import type { HubMember } from './hub.js';
import type { TowerHost } from './host.js';
import type { PublishOptions, PublishResult, Tower, TowerState, UpgradeRequest } from '../types.js';

const debug = createDebug('firetower:tower');

/** One item of the inbound queue: a decoded client frame or hooks of a server-side change. */
export type InboundItem = { kind: 'frame'; frame: DecodeResult } | { kind: 'task'; run: () => void | PromiseLike<void> };

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
  /** @internal Pings in a row the peer has not answered (liveness.ts). */
  missedPongs = 0;
  /** @internal Bytes read from the socket at the last ping; -1 before the first (liveness.ts). */
  bytesReadAtPing = -1;
  private readTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  /** Closes the connection when its credentials expire (see `renewExpiry`). */
  private readonly expiry: ExpiryTimer;
  private readonly initialExpiry: number | undefined;
  private readonly outbox: Outbox;
  private readonly inbound: SerialQueue<InboundItem>;
  private readonly bucket: TokenBucket;
  /** @internal Made on the first reply that comes later (see replies.ts). */
  replyOrder: ReplyOrder | undefined;
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
   * connection carry on. @internal
   */
  crashed(error: unknown): void {
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
      if (expiresInMs !== undefined && this._state === 'open') this.writeText(encodeSession(expiresInMs));
    }
    const run = onConnectStep(this.host, this);
    if (run) this.inbound.push({ kind: 'task', run });
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
    this.host.stats.messagesInTotal++;
    heardFrom(this);
    if (!admitFrame(this.host, this, this.bucket, data, isBinary)) return;
    const text = data.toString();
    if (text === HEARTBEAT) return;
    this.inbound.push({ kind: 'frame', frame: this.host.decode(text) });
  }

  pong(): void {
    heardFrom(this);
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
    if (beat(this, this.socket, this.clientId)) this.write(HEARTBEAT);
    else this.teardown(ReportedCloseCode.Abnormal, 'heartbeat timeout', 'terminate');
  }

  // --- writing ----------------------------------------------------------------------------------

  /** Write a frame shared by many sockets (fan-out). False when dropped or closing. */
  write(frame: Frame): boolean {
    if (this._state !== 'open') return false;
    return this.outbox.write(frame);
  }

  /** Write a frame meant for this connection only (ack, error, ToSelf, a replayed publication), counting it in stats. */
  writeText(text: string): boolean {
    if (!this.write(text)) return false;
    this.host.stats.messagesOutTotal++;
    this.host.stats.bytesOutTotal += Buffer.byteLength(text);
    return true;
  }

  /** A reply to one of this connection's frames: after the replies to its earlier frames. */
  reply(text: string): void {
    replyInOrder(this, text);
  }

  /** Like `reply`, for work that writes several frames in a reply's place (a history replay). */
  replyWith(write: () => void): void {
    replyWithInOrder(this, write);
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
    holdTopics(this, topics, this.host.options.outbox.maxQueueBytes);
  }

  /** @internal From the hub: a live delivery of a held topic. */
  holdFrame(topic: string, frame: Frame, position: StreamPosition | undefined): boolean {
    return deliverHeld(this, topic, frame, position);
  }

  /**
   * Stop holding `topic` and write what was held, except publications at or before `through` (the
   * replay already carried them).
   */
  release(topic: string, through: StreamPosition | undefined): void {
    releaseHeld(this, topic, through);
  }

  /**
   * Reserve this frame's place among the replies when its answer comes later (a publish waits for
   * the broker): replies to later frames wait behind it. Call the result once, with the reply or
   * `null` when there is none.
   */
  deferReply(): (text: string | null) => void {
    return deferReplyInOrder(this);
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
    return this.writeText(this.host.options.rawDelivery ? json : encodeDelivery(topic, json));
  }

  publish(topic: string, data: unknown, options?: PublishOptions): Promise<PublishResult> {
    return this.host.publish(topic, data, options);
  }

  subscribe(topics: string | string[]): void {
    const list = toTopicList(topics);
    if (this._state === 'open') subscribeByServer(this.host, this, list);
  }

  unsubscribe(topics: string | string[]): void {
    const list = toTopicList(topics);
    if (this._state === 'open') this.removeByServer(list);
  }

  /** Server-side removal (unsubscribe, unsubscribeUser, removeTopic): onUnsubscribe('server'), then onSystemRemove per topic. */
  removeByServer(topics: readonly string[]): void {
    removeByServer(this.host, this, topics);
  }

  close(code: number = CloseCode.ServerClosed, reason = ''): void {
    this.teardown(code, reason, 'close');
  }

  // --- internals --------------------------------------------------------------------------------

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
    readTimedOutHook(this.host, this, this.inbound.pending());
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
    this.killTimer = endSocket(this.socket, action, code, reason, this.clientId);
    const topics = this.host.hub.remove(this);
    this.host.towerClosing(this);
    this.inbound.push({ kind: 'task', run: () => this.runCloseHooks(topics) });
  }

  private runCloseHooks(topics: string[]): void | PromiseLike<void> {
    const info = { ...(this.closeInfo ?? { code: ReportedCloseCode.NoStatus, reason: '' }) };
    return andThen(closedHooks(this.host, this, topics, info), () => {
      this.setState('closed');
      this.host.towerClosed(this);
    });
  }

  private setState(next: TowerState): void {
    debug('%s %s -> %s', this.clientId, this._state, next);
    this._state = next;
  }
}
