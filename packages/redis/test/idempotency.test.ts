/**
 * Idempotency keys across nodes (`publish` with `idempotencyKey`, `claimKey`) against a real
 * redis-server: what is stored, where, for how long, and how a claim fails when Redis does not
 * answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisBroker, RedisBrokerError, redisBroker, type RedisBrokerOptions } from '@firetower/redis';
import { RecordingNode, uniqueNodeId, waitFor } from '@firetower/server/testing';
import { adminClient, freePort, RedisServer, redisServerPath, SKIP_REASON, useRedisServer } from './redis-server.js';

describe.skipIf(!redisServerPath)(`redis broker idempotency keys${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  const shared = useRedisServer();
  const open: RedisBroker[] = [];
  const servers: RedisServer[] = [];
  let prefixSeq = 0;

  afterEach(async () => {
    await shared.admin.sendCommand(['CLIENT', 'UNPAUSE']);
    await Promise.all(open.splice(0).map((b) => b.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  const freshPrefix = () => `idem${++prefixSeq}:`;

  async function startNode(options: RedisBrokerOptions & { dedupeWindowMs?: number }): Promise<{ node: RecordingNode; broker: RedisBroker }> {
    const { dedupeWindowMs, ...brokerOptions } = options;
    const node = new RecordingNode(uniqueNodeId('n'), dedupeWindowMs);
    const broker = redisBroker({ url: shared.redis.url, ...brokerOptions });
    open.push(broker);
    await node.start(broker);
    return { node, broker };
  }

  async function pair(options: RedisBrokerOptions & { dedupeWindowMs?: number } = {}) {
    const keyPrefix = options.keyPrefix ?? freshPrefix();
    const a = await startNode({ ...options, keyPrefix });
    const b = await startNode({ ...options, keyPrefix });
    return { a, b, keyPrefix };
  }

  it('a keyed publish records the key where every node sees it: a claim elsewhere is refused', async () => {
    const { a, b, keyPrefix } = await pair({ dedupeWindowMs: 60_000 });
    b.node.setCounts({ room: 1 });
    await b.broker.count('room'); // b listens on the channel before a publishes
    await a.broker.publish({ topic: 'room', data: '"once"', idempotencyKey: 'client-1:p1' });
    await waitFor(() => b.node.dataOf('room').length === 1, 5_000, 'delivery on b');
    // b got the message, so the key is already there (SET went before PUBLISH on one connection).
    expect(await b.broker.claimKey('client-1:p1')).toBe(false);
    expect(await a.broker.claimKey('client-1:p1')).toBe(false);
    expect(await shared.admin.get(`${keyPrefix}idem:client-1:p1`)).toBe('1');
    const ttl = await shared.admin.pTTL(`${keyPrefix}idem:client-1:p1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // Nodes ignore the key on delivery: it is not carried to subscribers.
    expect(b.node.delivered).toEqual([{ topic: 'room', data: '"once"' }]);
    // An unkeyed publish records nothing.
    await a.broker.publish({ topic: 'room', data: '"plain"' });
    await waitFor(() => b.node.dataOf('room').length === 2, 5_000, 'second delivery');
    expect((await shared.admin.keys(`${keyPrefix}idem*`)).sort()).toEqual([`${keyPrefix}idem:client-1:p1`]);
  });

  it('sends the SET on the publishing connection right before its PUBLISH', async () => {
    const { a, keyPrefix } = await pair();
    const monitor = await adminClient(shared.redis.url);
    const lines: string[] = [];
    try {
      await monitor.monitor((line: string) => void lines.push(line));
      await a.broker.publish({ topic: 'm', data: '1', idempotencyKey: 'mk' });
      await waitFor(() => lines.some((l) => l.includes('"PUBLISH"') && l.includes(`${keyPrefix}t:m`)), 5_000, 'PUBLISH monitored');
    } finally {
      monitor.destroy();
    }
    const publishLine = lines.find((l) => l.includes('"PUBLISH"') && l.includes(`${keyPrefix}t:m`))!;
    const connection = /\[\d+ ([^\]]+)\]/.exec(publishLine)?.[1];
    expect(connection).toBeDefined();
    const fromConnection = lines.filter((l) => l.includes(`${connection}]`));
    const at = fromConnection.indexOf(publishLine);
    expect(fromConnection[at - 1]).toContain(`"SET" "${keyPrefix}idem:mk" "1" "PX" "60000"`);
  });

  it('a fresh claim is granted once, then refused on every node', async () => {
    const { a, b } = await pair();
    expect(await a.broker.claimKey('job-7')).toBe(true);
    expect(await a.broker.claimKey('job-7')).toBe(false);
    expect(await b.broker.claimKey('job-7')).toBe(false);
    // Racing claims of one key from two nodes: exactly one wins.
    const results = await Promise.all([a.broker.claimKey('race'), b.broker.claimKey('race'), a.broker.claimKey('race')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    // Several claims in one turn (one pipelined write) each get their own answer.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => b.broker.claimKey(`many-${i % 10}`)));
    expect(many.slice(0, 10).every((fresh) => fresh)).toBe(true);
    expect(many.slice(10).some((fresh) => fresh)).toBe(false);
  });

  it('forgets a key after dedupeWindowMs', async () => {
    // Long enough that the checks right after the publish cannot race the expiry on a busy machine.
    const { a, b, keyPrefix } = await pair({ dedupeWindowMs: 1_000 });
    await a.broker.publish({ topic: 'x', data: '1', idempotencyKey: 'short' });
    // Asked on the publishing connection, so the SET has run when the answer comes.
    expect(await a.broker.claimKey('short')).toBe(false);
    const ttl = await shared.admin.pTTL(`${keyPrefix}idem:short`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);
    // A claim after expiry is granted (and records the key again), so poll with claims.
    await waitFor(() => b.broker.claimKey('short'), 5_000, 'key expired');
    expect(await a.broker.claimKey('short')).toBe(false);
  });

  it('with dedupeWindowMs 0 records nothing and grants every claim', async () => {
    const { a, b, keyPrefix } = await pair({ dedupeWindowMs: 0 });
    b.node.setCounts({ z: 1 });
    await b.broker.count('z');
    await a.broker.publish({ topic: 'z', data: '1', idempotencyKey: 'k0' });
    await waitFor(() => b.node.dataOf('z').length === 1, 5_000, 'delivery');
    expect(await b.broker.claimKey('k0')).toBe(true);
    expect(await b.broker.claimKey('k0')).toBe(true);
    expect(await shared.admin.keys(`${keyPrefix}idem*`)).toEqual([]);
  });

  it('keeps keys of different prefixes apart, and stores long keys by their hash', async () => {
    const one = await pair({ keyPrefix: freshPrefix() });
    const two = await pair({ keyPrefix: freshPrefix() });
    expect(await one.a.broker.claimKey('shared')).toBe(true);
    expect(await two.a.broker.claimKey('shared')).toBe(true);
    expect(await one.b.broker.claimKey('shared')).toBe(false);
    expect(await two.b.broker.claimKey('shared')).toBe(false);
    expect(await shared.admin.get(`${one.keyPrefix}idem:shared`)).toBe('1');
    expect(await shared.admin.get(`${two.keyPrefix}idem:shared`)).toBe('1');

    const long = 'k'.repeat(10_000);
    await one.a.broker.publish({ topic: 'l', data: '1', idempotencyKey: long });
    expect(await one.a.broker.claimKey(long)).toBe(false); // same connection: the SET has run
    expect(await one.b.broker.claimKey(long)).toBe(false);
    expect(await one.b.broker.claimKey(`${long}x`)).toBe(true);
    const stored = await shared.admin.keys(`${one.keyPrefix}idemh:*`);
    expect(stored).toHaveLength(2);
    for (const key of stored) expect(key).toMatch(new RegExp(`^${one.keyPrefix}idemh:[0-9a-f]{64}$`));
  });

  it('rejects a claim at once while Redis is unreachable, and bounds a claim Redis does not answer', async () => {
    // Never connected.
    const nowhere = redisBroker({ url: `redis://127.0.0.1:${await freePort()}`, startTimeoutMs: 50 });
    open.push(nowhere);
    await nowhere.start(new RecordingNode(uniqueNodeId('nowhere')));
    const refused = await nowhere.claimKey('k').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RedisBrokerError);
    expect(refused).toMatchObject({ code: 'not_connected' });

    // Connected, but Redis holds every write (CLIENT PAUSE): the claim hits its deadline...
    const { a, b, keyPrefix } = await pair({ claimTimeoutMs: 100 });
    await shared.admin.sendCommand(['CLIENT', 'PAUSE', '30000', 'WRITE']);
    const late = await a.broker.claimKey('paused').catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'claim_timeout' });
    // ...while a keyed publish does not wait for its SET.
    await a.broker.publish({ topic: 'p', data: '1', idempotencyKey: 'during-pause' });
    expect(a.node.dataOf('p')).toEqual(['1']);
    await shared.admin.sendCommand(['CLIENT', 'UNPAUSE']);
    await waitFor(async () => (await shared.admin.get(`${keyPrefix}idem:during-pause`)) === '1', 5_000, 'held SET ran');
    expect(await b.broker.claimKey('during-pause')).toBe(false);

    // Closed.
    await b.broker.close();
    await expect(b.broker.claimKey('x')).rejects.toMatchObject({ code: 'broker_closed' });
  });

  it('keeps the key with a publish buffered during an outage and records it at the flush', async () => {
    const own = await RedisServer.start();
    servers.push(own);
    const keyPrefix = freshPrefix();
    const a = await startNode({ url: own.url, keyPrefix, maxReconnectDelayMs: 100 });
    expect(await a.broker.claimKey('before')).toBe(true);
    await own.kill();
    await waitFor(() => a.broker.brokerState === 'degraded', 5_000, 'degraded');
    await expect(a.broker.claimKey('during')).rejects.toMatchObject({ code: 'not_connected' });
    await a.broker.publish({ topic: 'q', data: '1', idempotencyKey: 'buffered' });
    expect((await a.broker.status()).pendingPublishes).toBe(1);

    await own.spawn(); // empty: 'before' is gone, 'buffered' is written by the flush
    await waitFor(async () => (await a.broker.status()).connected, 10_000, 'reconnected');
    const b = await startNode({ url: own.url, keyPrefix });
    expect(await b.broker.claimKey('buffered')).toBe(false);
    expect(await b.broker.claimKey('before')).toBe(true);
  });
});
