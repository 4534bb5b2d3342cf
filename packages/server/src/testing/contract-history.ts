import { expect, it } from 'vitest';
import type { HistoryRule } from '../history/policy.js';
import type { StartedServer } from './server.js';
import type { TestClient, TestFrame } from './client.js';
import { waitFor } from './client.js';

/** The history rules every contract node runs with (`/hist/*` for most tests, a short TTL for the trim test). */
export const CONTRACT_HISTORY: readonly HistoryRule[] = [
  { match: '/hist/*', size: 100 },
  { match: '/hist-ttl/*', size: 100, ttlMs: 300 },
];

/** What the history tests need of the contract's per-test cluster. */
export interface HistoryContext {
  size: number;
  timeoutMs: number;
  nodes(): Array<{ server: StartedServer }>;
  join(node: { server: StartedServer }): Promise<TestClient>;
  /** The current fixture's store restart (forget every stream), or undefined when it has none. */
  restartHistory(): (() => Promise<void>) | undefined;
}

/** Subscribe with `since` and return the ack's stream state for the topic. */
async function subscribeSince(client: TestClient, topic: string, since: object | undefined, timeoutMs: number): Promise<TestFrame> {
  const ack = await client.request(
    since === undefined ? { type: 'subscribe', topic: [topic] } : { type: 'subscribe', topic: [topic], since: { [topic]: since } },
    timeoutMs,
  );
  expect(ack.type).toBe('ack');
  const streams = ack.streams as Record<string, TestFrame> | undefined;
  return streams?.[topic] as TestFrame;
}

/** A delivery with a stream position, as these tests read it. */
interface Positioned {
  data: unknown;
  offset: number;
  epoch: string;
}

const positioned = (frame: TestFrame): Positioned => ({ data: frame.data as unknown, offset: frame.offset as number, epoch: frame.epoch as string });

/** The next `count` deliveries on `topic`. */
async function deliveries(client: TestClient, topic: string, count: number, timeoutMs: number): Promise<Positioned[]> {
  const frames: Positioned[] = [];
  for (let i = 0; i < count; i++) frames.push(positioned(await client.nextDelivery(topic, timeoutMs)));
  return frames;
}

/**
 * History and recovery, through every node of the cluster (run by `describeBrokerContract` for a
 * broker with `history()`): offsets strictly increasing per topic across nodes, replay after a
 * reconnect to another node, an epoch change after the store restarts, size and TTL trims, no
 * duplicate when publishes race the replay.
 */
