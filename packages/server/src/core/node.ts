import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import createDebug from 'debug';
import type { WebSocket } from 'ws';
import {
  CloseCode,
  decodeClientFrame,
  formatRetryAfter,
  truncateCloseReason,
  UpgradeRefusalCode,
  type DecodeResult,
  type PresenceList,
} from '@firetower/protocol';
import type { Broker, BrokerMessage, BrokerNode, ControlCommand } from '../broker/types.js';
import { applyControl } from './control.js';
import { Publishing } from './publishing.js';
import { DirectMessages } from './direct.js';
import { NodePresence } from '../presence/node-presence.js';
import { newClientId } from './client-id.js';
import { CountChangeNotifier, type CountListener } from './counts.js';
import { DedupeWindow } from './dedupe.js';
import { FiretowerServerError, FiretowerRefusal, toError } from '../errors.js';
import { handleFrame } from './handlers.js';
import type { HookName, TowerHost } from './host.js';
import { Hub } from './hub.js';
import { resolveOptions, type ResolvedOptions } from '../options.js';
import { isPromiseLike } from './settle.js';
import { closeInBatches, resolveShutdown } from './shutdown.js';
import { StatsRecorder } from './stats.js';
import { TowerImpl } from './tower.js';
import { FdLimitWatch } from './fd-limit.js';
import { ServerErrorReports } from './server-errors.js';
import { wireSocket } from './socket-events.js';
import { HeartbeatSweep } from './heartbeat.js';
import type { FiretowerOptions, HistoryOptions, HistoryPage, PublishOptions, PublishResult, ShutdownOptions, SlowConsumerEvent } from '../types.js';
import { readHistory } from '../history/read.js';
import { queryParam, refusal, verifyUpgrade, type UpgradeVerdict } from '../http/upgrade.js';

const debug = createDebug('firetower:node');

/** `starting`: the broker is starting (upgrades wait for it). */
export type NodeState = 'starting' | 'running' | 'closing' | 'closed';

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function noop(): void {}

const SHUTTING_DOWN = Object.freeze(refusal(UpgradeRefusalCode.ShuttingDown, 'the server is shutting down'));
const BROKER_UNAVAILABLE = Object.freeze(refusal(UpgradeRefusalCode.BrokerUnavailable, 'the broker is not available'));

/** The `presence` and `history` options need a broker that has them: refused at construction. */
function requireBrokerFeatures(options: { presence: unknown; history: unknown }, broker: Broker): void {
  if (options.presence !== undefined && (broker.updatePresence === undefined || broker.presence === undefined)) {
    throw new FiretowerServerError('no_presence', `option presence needs a broker with presence; the ${broker.kind} broker has none`);
  }
  if (options.history !== undefined && broker.history === undefined) {
    throw new FiretowerServerError('no_history', `option history needs a broker that keeps history; the ${broker.kind} broker has no history()`);
  }
}

/**
 * One firetower node: the connections of this process, the local topic index, the broker link,
 * stats, heartbeat and shutdown. Express-free; the middleware adapts it to express-ws.
 */
export class FiretowerNode<AppData = Record<string, unknown>> implements TowerHost<AppData> {
  readonly nodeId = `node-${randomBytes(6).toString('base64url')}`;
  readonly options: ResolvedOptions<AppData>;
  readonly broker: Broker;
  readonly hub: Hub<TowerImpl<AppData>>;
  readonly stats = new StatsRecorder();
  readonly dedupe: DedupeWindow;
  private state: NodeState = 'starting';
  private readonly counts: CountChangeNotifier;
  private readonly ready: Promise<boolean>;
  private readonly pendingAuth = new WeakMap<IncomingMessage, UpgradeVerdict<AppData> & { ok: true }>();
  /** Connections not yet through their close hooks (shutdown waits for these); a count, not a Set: one entry less per connection. */
  private liveCount = 0;
  private liveDrained: (() => void) | undefined;
  private heartbeat: HeartbeatSweep<TowerImpl<AppData>> | undefined;
  /** Made when the node starts: reads the descriptor limit once. */
  private readonly fdLimit = new FdLimitWatch();
  private readonly serverErrors = new ServerErrorReports();
  private closing: Promise<void> | undefined;
  /** Server-side and client publishes into the broker. */
  private readonly publishing: Publishing;
  /** `sendTo` / `sendToUser` across the cluster. */
  readonly direct: DirectMessages;
  /** Presence, when the option is set: this node's members and the events to its subscribers. */
  readonly presence: NodePresence<TowerImpl<AppData>> | undefined;

