import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { BrokerNode, ClusterCore } from '@firetower/server';
import { withDeadline } from './deadline.js';
import type { ServiceClient } from './client.js';
import type { LinkHealth } from './health.js';
import { Inbox } from './inbox.js';
import type { ResolvedOptions } from './options.js';
import type { OutgoingEntry, OutgoingQueue } from './outgoing.js';
import { ReplayWindow } from './replay.js';
import { ConditionWaiters } from './waiters.js';

/**
 * This node's side of the link to the topic service, one object shared by the broker and its
 * parts (registration, the send and poll loops): who the node is at the service (id and epoch),
 * the queues both ways, and one request under a deadline whose outcome feeds the link's health.
 * It exists so each part reads the same state instead of reaching into the broker.
 */
export class ServiceLink {
  /** This process: receivers key their dedupe on it, so it must not repeat across nodes or restarts. */
  readonly epoch = `${Date.now().toString(36)}-${randomBytes(12).toString('base64url')}`;
  readonly closer = new AbortController();
  readonly waiters = new ConditionWaiters();
  readonly inbox = new Inbox(() => this.nodeId);
  readonly replay: ReplayWindow;

  constructor(
    readonly opts: ResolvedOptions,
    readonly core: ClusterCore<OutgoingEntry>,
    readonly client: ServiceClient,
    readonly outgoing: OutgoingQueue,
    private readonly health: LinkHealth,
    public nodeId: string,
  ) {
    this.replay = new ReplayWindow(opts.replayWindowMs, opts.maxBufferedPublishes);
  }

  get node(): BrokerNode | undefined {
    return this.core.node;
  }

  isClosed(): boolean {
    return this.core.isClosed();
  }

  /** One request under a deadline, its reply checked against `schema`; feeds the link's health. */
  async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs = this.opts.requestTimeoutMs,
    verify?: (answer: z.output<S>) => void,
  ): Promise<z.output<S>> {
    try {
      const answer = await withDeadline(timeoutMs, this.closer.signal, (deadline) => this.client.request(method, path, body, deadline.signal, schema));
      verify?.(answer);
      this.health.ok();
      return answer;
    } catch (error) {
      if (!this.isClosed()) this.health.failed(error);
      throw error;
    }
  }

  nodePath(suffix: string): string {
    return `/v1/nodes/${encodeURIComponent(this.nodeId)}${suffix}`;
  }

  /** The node's dedupe window: how long the service keeps this node's keys (0 = keys are off). */
  keyTtlMs(): number {
    return this.node?.dedupeWindowMs ?? 0;
  }
}
