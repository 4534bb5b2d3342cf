/**
 * History through the topic-service broker (issue 18): brokers with recording nodes against a
 * real service (embedded on 127.0.0.1:0, or a separate process for the restart).
 */
import { describe, expect, it } from 'vitest';
import type { BrokerMessage, HistoryPolicy } from '@firetower/server';
import { RecordingNode, startLinkProxy, waitFor } from '@firetower/server/testing';
import { topicServiceBroker, type TopicServiceBrokerOptions } from '../src/broker/topic-service-broker.js';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';
import { startDroppingProxy } from './dropping-proxy.js';
import { useCleanups } from './helpers.js';
import { spawnService } from './service-process.js';

const cleanups = useCleanups();

const policy: HistoryPolicy = { size: 1000, ttlMs: 60_000, metaTtlMs: 120_000 };
const query = (limit: number, after?: number) => (after === undefined ? { limit, policy } : { after, limit, policy });

async function service(): Promise<RunningTopicService> {
  const s = await startTopicService({ port: 0 });
  cleanups.push(() => s.close());
  return s;
}

async function node(url: string, id: string, options: Partial<TopicServiceBrokerOptions> = {}) {
  const broker = topicServiceBroker({ url, pollWaitMs: 2000, backoffMinMs: 20, backoffMaxMs: 200, ...options });
  const local = new RecordingNode(id);
  cleanups.push(() => broker.close());
  await local.start(broker);
  return { broker, local };
}

/** The history deliveries of `topic` a node got, in arrival order. */
const stream = (local: RecordingNode, topic = 't') =>
  local.delivered.filter((m): m is BrokerMessage & { position: object } => m.topic === topic && m.position !== undefined);
const offsets = (local: RecordingNode, topic = 't') => stream(local, topic).map((m) => m.position!.offset);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const serviceCount = (s: RunningTopicService, topic: string) => s.core.count(topic).count;

describe('history through the topic-service broker', () => {
  it('numbers a topic from 1 across two nodes publishing in turn; every node, the origin included, delivers the same stream once, in offset order', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    a.local.setCounts({ t: 1 });
    b.local.setCounts({ t: 1 });
    await waitFor(() => serviceCount(s, 't') === 2, 5000, 'counts at the service');

    const first = a.broker.publish({ topic: 't', data: '"a0"', history: policy });
    // Not delivered at the call: the node waits for the service's echo, which carries the position.
    expect(a.local.delivered).toEqual([]);
    await first;
    for (let i = 1; i < 100; i++) {
      await Promise.all([
        a.broker.publish({ topic: 't', data: `"a${i}"`, history: policy }),
        b.broker.publish({ topic: 't', data: `"b${i}"`, history: policy }),
      ]);
    }
    await waitFor(() => stream(a.local).length === 199 && stream(b.local).length === 199, 10_000, 'every publish on both nodes');

    for (const { local } of [a, b]) {
      expect(offsets(local)).toEqual(oneToN(199));
      expect(local.delivered).toHaveLength(199); // each exactly once, and nothing without a position
    }
    const epochs = new Set([...stream(a.local), ...stream(b.local)].map((m) => m.position!.epoch));
    expect(epochs.size).toBe(1);
    expect(stream(a.local).map((m) => m.data)).toEqual(stream(b.local).map((m) => m.data));
    // Each publisher's own order holds inside the stream.
    const own = (who: string) =>
      stream(a.local)
        .map((m) => m.data)
        .filter((d) => d.startsWith(`"${who}`));
    expect(own('a')).toEqual(Array.from({ length: 100 }, (_, i) => `"a${i}"`));
    expect(own('b')).toEqual(Array.from({ length: 99 }, (_, i) => `"b${i + 1}"`));

    const read = await b.broker.history('t', query(3));
    expect(read).toEqual({
      publications: stream(a.local)
        .slice(-3)
        .map((m) => ({ offset: m.position!.offset, data: m.data })),
      offset: 199,
      epoch: [...epochs][0],
    });
    expect((await a.broker.history('t', query(0))).publications).toEqual([]);
    expect(await a.broker.history('nothing', query(10))).toEqual({ publications: [], offset: 0, epoch: '' });
  });

  it('the origin gets its own history publish once even when the poll response carrying it is lost', async () => {
    const s = await service();
    const proxy = await startDroppingProxy(s.url);
    cleanups.push(() => proxy.close());
    const a = await node(proxy.url, 'a');
    a.local.setCounts({ t: 1 });
    await waitFor(() => serviceCount(s, 't') === 1, 5000, 'count at the service');
    proxy.shouldDrop = (_method, path, body) => path.includes('/poll') && proxy.dropped === 0 && body.includes('"offset"');
    for (let i = 1; i <= 5; i++) await a.broker.publish({ topic: 't', data: String(i), history: policy });
    await waitFor(() => stream(a.local).length >= 5, 10_000, 'the echoes');
    await a.broker.publish({ topic: 't', data: '"end"', history: policy });
    await waitFor(() => stream(a.local).at(-1)?.data === '"end"', 10_000, 'the end marker');
    expect(proxy.dropped).toBe(1);
    expect(offsets(a.local)).toEqual(oneToN(6));
    expect(a.local.dataOf('t')).toEqual(['1', '2', '3', '4', '5', '"end"']);
  });

  it('history() rejects `unreachable` while the link is down, and after the reconnect reads what was published meanwhile', async () => {
    const s = await service();
    const link = await startLinkProxy(s.port);
    cleanups.push(() => link.close());
    const a = await node(s.url, 'a');
    const b = await node(`http://127.0.0.1:${link.port}`, 'b');
    b.local.setCounts({ t: 1 });
    await waitFor(() => serviceCount(s, 't') === 1, 5000, 'count at the service');
    for (let i = 1; i <= 3; i++) await a.broker.publish({ topic: 't', data: String(i), history: policy });
    await waitFor(() => stream(b.local).length === 3, 5000, 'b follows');
    const seen = stream(b.local).at(-1)!.position!;

    link.cut();
    await waitFor(() => b.broker.state === 'degraded', 10_000, 'b notices the cut');
    await expect(b.broker.history('t', query(10, seen.offset))).rejects.toMatchObject({ name: 'TopicServiceClientError', code: 'unreachable' });
    for (let i = 4; i <= 8; i++) await a.broker.publish({ topic: 't', data: String(i), history: policy });
    // b's own history publish is buffered while it is cut off: it resolves without waiting for the service.
    const asked = performance.now();
    await b.broker.publish({ topic: 't', data: '"from-b"', history: policy });
    expect(performance.now() - asked).toBeLessThan(1000); // historyTimeoutMs is 5000
    expect((await b.broker.status()).pendingPublishes).toBe(1);

    link.restore();
    await waitFor(() => b.broker.state === 'connected', 10_000, 'b reconnects');
    const missed = await b.broker.history('t', query(100, seen.offset));
    // What a published meanwhile, then b's buffered publish (sent once b was back, read by its own history()).
    expect(missed).toEqual({
      publications: [...[4, 5, 6, 7, 8].map((offset) => ({ offset, data: String(offset) })), { offset: 9, data: '"from-b"' }],
      offset: 9,
      epoch: seen.epoch,
    });
    await waitFor(() => offsets(b.local).length === 9, 5000, 'b delivers the stream, its own publish included');
    expect(offsets(b.local)).toEqual(oneToN(9));
  });

  it('reads its writes: a history publish resolves once the service took it, and history() waits for the earlier publishes of its own node', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    await a.broker.publish({ topic: 't', data: '1', history: policy });
    expect((await b.broker.history('t', query(10))).publications).toEqual([{ offset: 1, data: '1' }]);
    const burst = Array.from({ length: 50 }, (_, i) => a.broker.publish({ topic: 't', data: String(i + 2), history: policy }));
    expect((await a.broker.history('t', query(0))).offset).toBe(51); // not awaited: history() waits for them
    await Promise.all(burst);
  });

  it('history() rejects with the lifecycle codes outside start..close', async () => {
    const s = await service();
    const idle = topicServiceBroker({ url: s.url });
    await expect(idle.history('t', query(1))).rejects.toMatchObject({ code: 'broker_not_started' });
    const a = await node(s.url, 'a');
    await a.broker.close();
    await expect(a.broker.history('t', query(1))).rejects.toMatchObject({ code: 'broker_closed' });
  });

  it('clamps a policy beyond the service bounds instead of having its batch refused', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    a.local.setCounts({ t: 1 });
    await waitFor(() => serviceCount(s, 't') === 1, 5000, 'count at the service');
    const huge: HistoryPolicy = { size: 1e9, ttlMs: Number.POSITIVE_INFINITY, metaTtlMs: 1e15 };
    await a.broker.publish({ topic: 't', data: '"kept"', history: huge });
    await waitFor(() => stream(a.local).length === 1, 5000, 'the echo');
    expect((await a.broker.history('t', { limit: 1e9, after: -5, policy: huge })).publications).toEqual([{ offset: 1, data: '"kept"' }]);
    expect((await a.broker.status()).droppedPublishes).toBe(0);
  });
});