  constructor(options: FiretowerOptions<AppData> = {}) {
    this.options = resolveOptions(options);
    this.broker = this.options.broker;
    requireBrokerFeatures(this.options, this.broker);
    this.dedupe = new DedupeWindow(this.options.dedupeWindowMs);
    this.publishing = new Publishing({
      options: this.options,
      broker: this.broker,
      dedupe: this.dedupe,
      stats: this.stats,
      isClosed: () => this.state === 'closed',
      serialise: (data) => this.serialise(data),
      reportError: (error) => this.reportError(error),
    });
    this.direct = new DirectMessages({
      nodeId: this.nodeId,
      broker: this.broker,
      maxTopicLength: this.options.limits.maxTopicLength,
      serialise: (data) => this.serialise(data),
      connection: (clientId) => this.hub.get(clientId),
      connectionsOf: (userId) => this.hub.ofUser(userId),
      reportError: (error) => this.reportError(error),
    });
    this.counts = new CountChangeNotifier(
      this.options.countDebounceMs,
      { read: (topic) => this.broker.count(topic), readAll: () => this.broker.topics() },
      this.options.hooks.onCountChange,
      (call) => void this.callHook('onCountChange', undefined, call),
      (error) => this.reportError(error),
    );
    this.presence = this.options.presence === undefined ? undefined : this.startPresence();
    this.hub = new Hub(
      this.options.rawDelivery,
      (changes) => {
        try {
          this.broker.updateLocalCounts(changes);
        } catch (error) {
          this.reportError(error);
        }
        this.counts.markDirty(changes.map((change) => change.topic));
      },
      this.presence?.membershipChanged,
    );
    this.ready = this.broker.start(this.brokerNode()).then(
      () => {
        if (this.state === 'starting') this.state = 'running';
        return true;
      },
      (error: unknown) => {
        this.reportError(new FiretowerServerError('broker_failed', `broker ${this.broker.kind} failed to start`, { cause: error }));
        return false;
      },
    );
    this.heartbeat = this.startHeartbeat();
  }

  /** One sweep over every connection per interval, in slices (none when the interval is 0). */
  private startHeartbeat(): HeartbeatSweep<TowerImpl<AppData>> | undefined {
    const interval = this.options.heartbeatIntervalMs;
    if (interval <= 0) return undefined;
    const sweep = new HeartbeatSweep(
      interval,
      () => this.hub.members(),
      () => this.hub.connections,
      (tower) => tower.heartbeat(),
    );
    sweep.start();
    return sweep;
  }

  get nodeState(): NodeState {
    return this.state;
  }

  // --- upgrade and connection -------------------------------------------------------------------

  /**
   * verifyClient: origin, authenticate; the accepted result waits for the connection in a WeakMap.
   * Synchronous while the broker is up and there is no authenticate hook (the common case), so an
   * upgrade leaves no promises behind.
   */
  verify(request: IncomingMessage, origin: string | undefined): UpgradeVerdict<AppData> | Promise<UpgradeVerdict<AppData>> {
    if (this.state === 'closing' || this.state === 'closed') return SHUTTING_DOWN;
    if (this.state === 'starting') return this.ready.then((ok) => (ok ? this.verify(request, origin) : BROKER_UNAVAILABLE));
    const verdict = verifyUpgrade(this.options, this.stats, request, origin, (error) => this.reportError(error));
    return isPromiseLike(verdict) ? verdict.then((settled) => this.admit(request, settled)) : this.admit(request, verdict);
  }

  private admit(request: IncomingMessage, verdict: UpgradeVerdict<AppData>): UpgradeVerdict<AppData> {
    if (verdict.ok) this.pendingAuth.set(request, verdict);
    return verdict;
  }

