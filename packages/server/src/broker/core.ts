/**
 * The cluster-broker core: what every broker needs whatever its link (memory bus, topic-service
 * HTTP, Redis pub/sub), after socket.io-adapter's `ClusterAdapter`. A broker composes one
 * `ClusterCore` and gives it a `ClusterTransport`; the core owns
 *
 * - the lifecycle: one state vocabulary (`BrokerState`) and one `setState` that logs and emits
 *   each transition, plus coded lifecycle errors (`BrokerLifecycleError`);
 * - local-first delivery: a publish or a command reaches this node's own subscribers at the call,
 *   before (and whether or not) the link takes it, so one publisher's order holds and local
 *   delivery survives an outage;
 * - the outage buffer: entries wait in call order while the link is down, bounded, refused with a
 *   `BrokerOverflowError` when full, and handed to the transport when the link is back;
 * - the local-count fallback for `count()` / `topics()` while the link is down;
 * - `status()`'s shared fields, and the link problem reported once per change.
 *
 * Composed rather than inherited: the backends differ in where they keep outgoing work (Redis
 * hands it to its connection at once, the topic service batches it with sequences for replay),
 * and memory's publish must stay synchronous; an object with a small surface keeps each backend's
 * own machinery private instead of spreading it over protected members of a base class.
 */
import createDebug from 'debug';
import { BrokerOverflowError, type BrokerMessage, type BrokerNode, type BrokerStatus, type ControlCommand, type TopicCount } from './types.js';
import { BrokerLifecycleError } from './errors.js';
import { OutageBuffer } from './outage-buffer.js';

/**
 * `new`: not started; `starting`: (re)joining the cluster (publishes buffer); `connected`: the
 * link works; `degraded`: joined, but the link is down (local delivery goes on, publishes
 * buffer); `closing`: leaving; `closed`.
 */
export type BrokerState = 'new' | 'starting' | 'connected' | 'degraded' | 'closing' | 'closed';

/** What a broker can promise, declared so callers need not guess from its `kind`. */
export interface BrokerCapabilities {
  /**
   * Every node hears (through `BrokerNode.countsChanged`) of every count change in the cluster,
   * not only of topics it has local subscribers of. A watcher of counts then needs no re-read.
   */
  readonly reportsEveryCountChange: boolean;
}

/** A transition, as `onState` listeners get it. */
export interface BrokerStateChange {
  oldState: BrokerState;
  newState: BrokerState;
}

/** A persistent link problem, as `status().error` shows it. */
export interface BrokerProblem {
  code: string;
  message: string;
  /** `Date.now()` when it started. */
  since: number;
}

/** What a backend supplies: how an entry goes over its link. */
export interface ClusterTransport<Entry> {
  /** Turn a publish into what the link sends (done once, at the call). */
  encodePublish(message: BrokerMessage, node: BrokerNode): Entry;
  /** Turn a command into what the link sends. */
  encodeControl(command: ControlCommand, node: BrokerNode): Entry;
  /** Hand an entry to the link (called in call order; the link is up, or queues itself). */
  send(entry: Entry): void;
  /**
   * Entries the transport itself holds (a transport that queues and batches its own work while
   * down, e.g. for replay). With it the core's outage buffer is not used: the core refuses a
   * publish once this reaches `maxBufferedPublishes`.
   */
  pending?(): number;
  /** The size of an entry for the buffer's byte bound. @default 0 */
  sizeOf?(entry: Entry): number;
}

export interface ClusterCoreOptions {
  /** The broker's kind, for logs and status. */
  kind: string;
  /** The debug namespace. @default `firetower:broker:<kind>` */
  debugNamespace?: string;
  /** Publishes held while the link is down before a publish is refused. @default Infinity */
  maxBufferedPublishes?: number;
  /** Bytes (`sizeOf`) held while the link is down. @default Infinity */
  maxBufferedBytes?: number;
  /** The app's own problem hook (else the node's `reportError`, else a process warning). */
  onError?: (error: Error & { code: string }) => void;
  /**
   * The link assigns history offsets and delivers every history publish (`message.history`) back
   * to this node too, with its position: the core then skips local-first delivery for those, so
   * this node's subscribers see one stream in offset order. (Memory assigns the position before
   * the core sees the publish, and leaves this off.)
   */
  historyFromLink?: boolean;
}

