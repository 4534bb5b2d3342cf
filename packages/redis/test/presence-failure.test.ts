/**
 * A presence read Redis fails: an error reply, and a Redis that stops answering (SIGSTOP: the
 * connections stay open, nothing comes back). Either way the read rejects with `RedisBrokerError`
 * `presence_failed` within `presenceTimeoutMs`, and through the server's doors `ft.presence`
 * rejects with that code and `GET /api/presence` answers 503 `broker_unavailable`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNode, startServer, type StartedServer, uniqueNodeId, waitFor } from '@firetower/server/testing';
import { type RedisBroker, redisBroker, RedisBrokerError } from '@firetower/redis';
import type { RedisClientType } from 'redis';
import { adminClient, RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';

const TIMEOUT_MS = 200;
const TOKEN = 'presence-failure-token';

/** What `promise` settled with (its value or its error), or 'pending' when it had not after `ms`. */
async function outcomeWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.catch((error: unknown) => error), pending]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!redisServerPath)(`redis presence read failures${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer;
  let admin: RedisClientType;
  let prefixSeq = 0;
  const brokers: RedisBroker[] = [];
  const servers: StartedServer[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = await adminClient(redis.url);
  });
  afterAll(async () => {
    admin?.destroy();
    await redis?.stop();
  });
  afterEach(async () => {
    redis.resume();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(brokers.splice(0).map((b) => b.close()));
  });

  function broker(): { broker: RedisBroker; prefix: string } {
    const prefix = `pf${++prefixSeq}:`;
    const created = redisBroker({ url: redis.url, keyPrefix: prefix, presenceTimeoutMs: TIMEOUT_MS });
    brokers.push(created);
    return { broker: created, prefix };
  }

  it('an error reply rejects with presence_failed', async () => {
    const { broker: b, prefix } = broker();
    await new RecordingNode(uniqueNodeId('err')).start(b);
    await admin.set(`${prefix}pres:/room/a`, 'not a hash'); // HLEN answers WRONGTYPE
    const error = await b.presence('/room/a', 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisBrokerError);
    expect(error).toMatchObject({ code: 'presence_failed', message: expect.stringContaining('/room/a') });
    expect((error as Error).cause).toBeDefined();
  });

  it('a Redis that stops answering: rejects with presence_failed within presenceTimeoutMs, then reads again once it resumes', async () => {
    const { broker: b } = broker();
    const node = new RecordingNode(uniqueNodeId('stop'));
    await node.start(b);
    b.updatePresence([{ topic: '/room/a', memberId: 'ada', info: '{"name":"Ada"}', connections: 1 }]);
    expect((await b.presence('/room/a', 10)).total).toBe(1);

    redis.pause();
    const started = Date.now();
    const outcome = await outcomeWithin(b.presence('/room/a', 10), 10 * TIMEOUT_MS);
    const elapsed = Date.now() - started;
    expect(outcome).toBeInstanceOf(RedisBrokerError);
    expect(outcome).toMatchObject({ code: 'presence_failed', message: expect.stringMatching(/within 200 ms/) });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(5 * TIMEOUT_MS);

    redis.resume();
    await waitFor(
      () =>
        b.presence('/room/a', 10).then(
          (list) => list.total === 1,
          () => false,
        ),
      5_000,
      'presence answers again',
    );
  });

  it('through the server: ft.presence rejects with the code, GET /api/presence is a 503', async () => {
    const { broker: b } = broker();
    const server = await startServer({ broker: b, presence: [{ match: '/room/*' }], admin: { token: TOKEN } });
    servers.push(server);
    await waitFor(() => b.state === 'connected', 5_000, 'the broker joined');
    expect(await server.ft.presence('/room/a')).toEqual({ members: [], total: 0, truncated: false });

    redis.pause();
    const outcome = await outcomeWithin(server.ft.presence('/room/a'), 10 * TIMEOUT_MS);
    expect(outcome).toMatchObject({ code: 'presence_failed' });
    const res = await fetch(`${server.url}/firetower/api/presence?topic=${encodeURIComponent('/room/a')}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
      signal: AbortSignal.timeout(10 * TIMEOUT_MS),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'broker_unavailable' } });
    redis.resume();
  });
});