describe('history across a topic service restart (a separate process, SIGKILLed)', () => {
  it('every epoch changes: history() answers another epoch and offsets start again at 1', async () => {
    let svc = await spawnService(['--port', '0', '--grace-ms', '0']);
    cleanups.push(() => svc.stop('SIGKILL'));
    const port = String(svc.port);
    const a = await node(svc.url, 'a');
    const b = await node(svc.url, 'b');
    b.local.setCounts({ t: 1 });
    await waitFor(async () => (await b.broker.count('t')) === 1 && b.broker.state === 'connected', 10_000, 'b subscribed at the service');
    for (let i = 1; i <= 3; i++) await a.broker.publish({ topic: 't', data: `"before${i}"`, history: policy });
    await waitFor(() => stream(b.local).length === 3, 10_000, 'b follows');
    const before = await b.broker.history('t', query(10));
    expect(before.offset).toBe(3);

    await svc.stop('SIGKILL');
    await waitFor(() => a.broker.state !== 'connected' && b.broker.state !== 'connected', 10_000, 'both notice');
    svc = await spawnService(['--port', port, '--grace-ms', '0']);
    cleanups.push(() => svc.stop('SIGKILL'));
    await waitFor(() => a.broker.state === 'connected' && b.broker.state === 'connected', 15_000, 'both re-registered');
    await a.broker.publish({ topic: 't', data: '"after"', history: policy });
    await waitFor(() => stream(b.local).at(-1)?.data === '"after"', 10_000, 'b gets the new stream');

    const after = await b.broker.history('t', query(10));
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.epoch).not.toBe('');
    // The new stream starts empty at offset 1: history publishes are not replayed to a restarted
    // service (they would reappear in the new epoch under other offsets).
    expect(after.publications).toEqual([{ offset: 1, data: '"after"' }]);
    const delivered = stream(b.local).at(-1)!.position!;
    expect(delivered).toEqual({ offset: after.offset, epoch: after.epoch });
  }, 60_000);
});