  /** A verified WebSocket was upgraded: make it a Tower (synchronously, before any frame is read). */
  accept(ws: WebSocket, request: IncomingMessage): void {
    const verdict = this.pendingAuth.get(request);
    this.pendingAuth.delete(request);
    if (ws.readyState !== ws.OPEN) return;
    if (verdict === undefined) {
      ws.close(CloseCode.Unauthorized, 'upgrade was not verified');
      return;
    }
    if (verdict.closeWith !== undefined) {
      ws.close(verdict.closeWith.code, truncateCloseReason(verdict.closeWith.reason));
      return;
    }
    const auth = verdict.accept;
    if (this.state === 'closing' || this.state === 'closed') {
      ws.close(CloseCode.ServerShutdown, formatRetryAfter(Math.random() * 5_000));
      return;
    }
    const requested = queryParam(request, 'clientId');
    const valid = requested !== null && CLIENT_ID.test(requested);
    const clientId = valid && !this.hub.hasClientId(requested) ? requested : newClientId();
    const kept = { url: request.url ?? '/', remoteAddress: request.socket.remoteAddress };
    const tower = new TowerImpl<AppData>(this, ws, kept, {
      clientId,
      dedupeId: valid ? requested : clientId,
      userId: auth.userId,
      data: auth.data,
      expiresAt: auth.expiresAt,
      presenceInfo: this.presence?.infoOf(auth.presence, clientId),
    });
    this.liveCount++;
    const nearLimit = this.fdLimit.check(this.liveCount);
    if (nearLimit !== undefined) this.reportError(new FiretowerServerError('fd_limit', nearLimit));
    this.hub.add(tower);
    wireSocket(ws, tower);
    debug('%s connected (user %s)', clientId, auth.userId);
    tower.start();
  }

  // --- TowerHost --------------------------------------------------------------------------------

  decode(text: string): DecodeResult {
    return decodeClientFrame(text, this.options.limits);
  }

  handleFrame(tower: TowerImpl<AppData>, frame: DecodeResult): void | PromiseLike<void> {
    return handleFrame(this, tower, frame);
  }

  callHook(name: HookName, tower: TowerImpl<AppData> | undefined, run: () => unknown, onFailure?: (error: unknown) => void): void | PromiseLike<void> {
    const fail = (error: unknown): void => {
      onFailure?.(error);
      if (!(error instanceof FiretowerRefusal))
        this.reportError(new FiretowerServerError('hook_failed', `${name} threw: ${toError(error).message}`, { cause: error }), tower);
    };
    let result: unknown;
    try {
      result = run();
    } catch (error) {
      fail(error);
      return;
    }
    if (isPromiseLike(result)) return Promise.resolve(result).then(noop, fail);
  }

  /** An error of the HTTP server this node serves on: reported, rate-limited (ServerErrorReports). */
  serverError(error: Error): void {
    const report = this.serverErrors.next(error);
    if (report !== undefined) this.reportError(report);
  }

  reportError(error: unknown, tower?: TowerImpl<AppData>, from?: string): void {
    const err = toError(error);
    const source = from ?? (err instanceof FiretowerServerError ? err.code : 'error');
    this.stats.error(source, err.message, tower ? { clientId: tower.clientId } : undefined);
    const onError = this.options.hooks.onError;
    if (!onError) {
      debug('error%s: %s', tower ? ` on ${tower.clientId}` : '', err.stack ?? err.message);
      return;
    }
    try {
      onError(err, tower);
    } catch (hookError) {
      debug('onError threw: %o', hookError);
    }
  }

  slowConsumer(tower: TowerImpl<AppData>, event: SlowConsumerEvent): void {
    const what =
      event.policy === 'close'
        ? 'closed a slow consumer'
        : `dropped ${event.droppedFrames} frames (${event.policy}; ${event.totalDropped} since its socket backed up)`;
    this.stats.drop('slow_consumer', event.droppedFrames, what, { clientId: tower.clientId });
    const hook = this.options.hooks.onSlowConsumer;
    if (hook) this.callHook('onSlowConsumer', tower, () => hook(tower, event));
  }

