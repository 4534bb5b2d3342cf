/** The Redis broker on its own, against a real redis-server, with recording nodes. */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerOverflowError } from '@firetower/server';
import { type RedisBroker, RedisBrokerError, redisBroker, type RedisBrokerOptions } from '@firetower/redis';
import { RecordingNode, uniqueNodeId, waitFor } from '@firetower/server/testing';
import { freePort, RedisServer, redisServerPath, SKIP_REASON, useRedisServer } from './redis-server.js';

describe.skipIf(!redisServerPath)(`redis broker${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  const shared = useRedisServer();
  const open: RedisBroker[] = [];
  let prefixSeq = 0;
  let prefix = '';

  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  /** Start `count` nodes sharing a fresh key prefix (tests never see each other's keys). */
  async function cluster(count: number, options: RedisBrokerOptions = {}): Promise<Array<{ node: RecordingNode; broker: RedisBroker }>> {
    prefix = `t${++prefixSeq}:`;
    const result = [];
    for (let i = 0; i < count; i++) {
      const node = new RecordingNode(uniqueNodeId(`n${i}`));
      const broker = redisBroker({ url: shared.redis.url, keyPrefix: prefix, ...options });
      open.push(broker);
      await node.start(broker);
      result.push({ node, broker });
    }
    return result;
  }

  const numsub = async (topic: string) => {
    const reply = await shared.admin.pubSubNumSub(`${prefix}t:${topic}`);
    return Number(reply[`${prefix}t:${topic}`] ?? 0);
  };

  it('relays a publish to the nodes with subscribers, once each, and delivers locally at the call', async () => {
    const [a, b, c] = await cluster(3);
    a!.node.setCounts({ room: 1 });
    b!.node.setCounts({ room: 2 });
    await waitFor(async () => (await a!.broker.count('room')) === 3, 5_000, 'count 3');

    await c!.broker.publish({ topic: 'room', data: '{"n":1}' });
    // The publisher's own node got it synchronously, before Redis was involved.
    expect(c!.node.dataOf('room')).toEqual(['{"n":1}']);
    await waitFor(() => a!.node.dataOf('room').length === 1 && b!.node.dataOf('room').length === 1, 5_000, 'relay');

    await a!.broker.publish({ topic: 'room', data: '"from a"' });
    await waitFor(() => b!.node.dataOf('room').length === 2, 5_000, 'relay from a');
    // a's own echo from Redis is dropped: it holds the message exactly once.
    await b!.broker.publish({ topic: 'room', data: '"marker"' });
    await waitFor(() => a!.node.dataOf('room').includes('"marker"'), 5_000, 'marker');
    expect(a!.node.dataOf('room')).toEqual(['{"n":1}', '"from a"', '"marker"']);
  });

  it('subscribes in Redis only on nodes with local subscribers (first-subscribe / last-unsubscribe)', async () => {
    const [a, b] = await cluster(2);
    expect(await numsub('lobby')).toBe(0);
    a!.node.setCounts({ lobby: 1 });
    await waitFor(async () => (await numsub('lobby')) === 1, 5_000, 'a subscribed');
    a!.node.setCounts({ lobby: 5 }); // not a transition: no second subscription
    b!.node.setCounts({ lobby: 1 });
    await waitFor(async () => (await numsub('lobby')) === 2, 5_000, 'b subscribed');
    a!.node.setCounts({ lobby: 0 });
    await waitFor(async () => (await numsub('lobby')) === 1, 5_000, 'a unsubscribed');
    b!.node.setCounts({ lobby: 0 });
    await waitFor(async () => (await numsub('lobby')) === 0, 5_000, 'b unsubscribed');
    // A node without interest receives nothing, not even to drop it.
    await b!.broker.publish({ topic: 'lobby', data: '1' });
    await a!.broker.publish({ topic: 'other', data: '2' });
    expect(a!.node.dataOf('lobby')).toEqual([]);
  });

  it('keeps cluster-wide counts and sorted topics, and tells other nodes what changed', async () => {
    const [a, b] = await cluster(2);
    a!.node.setCounts({ x: 2, y: 1 });
    b!.node.setCounts({ x: 3, z: 4 });
    expect(await b!.broker.count('x')).toBe(5); // b's own writes are settled before its read
    await waitFor(async () => (await b!.broker.count('y')) === 1, 5_000, 'a counts visible');
    expect(await a!.broker.topics()).toEqual([
      { topic: 'x', count: 5 },
      { topic: 'z', count: 4 },
      { topic: 'y', count: 1 },
    ]);
    expect(await a!.broker.count('nothing')).toBe(0);
    await waitFor(() => a!.node.countChanges.some((t) => t.includes('z')), 5_000, 'a told about z');
    b!.node.setCounts({ x: 0 });
    expect(await b!.broker.count('x')).toBe(2);
    await waitFor(() => a!.node.countChanges.some((t) => t.length === 1 && t[0] === 'x'), 5_000, 'a told about x');
  });

  it('carries exclude and keeps data text byte for byte', async () => {
    const [a, b] = await cluster(2);
    a!.node.setCounts({ t: 1 });
    await a!.broker.count('t');
    const data = '{"text":"line1\\nline2 \\u00e9 ✓","n":[1,2]}';
    await b!.broker.publish({ topic: 't', data, exclude: 'client-7' });
    await b!.broker.publish({ topic: 't', data: 'null' });
    await waitFor(() => a!.node.delivered.length === 2, 5_000, 'two deliveries');
    expect(a!.node.delivered).toEqual([
      { topic: 't', data, exclude: 'client-7' },
      { topic: 't', data: 'null' },
    ]);
  });

  it('keeps one publisher’s messages in order on every node', async () => {
    const [a, b, c] = await cluster(3);
    a!.node.setCounts({ seq: 1 });
    b!.node.setCounts({ seq: 1 });
    await a!.broker.count('seq');
    await b!.broker.count('seq');
    const sent = Array.from({ length: 2_000 }, (_, i) => String(i));
    await Promise.all(sent.map((data) => c!.broker.publish({ topic: 'seq', data })));
    await waitFor(() => a!.node.delivered.length === 2_000 && b!.node.delivered.length === 2_000, 10_000, 'all delivered');
    expect(a!.node.dataOf('seq')).toEqual(sent);
    expect(b!.node.dataOf('seq')).toEqual(sent);
  });

  it('runs control commands on every node, the caller included, exactly once', async () => {
    const [a, b, c] = await cluster(3);
    await a!.broker.control({ kind: 'kickUser', userId: 'u1', reason: 'bye' });
    await b!.broker.control({ kind: 'removeTopic', topic: 'gone' });
    await c!.broker.control({ kind: 'unsubscribeUser', userId: 'u2', topic: 'r' });
    const expected = [
      { kind: 'kickUser', userId: 'u1', reason: 'bye' },
      { kind: 'removeTopic', topic: 'gone' },
      { kind: 'unsubscribeUser', userId: 'u2', topic: 'r' },
    ];
    for (const { node } of [a!, b!, c!]) {
      await waitFor(() => node.commands.length === 3, 5_000, `controls on ${node.nodeId}`);
    }
    // Each node saw all three (order across publishers is not promised).
    for (const { node } of [a!, b!, c!]) expect(new Set(node.commands.map((c) => JSON.stringify(c)))).toEqual(new Set(expected.map((c) => JSON.stringify(c))));
  });

  it('ignores malformed messages on its channels', async () => {
    const [a, b] = await cluster(2);
    a!.node.setCounts({ t: 1 });
    await a!.broker.count('t');
    for (const junk of ['', 'no header', '[1]\n{}', '{not json\n1', '["x", 5]\n1']) await shared.admin.publish(`${prefix}t:t`, junk);
    for (const junk of ['', '{}', '[]', '{"o":"x","k":"control","c":{"kind":"nope"}}', '{"o":"x","k":"counts","t":[1]}']) {
      await shared.admin.publish(`${prefix}control`, junk);
    }
    await b!.broker.publish({ topic: 't', data: '"ok"' });
    await waitFor(() => a!.node.delivered.length > 0, 5_000, 'good message');
    expect(a!.node.dataOf('t')).toEqual(['"ok"']);
    expect(a!.node.commands).toEqual([]);
  });

  it('reports status with the live nodes', async () => {
    const [a, b] = await cluster(2);
    a!.node.setCounts({ s: 1, s2: 1 });
    await a!.broker.count('s');
    const status = await b!.broker.status();
    expect(status).toMatchObject({ kind: 'redis', connected: true, pendingPublishes: 0, droppedPublishes: 0 });
    const ids = (status.nodes ?? []).map((n) => n.nodeId).sort();
    expect(ids).toEqual([a!.node.nodeId, b!.node.nodeId].sort());
    expect(status.nodes?.find((n) => n.nodeId === a!.node.nodeId)?.topics).toBe(2);
  });

  it('drops a closed node’s counts at once and tells the others', async () => {
    const [a, b] = await cluster(2);
    a!.node.setCounts({ c: 2 });
    b!.node.setCounts({ c: 1 });
    await waitFor(async () => (await a!.broker.count('c')) === 3, 5_000, 'count 3');
    await b!.broker.close();
    expect(await a!.broker.count('c')).toBe(2);
    await waitFor(() => a!.node.countChanges.some((t) => t.includes('c')), 5_000, 'notice');
    await expect(b!.broker.publish({ topic: 'c', data: '1' })).rejects.toMatchObject({ code: 'broker_closed' });
    await b!.broker.close(); // idempotent
  });

  it('starts while Redis is unreachable, serves locally, and joins once Redis appears', async () => {
    const port = await freePort();
    const node = new RecordingNode(uniqueNodeId('early'));
    const early = redisBroker({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'early:', startTimeoutMs: 200, maxReconnectDelayMs: 100 });
    open.push(early);
    await node.start(early); // resolves after startTimeoutMs although nothing listens
    expect(early.brokerState).toBe('starting');
    node.setCounts({ t: 2 });
    await early.publish({ topic: 't', data: '"early"' });
    expect(node.dataOf('t')).toEqual(['"early"']); // local delivery does not wait for Redis
    expect(await early.status()).toMatchObject({ connected: false, pendingPublishes: 1 });
    expect(await early.count('t')).toBe(2); // answered from local counts meanwhile
    expect(await early.topics()).toEqual([{ topic: 't', count: 2 }]);

    const late = await RedisServer.start(port);
    try {
      await waitFor(async () => (await early.status()).connected, 10_000, 'early connected');
      expect((await early.status()).pendingPublishes).toBe(0);
      const other = new RecordingNode(uniqueNodeId('other'));
      const otherBroker = redisBroker({ url: late.url, keyPrefix: 'early:' });
      open.push(otherBroker);
      await otherBroker.start(other);
      expect(await otherBroker.count('t')).toBe(2);
    } finally {
      await Promise.all(open.splice(0).map((b) => b.close()));
      await late.stop();
    }
  });

  it('closes cleanly while Redis never appeared, dropping what it buffered', async () => {
    const broker = redisBroker({ url: `redis://127.0.0.1:${await freePort()}`, startTimeoutMs: 50 });
    const node = new RecordingNode();
    await broker.start(node);
    await broker.publish({ topic: 't', data: '1' });
    expect((await broker.status()).pendingPublishes).toBe(1);
    await broker.close();
    expect(broker.brokerState).toBe('closed');
    expect((await broker.status()).pendingPublishes).toBe(0);
    await expect(broker.count('t')).rejects.toMatchObject({ code: 'broker_closed' });
  });

  it('validates options', () => {
    expect(() => redisBroker({ leaseMs: 10 })).toThrow(RedisBrokerError);
    expect(() => redisBroker({ maxBufferedPublishes: -1 })).toThrow(/maxBufferedPublishes/);
    expect(BrokerOverflowError).toBeDefined();
  });
});
