import { describe, expect, it } from 'vitest';
import { TopicServiceCore } from '../src/service/core.js';
import { useServicePerTest } from './helpers.js';

const start = useServicePerTest();

describe('fault isolation in the service', () => {
  it('a handler that throws answers 500 JSON for that request only, is reported, and the service carries on', async () => {
    const reported: string[] = [];
    const { call, service } = await start({ onError: (_error, where) => reported.push(where) });
    await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e' });
    // A bug in one endpoint (the core method behind GET /v1/topics throws).
    service.core.topics = () => {
      throw new Error('boom');
    };
    for (let i = 0; i < 3; i++) {
      const res = await call('GET', '/v1/topics');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    }
    expect(reported).toEqual(['GET /v1/topics', 'GET /v1/topics', 'GET /v1/topics']);
    expect(service.core.errorsTotal).toBe(3);
    // Everything else still works.
    expect((await call('GET', '/healthz')).body).toEqual({ ok: true, nodes: 1 });
    expect((await call('POST', '/v1/nodes/a/counts', { changes: [{ topic: 't', count: 1 }] })).status).toBe(200);
    expect((await call('GET', '/v1/topics/t')).body.count).toBe(1);
  });

  it('a history read that throws answers 500 JSON for that request only; history publishes and later reads go on', async () => {
    const reported: string[] = [];
    const { call, service } = await start({ onError: (_error, where) => reported.push(where) });
    await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e' });
    await call('POST', '/v1/nodes/a/counts', { changes: [{ topic: 't', count: 1 }] });
    const history = service.core.history.bind(service.core);
    service.core.history = () => {
      throw new Error('boom');
    };
    const res = await call('POST', '/v1/history', { topic: 't', limit: 1 });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(reported).toEqual(['POST /v1/history']);
    const policy = { size: 10, ttlMs: 60_000, metaTtlMs: 60_000 };
    expect((await call('POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: '1', history: policy }] })).status).toBe(200);
    service.core.history = history;
    expect((await call('POST', '/v1/history', { topic: 't', limit: 1 })).body.publications).toEqual([{ offset: 1, data: '1' }]);
    const echo = await call('GET', '/v1/nodes/a/poll?wait=0');
    expect(echo.body.items).toEqual([{ kind: 'message', topic: 't', data: '1', offset: 1, epoch: expect.any(String) }]);
  });

  it('a failure inside a timer callback (a held poll answered later) is reported, never thrown out of the event loop', async () => {
    const reported: string[] = [];
    const core = new TopicServiceCore({}, (_error, where) => reported.push(where));
    try {
      const a = core.register('a', 'e').session;
      const b = core.register('b', 'e').session;
      core.setCounts('b', { session: b }, [{ topic: 't', count: 1 }], false);
      // A broken HTTP layer: the sink of b's held poll throws when answered.
      core.poll('b', { session: b }, 0, 15_000, {
        answer() {
          throw new Error('sink broke');
        },
      });
      core.publish('a', { session: a }, [{ topic: 't', data: '1' }]);
      // The answer is scheduled for the next turn (setImmediate): wait for the report.
      await new Promise<void>((resolve) => {
        const check = () => (reported.length > 0 ? resolve() : setImmediate(check));
        check();
      });
      expect(reported).toEqual(['held poll answer']);
      // The message is still queued: the next poll gets it.
      const answers: string[] = [];
      core.poll('b', { session: b }, 0, 0, { answer: (_status, json) => answers.push(json) });
      expect(JSON.parse(answers[0]!).items.map((i: { data: string }) => i.data)).toEqual(['1']);
    } finally {
      core.close();
    }
  });

  it('a presence write or list that throws answers 500 JSON for that request only; presence goes on after', async () => {
    const reported: string[] = [];
    const { call, service } = await start({ onError: (_error, where) => reported.push(where) });
    await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e' });
    await call('POST', '/v1/nodes/a/counts', { changes: [{ topic: 'p', count: 1 }] });
    const ada = { topic: 'p', memberId: 'ada', info: 'null', connections: 1 };
    const setPresence = service.core.setPresence.bind(service.core);
    const presenceList = service.core.presenceList.bind(service.core);
    service.core.setPresence = () => {
      throw new Error('boom');
    };
    service.core.presenceList = () => {
      throw new Error('boom');
    };
    const write = await call('POST', '/v1/nodes/a/presence', { updates: [ada] });
    const list = await call('GET', '/v1/topics/p/presence');
    for (const res of [write, list]) {
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
    }
    expect(reported).toEqual(['POST /v1/nodes/:id/presence', 'GET /v1/topics/:topic/presence']);
    service.core.setPresence = setPresence;
    service.core.presenceList = presenceList;
    expect((await call('POST', '/v1/nodes/a/presence', { updates: [ada] })).body).toEqual({ ok: true, refused: 0 });
    expect((await call('GET', '/v1/topics/p/presence')).body).toEqual({ topic: 'p', members: [{ memberId: 'ada', info: 'null', connections: 1 }], total: 1 });
    expect((await call('GET', '/v1/nodes/a/poll?wait=0')).body.items).toEqual([
      { kind: 'presence', topic: 'p', joined: [{ memberId: 'ada', info: 'null' }], left: [], members: 1 },
    ]);
  });
});
