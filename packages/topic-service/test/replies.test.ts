import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  claimsReply,
  controlReply,
  errorReply,
  historyReply,
  nodesReply,
  okReply,
  pollReply,
  presenceListReply,
  presenceUpdateReply,
  publishReply,
  registerReply,
  topicReply,
  topicsReply,
} from '../src/replies.js';
import { useServicePerTest } from './helpers.js';

const start = useServicePerTest();

/** The reply schemas the broker checks are the service's real answers: every endpoint, parsed. */
describe('reply schemas shared by the service and its broker', () => {
  it('every answer of a real service fits the schema the broker checks it against', async () => {
    const { call, service } = await start();
    const fits = async (schema: z.ZodType, reply: Promise<{ status: number; body: unknown }>) => {
      const { body } = await reply;
      const parsed = schema.safeParse(body);
      expect(parsed.success, JSON.stringify(body)).toBe(true);
      return parsed.data;
    };
    await fits(registerReply, call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e' }));
    await fits(registerReply, call('POST', '/v1/nodes/register', { nodeId: 'b', epoch: 'e', previous: 'x' }));
    await fits(okReply, call('POST', '/v1/nodes/b/counts', { full: true, changes: [{ topic: 't', count: 1 }] }));
    await fits(publishReply, call('POST', '/v1/nodes/a/publish', { seq: 1, messages: [{ topic: 't', data: '1', exclude: 'c' }] }));
    await fits(controlReply, call('POST', '/v1/nodes/a/control', { seq: 2, command: { kind: 'kickUser', userId: 'u', reason: 'r' } }));
    await fits(pollReply, call('GET', '/v1/nodes/b/poll?wait=0'));
    await fits(pollReply, call('GET', '/v1/nodes/a/poll?wait=0')); // empty
    const history = { size: 10, ttlMs: 60_000, metaTtlMs: 60_000 };
    service.core.endGrace(); // b's `previous` opened the restart grace, which holds relaying
    await fits(publishReply, call('POST', '/v1/nodes/a/publish', { seq: 3, messages: [{ topic: 't', data: '2', history }] }));
    const echoed = (await fits(pollReply, call('GET', '/v1/nodes/b/poll?wait=0'))) as z.output<typeof pollReply>;
    expect(echoed.items.at(-1)).toMatchObject({ kind: 'message', data: '2', offset: 1, epoch: expect.any(String) }); // the position survives the check
    await fits(historyReply, call('POST', '/v1/history', { topic: 't', limit: 10, policy: history }));
    await fits(historyReply, call('POST', '/v1/history', { topic: 'none', limit: 10 }));
    const ada = { topic: 't', memberId: 'ada', info: '{"name":"Ada"}', connections: 2 };
    await fits(presenceUpdateReply, call('POST', '/v1/nodes/b/presence', { full: true, complete: true, updates: [ada] }));
    const joined = (await fits(pollReply, call('GET', `/v1/nodes/b/poll?wait=0&ack=${echoed.cursor}`))) as z.output<typeof pollReply>;
    expect(joined.items).toEqual([{ kind: 'presence', topic: 't', joined: [{ memberId: 'ada', info: '{"name":"Ada"}' }], left: [], members: 1 }]);
    await fits(presenceListReply, call('GET', '/v1/topics/t/presence?limit=5'));
    await fits(presenceListReply, call('GET', '/v1/topics/none/presence'));
    await fits(topicsReply, call('GET', '/v1/topics'));
    await fits(topicReply, call('GET', '/v1/topics/t'));
    await fits(nodesReply, call('GET', '/v1/nodes'));
    await fits(claimsReply, call('POST', '/v1/claims', { ttlMs: 1000, keys: ['k'] }));
    await fits(errorReply, call('GET', '/v1/nodes/ghost/poll'));
    await fits(okReply, call('DELETE', '/v1/nodes/a'));
  });
});
