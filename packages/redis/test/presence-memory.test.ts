/**
 * What presence costs in Redis, measured with MEMORY USAGE (SAMPLES 0: every field counted) on a
 * real redis-server: one node holding N members of one topic, info `{"name":"User <i>"}`. Logged
 * for the README, with a loose bound so a layout change that bloats it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceUpdate } from '@firetower/server';
import { RecordingNode, uniqueNodeId } from '@firetower/server/testing';
import { type RedisBroker, redisBroker } from '@firetower/redis';
import { adminClient, RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';

describe.skipIf(!redisServerPath)(`redis presence memory${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it.each([100, 10_000])('%i members of one topic on one node', async (count) => {
    const prefix = `mem${count}:`;
    const topic = '/room/lobby';
    const node = new RecordingNode(uniqueNodeId('mem'));
    const broker: RedisBroker = redisBroker({ url: redis.url, keyPrefix: prefix });
    const admin = await adminClient(redis.url);
    try {
      await node.start(broker);
      const updates: PresenceUpdate[] = Array.from({ length: count }, (_, i) => ({
        topic,
        memberId: `user-${100_000 + i}`,
        info: JSON.stringify({ name: `User ${i}` }),
        connections: 1,
      }));
      broker.updatePresence(updates);
      expect((await broker.presence(topic, 1)).total).toBe(count);
      const usage = async (key: string) => Number(await admin.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']));
      const members = await usage(`${prefix}pres:${topic}`);
      const shares = await usage(`${prefix}pshare:${node.nodeId}`);
      const perMember = (members + shares) / count;
      console.log(
        `presence memory, ${count} members: topic hash ${members} B, node shares ${shares} B, ${perMember.toFixed(1)} B per member (one node holding each)`,
      );
      expect(perMember).toBeLessThan(200);
      broker.updatePresence(updates.map((update) => ({ ...update, connections: 0 })));
      expect((await broker.presence(topic, 1)).total).toBe(0);
      expect(await admin.keys(`${prefix}p*`)).toEqual([]);
    } finally {
      await broker.close();
      admin.destroy();
    }
  });
});