  serialise(data: unknown): string {
    let json: string | undefined;
    try {
      json = JSON.stringify(data);
    } catch (error) {
      throw new FiretowerServerError('invalid_data', `data is not serialisable as JSON: ${toError(error).message}`, { cause: error });
    }
    return json === undefined ? 'null' : json;
  }

  publish(topic: string, data: unknown, options?: PublishOptions): Promise<PublishResult> {
    return this.publishing.publish(topic, data, options);
  }

  claimKey(key: string): Promise<boolean> | undefined {
    return this.publishing.claimKey(key);
  }

  publishJson(topic: string, json: string, exclude: string | undefined, idempotencyKey: string | undefined): 'duplicate' | Promise<void> {
    return this.publishing.publishJson(topic, json, exclude, idempotencyKey);
  }

  /** `ft.history`: the topic's kept publications, parsed, and its position. */
  history(topic: string, options?: HistoryOptions): Promise<HistoryPage> {
    return readHistory(this.broker, this.options.history, this.options.limits.maxTopicLength, topic, options);
  }

  /** `ft.onCountChange`: the same debounced cluster-wide changes the onCountChange hook gets. */
  onCountChange(listener: CountListener): () => void {
    return this.counts.listen(listener);
  }

  towerClosing(tower: TowerImpl<AppData>): void {
    debug('%s closing', tower.clientId);
  }

  towerClosed(_tower: TowerImpl<AppData>): void {
    this.liveCount--;
    this.fdLimit.check(this.liveCount);
    if (this.liveCount === 0) this.liveDrained?.();
  }

  // --- BrokerNode -------------------------------------------------------------------------------

  private brokerNode(): BrokerNode {
    return {
      nodeId: this.nodeId,
      dedupeWindowMs: this.options.dedupeWindowMs,
      deliver: (message) => this.deliver(message),
      control: (command) => this.control(command),
      localCounts: () => this.hub.localCounts(),
      countsChanged: (topics) => this.counts.markDirty(topics),
      presenceChanged: (change) => this.presence?.events.apply(change),
      localPresence: () => this.presence?.local.all() ?? [],
      reportError: (error) => this.reportError(error, undefined, 'broker_failed'),
    };
  }

  private deliver(message: BrokerMessage): void {
    try {
      const result = this.hub.fanout(message);
      this.stats.messagesOutTotal += result.frames;
      this.stats.bytesOutTotal += result.bytes;
    } catch (error) {
      this.reportError(error);
    }
  }

  private control(command: ControlCommand): void {
    try {
      applyControl(command, this.hub, this.direct);
    } catch (error) {
      this.reportError(error);
    }
  }

  private startPresence(): NodePresence<TowerImpl<AppData>> {
    return new NodePresence<TowerImpl<AppData>>({
      lookup: this.options.presence!,
      broker: this.broker,
      subscribersOf: (topic) => this.hub.subscribersOf(topic),
      reportError: (error) => this.reportError(error),
    });
  }

  /** `ft.presence`: a topic's members, cluster-wide. */
  presenceOf(topic: string): Promise<PresenceList> {
    if (this.presence === undefined) return Promise.reject(new FiretowerServerError('no_presence', 'this server has no presence topics'));
    return this.presence.list(topic);
  }

  // --- shutdown ---------------------------------------------------------------------------------

  close(options?: ShutdownOptions): Promise<void> {
    this.closing ??= this.shutdown(options);
    return this.closing;
  }

  private async shutdown(options?: ShutdownOptions): Promise<void> {
    this.state = 'closing';
    this.heartbeat?.stop();
    await closeInBatches([...this.hub.members()], resolveShutdown(options));
    if (this.liveCount > 0) await new Promise<void>((resolve) => (this.liveDrained = resolve));
    this.counts.stop();
    this.dedupe.close();
    this.direct.close();
    this.presence?.events.close();
    try {
      if (await this.ready) await this.broker.close();
    } catch (error) {
      this.reportError(new FiretowerServerError('broker_failed', 'broker close failed', { cause: error }));
    }
    this.state = 'closed';
  }
}
