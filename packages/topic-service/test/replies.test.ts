import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { claimsReply, controlReply, errorReply, nodesReply, okReply, pollReply, publishReply, registerReply, topicReply, topicsReply } from '../src/replies.js';
import { useServicePerTest } from './helpers.js';

const start = useServicePerTest();

/** The reply schemas the broker checks are the service's real answers: every endpoint, parsed. */
describe('reply schemas shared by the service and its broker', () => {
  it('every answer of a real service fits the schema the broker checks it against', async () => {
    const { call } = await start();
    const fits = async (schema: z.ZodType, reply: Promise<{ status: number; body: unknown }>) => {
      const { body } = await reply;
      const parsed = schema.safeParse(body);
      expect(parsed.success, JSON.stringify(body)).toBe(true);
    };
    await fits(registerReply, call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e' }));
    await fits(registerReply, call('POST', '/v1/nodes/register', { nodeId: 'b', epoch: 'e', previous: 'x' }));
    await fits(okReply, call('POST', '/v1/nodes/b/counts', { full: true, changes: [{ topic: 't', count: 1 }] }));
    await fits(publishReply, call('POST', '/v1/nodes/a/publish', { seq: 1, messages: [{ topic: 't', data: '1', exclude: 'c' }] }));
    await fits(controlReply, call('POST', '/v1/nodes/a/control', { seq: 2, command: { kind: 'kickUser', userId: 'u', reason: 'r' } }));
    await fits(pollReply, call('GET', '/v1/nodes/b/poll?wait=0'));
    await fits(pollReply, call('GET', '/v1/nodes/a/poll?wait=0')); // empty
    await fits(topicsReply, call('GET', '/v1/topics'));
    await fits(topicReply, call('GET', '/v1/topics/t'));
    await fits(nodesReply, call('GET', '/v1/nodes'));
    await fits(claimsReply, call('POST', '/v1/claims', { ttlMs: 1000, keys: ['k'] }));
    await fits(errorReply, call('GET', '/v1/nodes/ghost/poll'));
    await fits(okReply, call('DELETE', '/v1/nodes/a'));
  });
});
