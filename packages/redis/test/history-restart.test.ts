/**
 * History when Redis loses its memory: a redis-server SIGKILLed and restarted without
 * persistence, and a FLUSHALL. The stream's epoch must change (never a silent gap) and offsets
 * start again at 1; while Redis is away reads are refused with a code and publishes wait.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPolicy } from '@firetower/server';
import { type RedisBroker, redisBroker } from '@firetower/redis';
import { RecordingNode, uniqueNodeId, waitFor } from '@firetower/server/testing';
import { adminClient, freePort, RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';

const policy: HistoryPolicy = { size: 100, ttlMs: 60_000, metaTtlMs: 120_000 };

describe.skipIf(!redisServerPath)(`redis broker history across Redis restarts${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer;
  const open: RedisBroker[] = [];
  let prefixSeq = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  /** Two nodes on a fresh prefix, both with a local subscriber of `topic` whose SUBSCRIBE is confirmed. */
  async function pair(topic: string): Promise<Array<{ node: RecordingNode; broker: RedisBroker }>> {
    const keyPrefix = `r${++prefixSeq}:`;
    const result = [];
    for (const name of ['a', 'b']) {
      const node = new RecordingNode(uniqueNodeId(name));
      const broker = redisBroker({ url: redis.url, keyPrefix, maxReconnectDelayMs: 100, historyTimeoutMs: 1_000 });
      open.push(broker);
      await node.start(broker);
      node.setCounts({ [topic]: 1 });
      await broker.count(topic);
      result.push({ node, broker });
    }
    return result;
  }

  const positions = (node: RecordingNode) => node.delivered.map((m) => m.position);

  it('a SIGKILLed Redis restarted empty starts a new epoch at offset 1; reads are refused while it is away', async () => {
    const [a, b] = await pair('room');
    for (let i = 1; i <= 3; i++) await a!.broker.publish({ topic: 'room', data: String(i), history: policy });
    await waitFor(() => a!.node.delivered.length === 3 && b!.node.delivered.length === 3, 5_000, 'three delivered');
    const before = (await b!.broker.history('room', { limit: 10, policy })).epoch;
    expect(positions(b!.node)).toEqual([1, 2, 3].map((offset) => ({ offset, epoch: before })));

    await redis.kill();
    await waitFor(() => a!.broker.brokerState === 'degraded' && b!.broker.brokerState === 'degraded', 5_000, 'both degraded');
    await expect(b!.broker.history('room', { limit: 10, policy })).rejects.toMatchObject({ name: 'RedisBrokerError', code: 'not_connected' });
    // Published while Redis is away: buffered, not delivered anywhere yet (the origin included:
    // only Redis can number it), and the publish resolves as buffered.
    await a!.broker.publish({ topic: 'room', data: '"during"', history: policy });
    expect(a!.node.delivered).toHaveLength(3);

    await redis.spawn();
    // The buffered publish is appended when a's link is back; its delivery races the nodes'
    // resubscription (pub/sub is at most once), so it is checked in the stream, not in deliveries.
    await waitFor(
      async () => a!.broker.state === 'connected' && (await a!.broker.history('room', { limit: 0, policy })).offset === 1,
      10_000,
      'appended after the restart',
    );
    const admin = await adminClient(redis.url);
    try {
      await waitFor(async () => Number((await admin.pubSubNumSub(`r${prefixSeq}:t:room`))[`r${prefixSeq}:t:room`]) === 2, 10_000, 'both resubscribed');
    } finally {
      admin.destroy();
    }
    await b!.broker.publish({ topic: 'room', data: '"after"', history: policy });
    const read = await a!.broker.history('room', { limit: 10, policy });
    expect(read.epoch).not.toBe('');
    expect(read.epoch).not.toBe(before);
    expect(read.publications).toEqual([
      { offset: 1, data: '"during"' },
      { offset: 2, data: '"after"' },
    ]);
    for (const { node } of [a!, b!]) {
      await waitFor(() => node.dataOf('room').includes('"after"'), 5_000, `"after" on ${node.nodeId}`);
      expect(node.delivered.at(-1)!.position).toEqual({ offset: 2, epoch: read.epoch });
    }
  });

  it('FLUSHALL forgets every stream: the next publish starts a new epoch at offset 1', async () => {
    const [a, b] = await pair('flushed');
    await a!.broker.publish({ topic: 'flushed', data: '1', history: policy });
    await a!.broker.publish({ topic: 'flushed', data: '2', history: policy });
    const before = await b!.broker.history('flushed', { limit: 10, policy });
    expect(before.offset).toBe(2);

    const admin = await adminClient(redis.url);
    try {
      await admin.flushAll();
    } finally {
      admin.destroy();
    }
    expect(await b!.broker.history('flushed', { limit: 10, policy })).toEqual({ publications: [], offset: 0, epoch: '' });
    // FLUSHALL deletes keys only; the nodes' channel subscriptions stay, so delivery goes on.
    await b!.broker.publish({ topic: 'flushed', data: '3', history: policy });
    const after = await a!.broker.history('flushed', { limit: 10, policy });
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.publications).toEqual([{ offset: 1, data: '3' }]);
    await waitFor(() => a!.node.delivered.length === 3 && b!.node.delivered.length === 3, 5_000, 'three delivered');
    expect(a!.node.delivered[2]!.position).toEqual({ offset: 1, epoch: after.epoch });
  });

  it('while starting, a read waits up to historyTimeoutMs for Redis: refused when it does not come, answered when it does', async () => {
    const port = await freePort();
    const node = new RecordingNode(uniqueNodeId('early'));
    const broker = redisBroker({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'early:', startTimeoutMs: 100, maxReconnectDelayMs: 50, historyTimeoutMs: 300 });
    open.push(broker);
    await node.start(broker); // resolves without Redis, still starting
    await expect(broker.history('t', { limit: 1, policy })).rejects.toMatchObject({ code: 'not_connected' });

    const slow = redisBroker({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'early:', startTimeoutMs: 100, maxReconnectDelayMs: 50, historyTimeoutMs: 10_000 });
    open.push(slow);
    await new RecordingNode(uniqueNodeId('slow')).start(slow);
    const read = slow.history('t', { limit: 1, policy });
    const late = await RedisServer.start(port);
    try {
      expect(await read).toEqual({ publications: [], offset: 0, epoch: '' });
    } finally {
      await Promise.all(open.splice(0).map((b) => b.close()));
      await late.stop();
    }
  });

  it('a failed append rejects the publish with history_failed, reaches nobody and counts as dropped', async () => {
    const [a, b] = await pair('broken');
    const admin = await adminClient(redis.url);
    try {
      // Something else holds the meta key (a foreign writer): the script gets WRONGTYPE.
      await admin.set(`r${prefixSeq}:hmeta:broken`, 'not a hash');
      await expect(a!.broker.publish({ topic: 'broken', data: '1', history: policy })).rejects.toMatchObject({ code: 'history_failed' });
      expect((await a!.broker.status()).droppedPublishes).toBe(1);
      await admin.del(`r${prefixSeq}:hmeta:broken`);
    } finally {
      admin.destroy();
    }
    await a!.broker.publish({ topic: 'broken', data: '2', history: policy });
    await waitFor(() => b!.node.delivered.length === 1, 5_000, 'the next one delivered');
    expect(b!.node.delivered[0]).toMatchObject({ data: '2', position: { offset: 1 } });
    expect(a!.node.dataOf('broken')).toEqual(['2']);
  });
});
