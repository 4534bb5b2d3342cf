/**
 * Catches Redis up with this node's presence. The node reports updates synchronously
 * (`update`); they wait here, the latest per topic and member, until the interest sync's next
 * round writes them — after that round's SUBSCRIBEs are confirmed, so the transitions a write
 * PUBLISHes reach this node's own subscribers too.
 *
 * A full write (at start, after a reconnect, after the lease lapsed) replaces every share of this
 * node with `node.localPresence()`: it writes them all (a share Redis still had at that count
 * changes nothing: no spurious join or leave; members it lost, in a restart, a flush or a sweep,
 * join again), then reads the node's shares back and drops those the node no longer has (members
 * who left while Redis was away leave). In batches, so a node with many members never holds Redis
 * for long; the node's later updates wait for the next round, so none is overwritten by it.
 */
import createDebug from 'debug';
import type { BrokerNode, PresenceUpdate } from '@firetower/server';
import type { RedisKeys } from './keys.js';
import { dropShares, shareField, staleShares, WRITE_BATCH, writePresence } from './presence.js';
import type { Client } from './scripts.js';

const debug = createDebug('firetower:redis:presence');

export interface PresenceSyncDeps {
  node: BrokerNode;
  keys: RedisKeys;
  pub: Client;
}

const keyOf = (update: PresenceUpdate): string => `${update.topic}\u0000${update.memberId}`;

export class PresenceSync {
  /** Updates not yet written, the latest per topic and member. */
  private readonly pending = new Map<string, PresenceUpdate>();
  private full = true;

  constructor(private readonly deps: PresenceSyncDeps) {}

  update(updates: readonly PresenceUpdate[]): void {
    for (const update of updates) this.pending.set(keyOf(update), update);
  }

  /** Rewrite every share of this node on the next write. */
  requestFullWrite(): void {
    this.full = true;
  }

  /** A node without `localPresence` has nothing to rewrite; it writes only what it reports. */
  hasWork(): boolean {
    return this.pending.size > 0 || (this.full && this.deps.node.localPresence !== undefined);
  }

  /**
   * Write what is pending (`listening`: this node's subscriber confirmed the topic's channel, or
   * has no local subscriber of it to wait for). False when Redis said the lease had run out
   * (nothing of this batch was written: the caller re-registers the node, and the next write is
   * full). Throws when Redis failed; the work stays marked for the next round.
   */
  async write(listening: (topic: string) => boolean): Promise<boolean> {
    const { node, keys, pub } = this.deps;
    const full = this.full && node.localPresence !== undefined;
    this.full = false;
    // A full write covers everything reported so far: the node's state already includes it.
    const all = full ? node.localPresence!().filter((update) => update.connections > 0) : [...this.pending.values()];
    this.pending.clear();
    // A member of a topic whose SUBSCRIBE is still to come waits for the round that makes it, so
    // this node hears the join too (its local subscribers may want it). Leaves never wait.
    const batch: PresenceUpdate[] = [];
    for (const update of all) {
      if (update.connections > 0 && !listening(update.topic)) this.pending.set(keyOf(update), update);
      else batch.push(update);
    }
    try {
      for (let i = 0; i < batch.length; i += WRITE_BATCH) {
        if (!(await writePresence(pub, keys, node.nodeId, batch.slice(i, i + WRITE_BATCH)))) return this.lapsed(full ? [] : batch);
      }
      if (!full) return true;
      // Deferred members are kept too: they are still this node's.
      const stale = await staleShares(pub, keys, node.nodeId, new Set(all.map(({ topic, memberId }) => shareField(topic, memberId))));
      for (let i = 0; i < stale.length; i += WRITE_BATCH) {
        if (!(await dropShares(pub, keys, node.nodeId, stale.slice(i, i + WRITE_BATCH)))) return this.lapsed([]);
      }
      return true;
    } catch (error) {
      debug('presence write failed, will retry: %O', error);
      this.restore(full, batch);
      throw error;
    }
  }

  /**
   * Redis said the lease ran out: the next write rewrites everything (`localPresence` has it all;
   * a node without it gets the batch back instead).
   */
  private lapsed(batch: readonly PresenceUpdate[]): false {
    if (this.deps.node.localPresence === undefined) this.restore(false, batch);
    this.full = true;
    return false;
  }

  /** Put a failed batch back, under anything reported since (newer updates win). */
  private restore(full: boolean, batch: readonly PresenceUpdate[]): void {
    if (full) {
      this.full = true;
      return;
    }
    for (const update of batch) {
      const key = keyOf(update);
      if (!this.pending.has(key)) this.pending.set(key, update);
    }
  }
}
