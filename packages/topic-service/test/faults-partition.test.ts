import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';
import { startNode } from './cluster-harness.js';
import { useCleanups } from './helpers.js';
import { startPartitionProxy } from './partition-proxy.js';
import { spawnNode } from './service-process.js';
import { connectClient, type RawClient } from './ws-client.js';

// Fault injection with real processes (built dist: `pnpm -C packages/topic-service build`).
const cleanups = useCleanups();

const LEASE_MS = 4000;

async function client(wsUrl: string, topics: string[]): Promise<RawClient> {
  const c = await connectClient(wsUrl);
  cleanups.push(() => c.close());
  await c.subscribe(topics);
  return c;
}

describe('partition through a proxy that drops packets', () => {
  it('with a forced GC in the node during the partition, the node re-registers after healing and traffic flows both ways within one lease', async () => {
    const service: RunningTopicService = await startTopicService({ port: 0, leaseMs: LEASE_MS });
    cleanups.push(() => service.close());
    const proxy = await startPartitionProxy(service.url);
    cleanups.push(() => proxy.close());
    // Node A reaches the service only through the proxy, in its own process, with gc() exposed.
    const a = await spawnNode(proxy.url, { POLL_WAIT_MS: '500', REQUEST_TIMEOUT_MS: '1000' }, 30_000, ['--expose-gc']);
    cleanups.push(() => a.stop('SIGKILL'));
    const b = await startNode(service.url, { pollWaitMs: 500, requestTimeoutMs: 1000 });
    cleanups.push(() => b.close());
    const onA = await client(a.wsUrl, ['/t']);
    const onB = await client(b.wsUrl, ['/t']);

    let seq = 0;
    /** Publish one message from each side; resolves when each reached the other node. */
    const bothWays = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const fromA = `a${++seq}`;
        const fromB = `b${seq}`;
        onA.send({ type: 'publish', topic: '/t', data: fromA });
        onB.send({ type: 'publish', topic: '/t', data: fromB });
        try {
          await Promise.all([onB.next((f) => f.data === fromA, 300), onA.next((f) => f.data === fromB, 300)]);
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
      }
    };
    await bothWays(15_000);

    // Partition: every byte between A and the service is dropped, nothing is reset.
    proxy.partition();
    let gcs = 0;
    const gcTimer = setInterval(() => {
      // Collect garbage inside A while its requests hang (a timeout signal nobody holds goes here).
      a.child.kill('SIGUSR2');
      gcs += 1;
    }, 200);
    cleanups.push(() => clearInterval(gcTimer));
    let during = 0;
    const traffic = setInterval(() => onA.send({ type: 'publish', topic: '/t', data: `during-${++during}` }), 50);
    cleanups.push(() => clearInterval(traffic));
    await waitFor(() => !service.core.nodeInfos().some((n) => n.nodeId === a.nodeId), LEASE_MS * 4, "A's lease to expire");
    await waitFor(() => /gc 5\n/.test(a.output()), 10_000, 'five forced collections inside A');
    clearInterval(traffic);
    clearInterval(gcTimer);
    expect(proxy.droppedBytes).toBeGreaterThan(0);

    // Heal: within one lease A is registered again and messages flow both ways.
    proxy.heal();
    const healedAt = Date.now();
    await waitFor(() => service.core.nodeInfos().some((n) => n.nodeId === a.nodeId), LEASE_MS, 'A registered again');
    await bothWays(Math.max(1, LEASE_MS - (Date.now() - healedAt)));
    expect(service.core.count('/t').count).toBe(2);
    expect(gcs).toBeGreaterThanOrEqual(5);
    // What A published while cut off was buffered and arrives at B after the heal: all, once, in order.
    const fromA = () => onB.received('/t').filter((d) => String(d).startsWith('during-'));
    await waitFor(() => fromA().length >= during, 10_000, "A's buffered publishes at B");
    expect(fromA()).toEqual(Array.from({ length: during }, (_, i) => `during-${i + 1}`));
  }, 60_000);
});