type StateListener = (change: BrokerStateChange) => void;

const RESOLVED: Promise<void> = Promise.resolve();

export class ClusterCore<Entry = unknown> {
  readonly kind: string;
  private current: BrokerState = 'new';
  private attached: BrokerNode | undefined;
  private readonly listeners = new Set<StateListener>();
  private readonly buffer: OutageBuffer<Entry>;
  private readonly maxBuffered: number;
  private dropped = 0;
  private currentProblem: BrokerProblem | undefined;
  private readonly debug: createDebug.Debugger;
  private readonly onError: ClusterCoreOptions['onError'];
  private readonly historyFromLink: boolean;

  constructor(
    private readonly transport: ClusterTransport<Entry>,
    options: ClusterCoreOptions,
  ) {
    this.kind = options.kind;
    this.debug = createDebug(options.debugNamespace ?? `firetower:broker:${options.kind}`);
    this.maxBuffered = options.maxBufferedPublishes ?? Number.POSITIVE_INFINITY;
    this.buffer = new OutageBuffer(this.maxBuffered, options.maxBufferedBytes ?? Number.POSITIVE_INFINITY);
    this.onError = options.onError;
    this.historyFromLink = options.historyFromLink === true;
  }

  get state(): BrokerState {
    return this.current;
  }

  /** The node, once started. */
  get node(): BrokerNode | undefined {
    return this.attached;
  }

  /** Is the broker between start and close (any link state)? */
  isRunning(): boolean {
    const state = this.current;
    return state === 'starting' || state === 'connected' || state === 'degraded';
  }

  isClosed(): boolean {
    return this.current === 'closing' || this.current === 'closed';
  }

  /** Move to `next`; logs and tells listeners. False when already there. */
  setState(next: BrokerState): boolean {
    const oldState = this.current;
    if (next === oldState) return false;
    this.debug('%s %s -> %s', this.attached?.nodeId ?? '', oldState, next);
    this.current = next;
    for (const listener of [...this.listeners]) {
      try {
        listener({ oldState, newState: next });
      } catch (error) {
        this.debug('a state listener threw: %O', error);
      }
    }
    if (next === 'connected' && this.buffer.size > 0) this.flush();
    return true;
  }

