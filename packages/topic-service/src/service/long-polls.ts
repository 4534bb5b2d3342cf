import { monotonicNow } from '../clock.js';
import { TopicServiceError } from '../errors.js';
import type { NodeRecord, PollSink } from './node-record.js';
import type { TopicServiceLimits } from './types.js';

/** What the long-polls need from the core. */
export interface LongPollsLink {
  readonly limits: Pick<TopicServiceLimits, 'maxWaitMs' | 'maxPollItems' | 'maxPollBytes'>;
  /** Is this record still the registered one of its node id (not removed or replaced)? */
  isCurrent(node: NodeRecord): boolean;
  /** Run a timer's work with an unexpected error contained and reported. */
  safely(where: string, fn: () => void): void;
  reportError(error: unknown, where: string): void;
}

/**
 * How queued entries reach the nodes: each node's outbox and its held long-poll, answered at once
 * when something is queued (a burst merged into one response), empty when its wait runs out, or
 * released when the node goes. Apart from the core so delivery reads as one piece.
 */
export class LongPolls {
  constructor(private readonly link: LongPollsLink) {}

  /**
   * A node's long-poll: acknowledge up to `ack`, then answer at once when something is queued,
   * else hold up to `waitMs`. Returns a cancel function for the HTTP layer (client went away).
   */
  open(node: NodeRecord, ack: number, waitMs: number, sink: PollSink): () => void {
    if (node.poll.state === 'held') {
      throw new TopicServiceError('poll_in_progress', `node ${node.nodeId} already has a poll outstanding`);
    }
    node.outbox.ack(ack);
    node.lastSeen = monotonicNow();
    const wait = Math.min(waitMs, this.link.limits.maxWaitMs);
    if (node.hasNews() || wait <= 0) {
      sink.answer(200, this.takeResponse(node));
      return () => {};
    }
    const timer = setTimeout(() => this.link.safely('held poll answer', () => this.answerHeld(node)), wait);
    node.poll = { state: 'held', held: { sink, timer } };
    return () => {
      if (node.poll.state === 'held' && node.poll.held.sink === sink) {
        clearTimeout(node.poll.held.timer);
        node.poll = { state: 'idle' };
        node.lastSeen = monotonicNow();
      }
    };
  }

  /** Queue an entry (JSON already) for a node and wake its held poll. */
  enqueue(node: NodeRecord, json: string): void {
    node.outbox.push(json);
    node.received += 1;
    this.wake(node);
  }

  /** Schedule the held poll's answer after this turn, so a burst goes out as one response. */
  wake(node: NodeRecord): void {
    if (node.poll.state !== 'held' || node.flushScheduled) return;
    node.flushScheduled = true;
    setImmediate(() =>
      this.link.safely('held poll answer', () => {
        node.flushScheduled = false;
        if (this.link.isCurrent(node)) this.answerHeld(node);
      }),
    );
  }

  /** End a node's held poll, if any, and hand back its sink to answer. */
  release(node: NodeRecord): PollSink | undefined {
    if (node.poll.state !== 'held') return undefined;
    const { sink, timer } = node.poll.held;
    clearTimeout(timer);
    node.poll = { state: 'idle' };
    node.lastSeen = monotonicNow();
    return sink;
  }

  private answerHeld(node: NodeRecord): void {
    const sink = this.release(node);
    if (!sink) return;
    let body: string;
    try {
      body = this.takeResponse(node);
    } catch (error) {
      // A bug building this answer: this poll gets a 500 (the node polls again), nothing else.
      this.link.reportError(error, 'held poll answer');
      sink.answer(500, JSON.stringify({ error: { code: 'internal', message: 'internal error' } }));
      return;
    }
    sink.answer(200, body);
  }

  /** Build a poll response by hand: the entries are JSON already, serialised once per publish. */
  private takeResponse(node: NodeRecord): string {
    const { from, cursor, items } = node.outbox.peek(this.link.limits.maxPollItems, this.link.limits.maxPollBytes);
    const counts = JSON.stringify([...node.countHints]);
    node.countHints.clear();
    const dropped = node.outbox.takeDropped();
    return `{"from":${from},"cursor":${cursor},"dropped":${dropped},"counts":${counts},"items":[${items.join(',')}]}`;
  }
}
