import createDebug from 'debug';
import { monotonicNow } from '../clock.js';
import { TopicServiceClientError } from '../errors.js';
import { controlReply, okReply, pollReply, presenceUpdateReply, publishReply } from '../replies.js';
import { backoff, sleep } from './backoff.js';
import type { ServiceLink } from './link.js';
import { publishBody, stripKeys, type OutgoingBatch } from './outgoing.js';
import type { Registration } from './registration.js';

const debug = createDebug('firetower:topic-service:broker');

/**
 * The two loops that run while the broker does: one sends the queued batches (counts, presence,
 * publishes, commands) in order, one long-polls the node's deliveries; both decide what a failed
 * request means (register again, drop a batch the service refuses, or back off and mark the link
 * unreachable). Apart from the broker so the traffic with the service reads as one piece.
 */
export class LinkLoops {
  /** Consecutive `unknown_node` answers: the re-registration backoff step. */
  private lostStep = 0;

  constructor(
    private readonly link: ServiceLink,
    private readonly registration: Registration,
  ) {}

  /** Start both loops; each ends when the broker closes. */
  run(): Promise<void>[] {
    return [this.sendLoop(), this.pollLoop()];
  }

  private async sendLoop(): Promise<void> {
    const { link } = this;
    let step = 0;
    while (!link.isClosed()) {
      if (link.outgoing.isEmpty()) {
        link.waiters.settle();
        await link.outgoing.waitForWork();
        continue;
      }
      let generation: number;
      try {
        generation = await this.registration.ensure();
      } catch {
        return; // closed
      }
      const batch = link.outgoing.peek(this.registration.maxBatch);
      if (!batch) continue;
      try {
        await this.send(batch);
        link.outgoing.commit(batch);
        if (batch.kind === 'messages' || batch.kind === 'control') link.replay.accepted(batch.entries, monotonicNow());
        this.lostStep = 0;
        this.reachable();
        link.waiters.settle();
        step = 0;
      } catch (error) {
        if (link.isClosed()) return;
        step = await this.onFailure(error, generation, step, batch);
      }
    }
  }

  private send(batch: OutgoingBatch): Promise<unknown> {
    const { link } = this;
    const epoch = link.epoch;
    switch (batch.kind) {
      case 'counts':
        return link.call('POST', link.nodePath('/counts'), okReply, { epoch, changes: batch.changes });
      case 'presence':
        return link.call('POST', link.nodePath('/presence'), presenceUpdateReply, { epoch, updates: batch.updates });
      case 'messages':
        return link.call('POST', link.nodePath('/publish'), publishReply, publishBody(epoch, batch.seq, batch.messages, link.keyTtlMs()));
      case 'control':
        return link.call('POST', link.nodePath('/control'), controlReply, { epoch, seq: batch.seq, command: batch.command });
    }
  }

  private async pollLoop(): Promise<void> {
    const { link, registration } = this;
    const { opts } = link;
    let step = 0;
    let emptyStep = 0;
    while (!link.isClosed()) {
      let generation: number;
      try {
        generation = await registration.ensure();
      } catch {
        return;
      }
      const path = `${link.nodePath('/poll')}?epoch=${encodeURIComponent(link.epoch)}&ack=${link.inbox.ack}&wait=${opts.pollWaitMs}`;
      try {
        const asked = monotonicNow();
        const res = await link.call('GET', path, pollReply, undefined, opts.pollWaitMs + opts.requestTimeoutMs, (r) => link.inbox.check(r));
        if (generation !== registration.generation || link.isClosed()) continue;
        link.inbox.take(res, link.node!);
        this.reachable();
        step = 0;
        if (res.items.length > 0) this.lostStep = 0;
        // A long-poll that comes back empty long before its wait is not the service's behaviour
        // (it holds the request until something is queued): back off instead of spinning.
        const empty = res.items.length === 0 && res.counts.length === 0 && res.dropped === 0;
        if (empty && monotonicNow() - asked < Math.min(opts.pollWaitMs, registration.maxWaitMs) / 2) {
          await sleep(backoff(emptyStep++, opts.backoffMinMs, opts.backoffMaxMs), link.closer.signal);
        } else {
          emptyStep = 0;
        }
      } catch (error) {
        if (link.isClosed()) return;
        step = await this.onFailure(error, generation, step);
      }
    }
  }

  /** Decide after a failed request; returns the next backoff step. */
  private async onFailure(error: unknown, generation: number, step: number, batch?: OutgoingBatch): Promise<number> {
    const { link } = this;
    const { backoffMinMs, backoffMaxMs } = link.opts;
    const code = error instanceof TopicServiceClientError ? error.code : 'network';
    if (code === 'unknown_node') {
      // Register again, but not in a hot loop: a service that forgets us at once (a fake, a
      // flapping proxy) gets a growing delay; the first one after a real restart costs ~100 ms.
      this.registration.lost(generation);
      await sleep(backoff(this.lostStep++, backoffMinMs, backoffMaxMs), link.closer.signal);
      return 0;
    }
    if (batch?.kind === 'messages' && code === 'bad_request' && stripKeys(batch.messages)) {
      // A service older than idempotency keys refuses the new fields: keep the messages, lose the keys.
      debug('%s the service refused a keyed batch; resending it without keys: %s', link.nodeId, (error as Error).message);
      return step;
    }
    // A service older than presence has no such endpoint: presence then stays local to each node.
    const refused =
      code === 'bad_request' || code === 'batch_too_large' || code === 'payload_too_large' || (batch?.kind === 'presence' && code === 'not_found');
    if (batch && refused) {
      // The service will never take this batch: drop it rather than block the queue forever.
      debug('%s dropped a %s batch the service refused: %s', link.nodeId, batch.kind, (error as Error).message);
      if (batch.kind === 'messages') link.core.countDropped(batch.messages.length);
      link.outgoing.commit(batch);
      link.waiters.settle();
      return step;
    }
    // Anything but the protocol's own signals means the link does not work right now.
    if (code !== 'poll_in_progress' && code !== 'poll_superseded') this.unreachable();
    debug('%s request failed (%s): %s', link.nodeId, code, (error as Error).message);
    await sleep(backoff(step, backoffMinMs, backoffMaxMs), link.closer.signal);
    return step + 1;
  }

  private reachable(): void {
    if (this.link.core.state === 'degraded') this.link.core.setState('connected');
  }

  private unreachable(): void {
    if (this.link.core.state === 'connected') this.link.core.setState('degraded');
  }
}
