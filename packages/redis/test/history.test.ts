/** History in the Redis broker: offsets, delivery with positions, reads and trims, on a real redis-server. */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerMessage, HistoryPolicy } from '@firetower/server';
import { type RedisBroker, redisBroker, type RedisBrokerOptions } from '@firetower/redis';
import { RecordingNode, uniqueNodeId, waitFor } from '@firetower/server/testing';
import { redisServerPath, SKIP_REASON, useRedisServer } from './redis-server.js';

const policy: HistoryPolicy = { size: 100, ttlMs: 60_000, metaTtlMs: 120_000 };

/** The offsets of `topic`'s deliveries on a node, in delivery order. */
function offsetsOf(node: RecordingNode, topic: string): number[] {
  return node.delivered.filter((m) => m.topic === topic).map((m) => m.position?.offset ?? Number.NaN);
}

describe.skipIf(!redisServerPath)(`redis broker history${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  const shared = useRedisServer();
  const open: RedisBroker[] = [];
  let prefixSeq = 0;
  let prefix = '';

  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  /** `count` nodes sharing a fresh key prefix. */
  async function cluster(count: number, options: RedisBrokerOptions = {}): Promise<Array<{ node: RecordingNode; broker: RedisBroker }>> {
    prefix = `h${++prefixSeq}:`;
    const result = [];
    for (let i = 0; i < count; i++) result.push(await join(`n${i}`, options));
    return result;
  }

  /** One more node on the current prefix. */
  async function join(name: string, options: RedisBrokerOptions = {}): Promise<{ node: RecordingNode; broker: RedisBroker }> {
    const node = new RecordingNode(uniqueNodeId(name));
    const broker = redisBroker({ url: shared.redis.url, keyPrefix: prefix, ...options });
    open.push(broker);
    await node.start(broker);
    return { node, broker };
  }

  /** Local subscribers of `topic` on each node, with the channel subscription confirmed. */
  async function listen(nodes: Array<{ node: RecordingNode; broker: RedisBroker }>, topic: string): Promise<void> {
    for (const { node, broker } of nodes) {
      node.setCounts({ [topic]: 1 });
      await broker.count(topic); // settles this node's SUBSCRIBE first
    }
  }

  it('numbers publishes from 1 across nodes and delivers each once everywhere, the origin included, with its position', async () => {
    const [a, b] = await cluster(2);
    await listen([a!, b!], 'room');
    await a!.broker.publish({ topic: 'room', data: '"a1"', history: policy });
    // Not delivered at the call: the position comes from Redis, with the echo.
    expect(a!.node.delivered).toEqual([]);
    await waitFor(() => a!.node.delivered.length === 1 && b!.node.delivered.length === 1, 5_000, 'first delivery');
    await b!.broker.publish({ topic: 'room', data: '"b1"', history: policy });
    await a!.broker.publish({ topic: 'room', data: '"a2"', history: policy, exclude: 'client-9' });
    await waitFor(() => a!.node.delivered.length === 3 && b!.node.delivered.length === 3, 5_000, 'three deliveries');

    const epoch = a!.node.delivered[0]!.position!.epoch;
    expect(epoch).toMatch(/^[\w-]{1,64}$/);
    const expected: BrokerMessage[] = [
      { topic: 'room', data: '"a1"', position: { offset: 1, epoch } },
      { topic: 'room', data: '"b1"', position: { offset: 2, epoch } },
      { topic: 'room', data: '"a2"', exclude: 'client-9', position: { offset: 3, epoch } },
    ];
    expect(a!.node.delivered).toEqual(expected);
    expect(b!.node.delivered).toEqual(expected);

    // Another topic has its own offsets; a publish without history has no position and stays local-first.
    await listen([a!], 'other');
    await b!.broker.publish({ topic: 'other', data: '1', history: policy });
    await a!.broker.publish({ topic: 'other', data: '"plain"' });
    expect(a!.node.dataOf('other')).toEqual(['"plain"']);
    await waitFor(() => a!.node.dataOf('other').length === 2, 5_000, 'other topic');
    expect(offsetsOf(a!.node, 'other')).toEqual([Number.NaN, 1]);
  });

  it('reads what was published while a node was away, newest `limit` after a position, oldest first', async () => {
    const [a] = await cluster(1);
    for (let i = 1; i <= 10; i++) await a!.broker.publish({ topic: 'feed', data: JSON.stringify({ i }), history: policy });
    // A node that joins later: nothing was delivered to it, the stream has it all.
    const late = await join('late');
    const all = await late.broker.history('feed', { limit: 100, policy });
    expect(all.offset).toBe(10);
    expect(all.epoch).not.toBe('');
    expect(all.publications).toEqual(Array.from({ length: 10 }, (_, i) => ({ offset: i + 1, data: JSON.stringify({ i: i + 1 }) })));

    const after7 = await late.broker.history('feed', { after: 7, limit: 100, policy });
    expect(after7.publications.map((p) => p.offset)).toEqual([8, 9, 10]);
    const newest2 = await late.broker.history('feed', { after: 3, limit: 2, policy });
    expect(newest2.publications.map((p) => p.offset)).toEqual([9, 10]);
    expect(await late.broker.history('feed', { after: 10, limit: 5, policy })).toEqual({ publications: [], offset: 10, epoch: all.epoch });
    // limit 0: the position only.
    expect(await late.broker.history('feed', { limit: 0, policy })).toEqual({ publications: [], offset: 10, epoch: all.epoch });
    // One read never carries more than the policy keeps.
    const capped = await late.broker.history('feed', { limit: 1_000, policy: { ...policy, size: 4 } });
    expect(capped.publications.map((p) => p.offset)).toEqual([7, 8, 9, 10]);
  });

  it('answers an unknown stream with offset 0 and no epoch, and a read creates nothing', async () => {
    const [a] = await cluster(1);
    expect(await a!.broker.history('never', { limit: 10, policy })).toEqual({ publications: [], offset: 0, epoch: '' });
    expect(await shared.admin.keys(`${prefix}h*`)).toEqual([]);
  });

  it('keeps at most `size` publications per topic', async () => {
    const [a] = await cluster(1);
    const small = { ...policy, size: 3 };
    for (let i = 1; i <= 8; i++) await a!.broker.publish({ topic: 'sized', data: String(i), history: small });
    await waitFor(async () => (await a!.broker.history('sized', { limit: 0, policy: small })).offset === 8, 5_000, 'eight appended');
    const read = await a!.broker.history('sized', { limit: 100, policy: small });
    expect(read.publications).toEqual([
      { offset: 6, data: '6' },
      { offset: 7, data: '7' },
      { offset: 8, data: '8' },
    ]);
    expect(await shared.admin.xLen(`${prefix}hist:sized`)).toBe(3);
  });

  it('drops publications older than ttlMs from reads and from Redis, and keeps the position', async () => {
    const [a] = await cluster(1);
    const short = { size: 100, ttlMs: 300, metaTtlMs: 60_000 };
    await a!.broker.publish({ topic: 'fresh', data: '"old"', history: short });
    await waitFor(async () => (await a!.broker.history('fresh', { limit: 10, policy: short })).publications.length === 1, 5_000, 'stored');
    // Past the TTL the read no longer returns it, whether or not Redis has dropped it yet.
    await waitFor(async () => (await a!.broker.history('fresh', { limit: 10, policy: short })).publications.length === 0, 5_000, 'expired from reads');
    await a!.broker.publish({ topic: 'fresh', data: '"new"', history: short });
    await waitFor(async () => (await a!.broker.history('fresh', { limit: 0, policy: short })).offset === 2, 5_000, 'second appended');
    // The append trimmed the expired entry (not only the read filtering it out).
    expect(await shared.admin.xLen(`${prefix}hist:fresh`)).toBe(1);
    const read = await a!.broker.history('fresh', { limit: 10, policy: short });
    expect(read.publications).toEqual([{ offset: 2, data: '"new"' }]);
    // Idle past the TTL, the stream key itself expires; the meta (position) outlives it.
    await waitFor(async () => (await shared.admin.exists(`${prefix}hist:fresh`)) === 0, 5_000, 'stream key expired');
    expect(await a!.broker.history('fresh', { limit: 10, policy: short })).toEqual({ publications: [], offset: 2, epoch: read.epoch });
  });

  it('forgets the position metaTtlMs after the last publish: the next publish starts a new epoch at 1', async () => {
    const [a] = await cluster(1);
    const brief = { size: 10, ttlMs: 200, metaTtlMs: 400 };
    await listen([a!], 'brief');
    await a!.broker.publish({ topic: 'brief', data: '1', history: brief });
    await a!.broker.publish({ topic: 'brief', data: '2', history: brief });
    await waitFor(() => a!.node.delivered.length === 2, 5_000, 'two');
    const first = a!.node.delivered[0]!.position!.epoch;
    await waitFor(async () => (await a!.broker.history('brief', { limit: 10, policy: brief })).epoch === '', 5_000, 'meta forgotten');
    await a!.broker.publish({ topic: 'brief', data: '3', history: brief });
    await waitFor(() => a!.node.delivered.length === 3, 5_000, 'third');
    const third = a!.node.delivered[2]!.position!;
    expect(third.offset).toBe(1);
    expect(third.epoch).not.toBe(first);
  });

  it('gives concurrent publishers of one topic one order: every node sees offsets 1..n with no gap', async () => {
    const [a, b, c] = await cluster(3);
    await listen([a!, b!, c!], 'race');
    const perNode = 300;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < perNode; i++) {
      sends.push(a!.broker.publish({ topic: 'race', data: JSON.stringify(`a${i}`), history: policy }));
      sends.push(b!.broker.publish({ topic: 'race', data: JSON.stringify(`b${i}`), history: policy }));
    }
    await Promise.all(sends);
    const total = perNode * 2;
    for (const { node } of [a!, b!, c!]) await waitFor(() => node.delivered.length === total, 10_000, `all on ${node.nodeId}`);
    const expectedOffsets = Array.from({ length: total }, (_, i) => i + 1);
    const reference = a!.node.dataOf('race');
    for (const { node } of [a!, b!, c!]) {
      expect(offsetsOf(node, 'race')).toEqual(expectedOffsets);
      // The same data at the same offset everywhere, and each publisher's own order kept.
      expect(node.dataOf('race')).toEqual(reference);
    }
    const fromA = reference.filter((d) => d.startsWith('"a'));
    expect(fromA).toEqual(Array.from({ length: perNode }, (_, i) => JSON.stringify(`a${i}`)));
    // The stream holds the newest `size`, at the offsets they were delivered with.
    const read = await c!.broker.history('race', { limit: 100, policy });
    expect(read.publications.map((p) => p.offset)).toEqual(expectedOffsets.slice(-100));
    expect(read.publications.map((p) => p.data)).toEqual(reference.slice(-100));
  });

  it('carries data text byte for byte through the stream and the channel', async () => {
    const [a, b] = await cluster(2);
    await listen([b!], 't');
    const data = '{"text":"line1\\nline2 \\u00e9 ✓ \\"q\\"","n":[1,2],"pipe":"a|b"}';
    await a!.broker.publish({ topic: 't', data, history: policy, exclude: 'c"1' });
    await waitFor(() => b!.node.delivered.length === 1, 5_000, 'delivered');
    expect(b!.node.delivered[0]).toMatchObject({ data, exclude: 'c"1', position: { offset: 1 } });
    expect((await a!.broker.history('t', { limit: 1, policy })).publications).toEqual([{ offset: 1, data }]);
  });
});
