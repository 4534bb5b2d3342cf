import createDebug from 'debug';
import type { BrokerMessage, BrokerNode } from '@firetower/server';
import { TopicServiceClientError } from '../errors.js';
import type { PollResponse, WireItem } from '../wire.js';
import { SeenSequences } from './seen.js';

const debug = createDebug('firetower:topic-service:broker');

/**
 * How far a poll's numbering may jump past our cursor beyond the drops it reports. A real gap
 * comes from outbox overflow, reported in `dropped` (a lost response can hide some of that
 * count, never millions: an outbox holds `maxOutboxEntries`, 50000 by default).
 */
const MAX_UNREPORTED_GAP = 1_000_000;

/**
 * The receiving side of one broker: the cursor it acknowledges, the copies it drops, and the
 * poll responses it refuses. One per broker; `reset()` at every registration (a new outbox).
 */
export class Inbox {
  /** The cursor of the last poll response processed (acknowledged by the next poll). */
  ack = 0;
  /** Entries the service dropped for this node (its outbox overflowed). */
  droppedTotal = 0;
  private readonly seen = new SeenSequences();

  constructor(private readonly nodeId: () => string) {}

  /** A new registration: a new outbox numbered from 1. Origins' sequences carry on. */
  reset(): void {
    this.ack = 0;
  }

  /**
   * Refuse a response whose numbering jumps far beyond what it reports dropped: acknowledging an
   * absurd cursor (999999999999999) would skip every later entry, forever.
   */
  check(res: PollResponse): void {
    const skipped = res.from - (this.ack + 1);
    if (skipped > res.dropped + MAX_UNREPORTED_GAP) {
      throw new TopicServiceClientError(
        'bad_response',
        `poll: entries numbered from ${res.from} after cursor ${this.ack} with ${res.dropped} reported dropped: not the service's numbering`,
      );
    }
  }

  /** Apply a poll response: entries up to our ack were applied already (a resent response). */
  take(res: PollResponse, node: BrokerNode): void {
    this.droppedTotal += res.dropped;
    for (let i = 0; i < res.items.length; i++) {
      if (res.from + i <= this.ack) continue;
      const item = res.items[i]!;
      try {
        if (item.kind === 'presence') {
          // Transitions the service computed: never resent by an origin, so never a copy.
          const pick = ({ memberId, info }: { memberId: string; info: string }) => ({ memberId, info });
          node.presenceChanged?.({ topic: item.topic, joined: item.joined.map(pick), left: item.left.map(pick), members: item.members });
          continue;
        }
        // A copy of an entry delivered already (a resent batch, a replay after a restart).
        if (item.origin !== undefined && item.seq !== undefined && !this.seen.fresh(item.origin, item.seq)) continue;
        if (item.kind === 'message') {
          node.deliver(message(item));
        } else {
          node.control(item.command);
        }
      } catch (error) {
        debug('%s delivery threw: %s', this.nodeId(), (error as Error).message);
      }
    }
    this.ack = Math.max(this.ack, res.cursor);
    if (res.counts.length > 0) node.countsChanged?.(res.counts);
  }
}

/** A relayed message as the node gets it: with its stream position when it is a history publish. */
function message(item: Extract<WireItem, { kind: 'message' }>): BrokerMessage {
  const out: BrokerMessage = { topic: item.topic, data: item.data };
  if (item.exclude !== undefined) out.exclude = item.exclude;
  if (item.offset !== undefined && item.epoch !== undefined) out.position = { offset: item.offset, epoch: item.epoch };
  return out;
}