export function describeHistoryTests(context: HistoryContext): void {
  const { size, timeoutMs } = context;
  const nodes = (): Array<{ server: StartedServer }> => context.nodes();
  const skipWithoutHistory = (): boolean => nodes()[0]!.server.ft.broker.history === undefined;

  it('history: numbers publishes from every node with one strictly increasing offset per topic', async ({ skip }) => {
    if (skipWithoutHistory()) return skip();
    const topic = '/hist/order';
    const subscribers = await Promise.all(nodes().map((node) => context.join(node)));
    for (const client of subscribers) expect(await subscribeSince(client, topic, undefined, timeoutMs)).toMatchObject({ offset: 0 });
    const perNode = 10;
    await Promise.all(
      nodes().map(async (node, index) => {
        for (let n = 0; n < perNode; n++) await node.server.ft.publish(topic, { node: index, n });
      }),
    );
    for (const client of subscribers) {
      const frames = await deliveries(client, topic, perNode * size, timeoutMs);
      expect(frames.map((frame) => frame.offset)).toEqual(Array.from({ length: perNode * size }, (_, i) => i + 1));
      expect(new Set(frames.map((frame) => frame.epoch)).size).toBe(1);
      for (let index = 0; index < size; index++) {
        // Each publisher's own order holds inside the one stream.
        const sent = frames.map((frame) => frame.data as { node: number; n: number });
        const mine = sent.filter((data) => data.node === index).map((data) => data.n);
        expect(mine).toEqual(Array.from({ length: perNode }, (_, i) => i));
      }
    }
  });

  it('history: a client cut on one node recovers exactly what it missed on another, then goes on live', async ({ skip }) => {
    if (skipWithoutHistory()) return skip();
    const topic = '/hist/recover';
    const [first, last] = [nodes()[0]!, nodes()[size - 1]!];
    const client = await context.join(first);
    await subscribeSince(client, topic, undefined, timeoutMs);
    await last.server.ft.publish(topic, -1);
    const seen = positioned(await client.nextDelivery(topic, timeoutMs));
    client.ws.terminate();
    for (let n = 0; n < 50; n++) await last.server.ft.publish(topic, n);
    const again = await context.join(last);
    const state = await subscribeSince(again, topic, { offset: seen.offset, epoch: seen.epoch }, timeoutMs);
    expect(state).toEqual({ offset: seen.offset, epoch: seen.epoch, recovered: true });
    const replayed = await deliveries(again, topic, 50, timeoutMs);
    expect(replayed.map((frame) => frame.data)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await first.server.ft.publish(topic, 'live');
    expect(await again.nextDelivery(topic, timeoutMs)).toMatchObject({ data: 'live', offset: seen.offset + 51 });
  });

  it('history: a store restart changes the epoch, and recovery replays the new epoch flagged epoch_changed', async ({ skip }) => {
    const restart = context.restartHistory();
    if (skipWithoutHistory() || restart === undefined) return skip();
    const topic = '/hist/epoch';
    const [first, last] = [nodes()[0]!, nodes()[size - 1]!];
    await first.server.ft.publish(topic, 'before');
    const before = await first.server.ft.history(topic);
    expect(before.offset).toBe(1);
    await restart();
    // Publishes may have to wait for the broker's link to come back after the restart.
    await waitFor(
      async () => {
        await last.server.ft.publish(topic, 'after');
        return (await last.server.ft.history(topic)).offset > 0;
      },
      timeoutMs,
      'a publish after the store restart is kept',
    );
    const now = await last.server.ft.history(topic);
    expect(now.epoch).not.toBe(before.epoch);
    const client = await context.join(last);
    const state = await subscribeSince(client, topic, { offset: before.offset, epoch: before.epoch }, timeoutMs);
    expect(state).toMatchObject({ offset: 0, epoch: now.epoch, recovered: false, reason: 'epoch_changed' });
    expect((await client.nextDelivery(topic, timeoutMs)).data).toBe('after');
  });

  it('history: keeps at most size publications, and drops them after ttlMs', async ({ skip }) => {
    if (skipWithoutHistory()) return skip();
    const [first, last] = [nodes()[0]!, nodes()[size - 1]!];
    for (let n = 1; n <= 105; n++) await first.server.ft.publish('/hist/trim', n);
    await waitFor(async () => (await last.server.ft.history('/hist/trim')).offset === 105, timeoutMs, 'all 105 publishes kept');
    const page = await last.server.ft.history('/hist/trim');
    expect(page.publications.map((p) => p.data)).toEqual(Array.from({ length: 100 }, (_, i) => i + 6));
    await first.server.ft.publish('/hist-ttl/a', 'short-lived');
    await waitFor(async () => (await last.server.ft.history('/hist-ttl/a')).offset === 1, timeoutMs, 'the publish is kept');
    await waitFor(async () => (await last.server.ft.history('/hist-ttl/a')).publications.length === 0, timeoutMs, 'the publish expires after ttlMs');
    expect((await last.server.ft.history('/hist-ttl/a')).offset).toBe(1);
  });

  it('history: publishes racing a recovery arrive exactly once, in offset order', async ({ skip }) => {
    if (skipWithoutHistory()) return skip();
    const topic = '/hist/race';
    const [first, last] = [nodes()[0]!, nodes()[size - 1]!];
    await last.server.ft.publish(topic, 0);
    const start = await first.server.ft.history(topic);
    const total = 60;
    const publishing = (async () => {
      for (let n = 1; n <= total; n++) await last.server.ft.publish(topic, n);
    })();
    const client = await context.join(first);
    const state = await subscribeSince(client, topic, { offset: start.offset, epoch: start.epoch }, timeoutMs);
    expect(state).toMatchObject({ recovered: true, offset: start.offset });
    await publishing;
    const frames = await deliveries(client, topic, total, timeoutMs);
    expect(frames.map((frame) => frame.data)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    await last.server.ft.publish(topic, 'end');
    expect((await client.nextDelivery(topic, timeoutMs)).data).toBe('end');
  });
}
