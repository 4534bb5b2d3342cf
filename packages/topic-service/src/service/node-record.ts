import { createHash } from 'node:crypto';
import { monotonicNow } from '../clock.js';
import { Outbox } from './outbox.js';

/** Where a held poll's answer goes; the HTTP layer implements it over one response. */
export interface PollSink {
  /** Answer the poll (status 200 with a JSON body, or an error). Called at most once. */
  answer(status: number, json: string): void;
}

/** A held long-poll: its sink and the timer that answers it empty when `wait` runs out. */
export interface HeldPoll {
  sink: PollSink;
  timer: NodeJS.Timeout;
}

/**
 * The service's view of one registered node. `poll` is the state machine: `idle` (no request
 * held, the lease runs from `lastSeen`) or `held` (a long-poll is waiting; the node is alive).
 */
export class NodeRecord {
  readonly outbox: Outbox;
  /** This node's local counts (the registry holds the same numbers indexed by topic). */
  readonly topics = new Map<string, number>();
  /** Topics this node has whose cluster-wide count changed since its last poll response. */
  readonly countHints = new Set<string>();
  /** Wall-clock time of registration, for people (`GET /v1/nodes`). */
  readonly registeredAt = Date.now();
  /** Monotonic ms of the last poll's end: the lease is a duration, never measured on the wall clock. */
  lastSeen = monotonicNow();
  /** Entries queued for this node since it registered (messages and commands). */
  received = 0;
  poll: { state: 'idle' } | { state: 'held'; held: HeldPoll } = { state: 'idle' };
  /**
   * This node's broker speaks presence (it sent a presence request): only such nodes are sent
   * presence changes, so a broker older than presence never sees an entry it cannot read.
   */
  presence = false;
  /** The (topic, member) pairs written since a full presence write began, until it completes. */
  presenceSync: Set<string> | undefined;
  /** A response is scheduled for the held poll (merges a burst into one response). */
  flushScheduled = false;

  /**
   * The public name of this node process on relayed entries (`origin`): a hash of id and epoch,
   * the same across service restarts (receivers match replays against it), while the epoch itself
   * is never shown to anyone but the node (whoever knew it could register as that process).
   */
  readonly origin: string;

  constructor(
    readonly nodeId: string,
    readonly epoch: string,
    /** The secret of this registration: every request of the node carries it. */
    readonly session: string,
    maxEntries: number,
    maxBytes: number,
  ) {
    this.outbox = new Outbox(maxEntries, maxBytes);
    this.origin = createHash('sha256').update(`${nodeId}\n${epoch}`).digest('base64url').slice(0, 22);
  }

  hasNews(): boolean {
    return this.outbox.size > 0 || this.countHints.size > 0;
  }
}
