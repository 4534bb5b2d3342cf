import createDebug from 'debug';
import { okReply, presenceUpdateReply, registerReply } from '../replies.js';
import { backoff, sleep } from './backoff.js';
import type { ServiceLink } from './link.js';
import { writeFullPresence } from './presence.js';

const debug = createDebug('firetower:topic-service:broker');

/**
 * The node's registration at the service: register (retrying with backoff until it works or the
 * broker closes), then resync the full counts and presence, and register again when the service
 * forgot the node. Keeps what a registration settled (its generation, the service instance, the
 * batch and poll bounds) for the loops. Apart from the broker so the session lifecycle reads as one piece.
 */
export class Registration {
  /** Bumped at every successful registration; a result from an older one is ignored. */
  generation = 0;
  /** The largest batch both sides take (the service's bound from registration). */
  maxBatch: number;
  /** The service's longest poll hold (from registration). */
  maxWaitMs = Number.POSITIVE_INFINITY;
  /** The service instance of the last registration (undefined before the first). */
  private instance: string | undefined;
  private pending: Promise<number> | undefined;

  constructor(private readonly link: ServiceLink) {
    this.maxBatch = link.opts.maxBatch;
  }

  /** The current registration's generation, registering first when needed. */
  ensure(): Promise<number> {
    const state = this.link.core.state;
    if (state === 'connected' || state === 'degraded') return Promise.resolve(this.generation);
    this.pending ??= this.register().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The service forgot this node (restart, lease, overflow): register and resync. */
  lost(generation: number): void {
    const core = this.link.core;
    if (generation === this.generation && (core.state === 'connected' || core.state === 'degraded')) {
      debug('%s unknown to the service: resync', this.link.nodeId);
      core.setState('starting');
    }
  }

  private async register(): Promise<number> {
    const { link } = this;
    for (let step = 0; ; step++) {
      this.assertOpen();
      try {
        const { nodeId, epoch } = link;
        const body = this.instance === undefined ? { nodeId, epoch } : { nodeId, epoch, previous: this.instance };
        const reg = await link.call('POST', '/v1/nodes/register', registerReply, body);
        link.client.session = reg.session;
        this.maxBatch = Math.max(1, Math.min(link.opts.maxBatch, reg.maxBatch));
        this.maxWaitMs = reg.maxWaitMs;
        if (this.instance !== undefined && reg.instance !== this.instance) {
          // The service restarted: what it accepted last may have died in its outboxes. Send it
          // again ahead of the buffer; receivers drop the copies they already had.
          const again = link.replay.take();
          debug('%s the service restarted: replaying %d entries', nodeId, again.length);
          link.outgoing.requeue(again);
        }
        this.instance = reg.instance;
        const topics = await this.resync();
        this.assertOpen();
        link.inbox.reset();
        this.generation += 1;
        debug('%s registered (epoch %s, generation %d, %d topics)', nodeId, epoch, this.generation, topics);
        link.core.setState('connected');
        link.waiters.settle();
        return this.generation;
      } catch (error) {
        this.assertOpen();
        debug('%s register failed: %s', link.nodeId, (error as Error).message);
        await sleep(backoff(step, link.opts.backoffMinMs, link.opts.backoffMaxMs), link.closer.signal);
      }
    }
  }

  /** Send the node's full counts, then its full presence; returns how many topics it counts. */
  private async resync(): Promise<number> {
    const { link } = this;
    // The full set supersedes queued deltas; changes made from here on queue again.
    link.outgoing.clearCounts();
    const all = link.node?.localCounts() ?? [];
    for (let i = 0; i === 0 || i < all.length; i += this.maxBatch) {
      const changes = all.slice(i, i + this.maxBatch);
      await link.call('POST', link.nodePath('/counts'), okReply, { epoch: link.epoch, full: i === 0, changes });
    }
    // Then the full presence (after the counts, so the service relays this node's own
    // transitions to it): what a restarted service lost, rewritten from the node's truth.
    link.outgoing.clearPresence();
    const present = link.node?.localPresence?.();
    if (present !== undefined) {
      await writeFullPresence(present, this.maxBatch, (body) =>
        link.call('POST', link.nodePath('/presence'), presenceUpdateReply, { epoch: link.epoch, ...body }),
      );
    }
    return all.length;
  }

  private assertOpen(): void {
    if (this.link.isClosed()) throw this.link.core.lifecycleError('broker_closed', 'register');
  }
}
