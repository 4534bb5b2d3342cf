/** The shared Broker contract suite, run against the Redis broker on a real redis-server. */
import { afterAll, beforeAll, describe } from 'vitest';
import { describeBrokerContract } from '@firetower/server/testing';
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
    return {
      async create(count) {
        if (!redis) throw new Error('redis-server did not start');
        const url = redis.url;
        return Array.from({ length: count }, () => redisBroker({ url, keyPrefix }));
      },
      async teardown() {},
    };
  });
});
