/** The shared Broker contract suite, run against the Redis broker on a real redis-server. */
import { afterAll, beforeAll, describe } from 'vitest';
import { describeBrokerContract, startLinkProxy, type LinkProxy } from '@firetower/server/testing';
import { redisBroker } from '@firetower/redis';
import { RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';

describe.skipIf(!redisServerPath)(`redis${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer | undefined;
  let run = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  describeBrokerContract('redis', () => {
    // A fresh key prefix per test: one redis-server, no state shared between tests.
    const keyPrefix = `contract${++run}:`;
    // Each broker reaches Redis through its own proxy, so a test can cut or slow one node's link.
    let proxies: LinkProxy[] = [];
    return {
      async create(count) {
        if (!redis) throw new Error('redis-server did not start');
        const port = Number(new URL(redis.url).port);
        proxies = await Promise.all(Array.from({ length: count }, () => startLinkProxy(port)));
        return proxies.map((proxy) => redisBroker({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix }));
      },
      async teardown() {
        await Promise.all(proxies.map((proxy) => proxy.close()));
        proxies = [];
      },
      link: (index) => proxies[index]!,
      // A Redis restart with persistence off: every stream and its position are lost.
      async restartHistory() {
        if (!redis) throw new Error('redis-server did not start');
        await redis.kill();
        await redis.spawn();
      },
    };
  });
});