  /** Listen to transitions; returns the unsubscribe function. */
  onState(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `start()`: bind the node once, and enter `starting`. */
  attach(node: BrokerNode): BrokerNode {
    if (this.current !== 'new') {
      throw this.isClosed()
        ? this.lifecycleError('broker_closed', 'start')
        : new BrokerLifecycleError('broker_already_started', `${this.kind} broker: start() may be called once`);
    }
    this.attached = node;
    this.setState('starting');
    return node;
  }

  /** The node, or a coded error naming `operation` when the broker is not running. */
  running(operation: string): BrokerNode {
    const node = this.attached;
    if (node === undefined || !this.isRunning()) throw this.lifecycleError(this.current === 'new' ? 'broker_not_started' : 'broker_closed', operation);
    return node;
  }

  lifecycleError(code: 'broker_not_started' | 'broker_closed', operation: string): BrokerLifecycleError {
    const why = code === 'broker_not_started' ? 'is not started' : `is ${this.current}`;
    return new BrokerLifecycleError(code, `${operation}: the ${this.kind} broker ${why}`);
  }

  // ---- local-first delivery and the outage buffer ----

  /**
   * Deliver to this node's subscribers, then send (link up, or a self-queueing transport) or
   * buffer. Rejects with a `BrokerOverflowError` (nothing delivered) when the buffer is full.
   * Synchronous up to the returned promise, so one caller's order holds.
   */
  publish(message: BrokerMessage): Promise<void> {
    let node: BrokerNode;
    try {
      node = this.running('publish');
    } catch (error) {
      return Promise.reject(error);
    }
    const entry = this.transport.encodePublish(message, node);
    if (!this.admit(entry)) {
      return Promise.reject(new BrokerOverflowError(`${this.kind} broker buffer is full (${this.pendingPublishes()} publishes held while the link is down)`));
    }
    if (message.history === undefined || !this.historyFromLink) node.deliver(message);
    this.forward(entry);
    return RESOLVED;
  }

  /** Apply a command locally, then send or buffer it for the other nodes. */
  control(command: ControlCommand): Promise<void> {
    let node: BrokerNode;
    try {
      node = this.running('control');
    } catch (error) {
      return Promise.reject(error);
    }
    const entry = this.transport.encodeControl(command, node);
    // A self-queueing transport never refuses a command; the outage buffer bounds them with publishes.
    if (this.transport.pending === undefined && !this.admit(entry)) {
      return Promise.reject(new BrokerOverflowError(`${this.kind} broker buffer is full (${this.pendingPublishes()} entries held while the link is down)`));
    }
    node.control(command);
    this.forward(entry);
    return RESOLVED;
  }

  /** Publishes waiting for the link (the core's buffer or the transport's own queue). */
  pendingPublishes(): number {
    return this.transport.pending ? this.transport.pending() : this.buffer.size;
  }

  /** Publishes dropped (refused when the buffer was full, or given up by the transport). */
  get droppedPublishes(): number {
    return this.dropped;
  }

  /** Count publishes the transport gave up on (e.g. a batch the far side will never take). */
  countDropped(n: number): void {
    this.dropped += n;
  }

  /** Take what the outage buffer holds (close drops it); returns how many entries there were. */
  dropBuffered(): number {
    return this.buffer.drain().length;
  }

  private sendsNow(): boolean {
    return this.current === 'connected' || this.transport.pending !== undefined;
  }

  private admit(entry: Entry): boolean {
    if (this.transport.pending !== undefined) {
      if (this.transport.pending() < this.maxBuffered) return true;
    } else if (this.current === 'connected' || this.buffer.offer(entry, this.transport.sizeOf?.(entry) ?? 0)) {
      return true;
    }
    this.dropped += 1;
    return false;
  }

  private forward(entry: Entry): void {
    // Buffered by admit() while the link is down; sent now otherwise.
    if (this.sendsNow()) this.transport.send(entry);
  }

  private flush(): void {
    const entries = this.buffer.drain();
    this.debug('%s flushing %d buffered entries', this.attached?.nodeId ?? '', entries.length);
    for (const entry of entries) this.transport.send(entry);
  }

  // ---- reads while the link is down ----

  /** This node's own count of a topic (the fallback while the link is down). */
  localCount(topic: string): number {
    return this.attached?.localCounts().find((entry) => entry.topic === topic)?.count ?? 0;
  }

  /** This node's own topics, the largest first (the fallback while the link is down). */
  localTopics(): TopicCount[] {
    const result: TopicCount[] = [];
    for (const entry of this.attached?.localCounts() ?? []) if (entry.count > 0) result.push({ topic: entry.topic, count: entry.count });
    return sortTopics(result);
  }

  // ---- status and problems ----

  /** The shared fields of `status()`; `connected` defaults to the state. */
  status(connected = this.current === 'connected'): BrokerStatus {
    const status: BrokerStatus = { kind: this.kind, connected, pendingPublishes: this.pendingPublishes(), droppedPublishes: this.dropped };
    if (this.currentProblem) status.error = { ...this.currentProblem };
    return status;
  }

  /** The link's current persistent problem, if any. */
  get problem(): BrokerProblem | undefined {
    return this.currentProblem;
  }

  /**
   * A problem retrying will not fix soon: shown in `status().error` until cleared, reported once
   * (when it appears or its code changes) to the app's hook, else the node's `reportError`, else
   * as a process warning.
   */
  raiseProblem(error: Error & { code: string }): void {
    if (this.currentProblem?.code === error.code) return;
    this.currentProblem = { code: error.code, message: error.message, since: Date.now() };
    this.debug('%s link problem (%s): %s', this.attached?.nodeId ?? '', error.code, error.message);
    const node = this.attached;
    try {
      if (this.onError) this.onError(error);
      else if (node?.reportError) node.reportError(error);
      else
        process.emitWarning(`firetower ${this.kind} broker: ${error.message}`, {
          type: 'FiretowerWarning',
          code: `${this.kind.replace(/-/g, '_').toUpperCase()}_${error.code.toUpperCase()}`,
        });
    } catch (hookError) {
      this.debug('onError threw: %O', hookError);
    }
  }

  /** The link works again. */
  clearProblem(): void {
    this.currentProblem = undefined;
  }
}

/** Largest count first, then by topic. */
export function sortTopics(topics: TopicCount[]): TopicCount[] {
  return topics.sort((a, b) => b.count - a.count || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}
