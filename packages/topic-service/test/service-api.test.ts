import { describe, expect, it, vi } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import type { RunningTopicService, StartTopicServiceOptions } from '../src/service/create.js';
import { api, useServicePerTest } from './helpers.js';

const startService = useServicePerTest();
let service: RunningTopicService | undefined;
async function start(options: StartTopicServiceOptions = {}) {
  const started = await startService(options);
  service = started.service;
  return started;
}

type Call = ReturnType<typeof api>;

async function register(call: Call, nodeId: string, epoch = 'e1') {
  const res = await call('POST', '/v1/nodes/register', { nodeId, epoch });
  expect(res.status).toBe(200);
  return res.body;
}

async function subscribe(call: Call, nodeId: string, topic: string, count: number) {
  const res = await call('POST', `/v1/nodes/${nodeId}/counts`, { changes: [{ topic, count }] });
  expect(res.status).toBe(200);
}

describe('topic service HTTP API', () => {
  it('answers health and registers nodes', async () => {
    const { call } = await start();
    expect((await call('GET', '/healthz')).body).toEqual({ ok: true, nodes: 0 });
    const reg = await register(call, 'a');
    expect(reg).toMatchObject({ nodeId: 'a', epoch: 'e1', leaseMs: 15000 });
    const nodes = await call('GET', '/v1/nodes');
    expect(nodes.body.nodes).toHaveLength(1);
    expect(nodes.body.nodes[0]).toMatchObject({ nodeId: 'a', topics: 0, outbox: 0, received: 0 });
    expect(nodes.body.nodes[0].epoch).toBeUndefined(); // the epoch is never listed
  });

  it('sums counts across nodes and lists topics by count, largest first', async () => {
    const { call } = await start();
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'a', '/chat/world', 2);
    await subscribe(call, 'b', '/chat/world', 3);
    await subscribe(call, 'b', '/chat/news', 1);
    await subscribe(call, 'a', '/chat/big', 9);
    expect((await call('GET', '/v1/topics')).body.topics).toEqual([
      { topic: '/chat/big', count: 9 },
      { topic: '/chat/world', count: 5 },
      { topic: '/chat/news', count: 1 },
    ]);
    expect((await call('GET', `/v1/topics/${encodeURIComponent('/chat/world')}`)).body).toEqual({
      topic: '/chat/world',
      count: 5,
      exists: true,
    });
    await subscribe(call, 'a', '/chat/world', 0);
    expect((await call('GET', `/v1/topics/${encodeURIComponent('/chat/world')}`)).body.count).toBe(3);
    expect((await call('GET', '/v1/topics/nothing')).body).toEqual({ topic: 'nothing', count: 0, exists: false });
  });

  it('a full counts update replaces the node set (resync)', async () => {
    const { call } = await start();
    await register(call, 'a');
    await subscribe(call, 'a', 'x', 1);
    await subscribe(call, 'a', 'y', 1);
    await call('POST', '/v1/nodes/a/counts', {
      full: true,
      changes: [
        { topic: 'y', count: 4 },
        { topic: 'z', count: 1 },
      ],
    });
    expect((await call('GET', '/v1/topics')).body.topics).toEqual([
      { topic: 'y', count: 4 },
      { topic: 'z', count: 1 },
    ]);
  });

  it('relays publishes only to nodes with subscribers, never back to the origin, many per response', async () => {
    const { call } = await start();
    for (const id of ['a', 'b', 'c']) await register(call, id);
    await subscribe(call, 'a', 't', 1);
    await subscribe(call, 'b', 't', 2);
    const messages = Array.from({ length: 50 }, (_, i) => ({ topic: 't', data: JSON.stringify({ i }) }));
    const pub = await call('POST', '/v1/nodes/a/publish', { messages });
    expect(pub.body).toEqual({ ok: true, accepted: 50, deliveries: 50, held: 0, duplicates: 0 });

    const b = await call('GET', '/v1/nodes/b/poll?wait=0');
    expect(b.body).toMatchObject({ from: 1, cursor: 50, dropped: 0 });
    expect(b.body.items).toHaveLength(50);
    expect(b.body.items.map((m: { data: string }) => JSON.parse(m.data).i)).toEqual(messages.map((_, i) => i));
    expect(b.body.items[0]).toEqual({ kind: 'message', topic: 't', data: '{"i":0}' });

    const a = await call('GET', '/v1/nodes/a/poll?wait=0');
    expect(a.body.items).toEqual([]);
    const c = await call('GET', '/v1/nodes/c/poll?wait=0');
    expect(c.body.items).toEqual([]);
    const nodes = (await call('GET', '/v1/nodes')).body.nodes;
    expect(nodes.map((n: { nodeId: string; received: number }) => [n.nodeId, n.received])).toEqual([
      ['a', 0],
      ['b', 50],
      ['c', 0],
    ]);
  });

  it('holds a poll until something is queued, then answers with it', async () => {
    const { call } = await start();
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'b', 't', 1);
    const polling = call('GET', '/v1/nodes/b/poll?wait=15000');
    await waitFor(async () => (await call('GET', '/v1/nodes')).body.nodes[1].polling === true, 5000, 'poll held');
    await call('POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: '1', exclude: 'client-1' }] });
    const res = await polling;
    expect(res.body.items).toEqual([{ kind: 'message', topic: 't', data: '1', exclude: 'client-1' }]);
  });

  it('keeps messages until acknowledged: a dropped poll response comes again, once', async () => {
    const { call } = await start();
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'b', 't', 1);
    await call('POST', '/v1/nodes/a/publish', {
      messages: [
        { topic: 't', data: '"m1"' },
        { topic: 't', data: '"m2"' },
      ],
    });
    // The node "loses" this response: it never acknowledges cursor 2.
    const lost = await call('GET', '/v1/nodes/b/poll?ack=0&wait=0');
    expect(lost.body).toMatchObject({ from: 1, cursor: 2 });
    await call('POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: '"m3"' }] });
    const again = await call('GET', '/v1/nodes/b/poll?ack=0&wait=0');
    expect(again.body.from).toBe(1);
    expect(again.body.items.map((m: { data: string }) => m.data)).toEqual(['"m1"', '"m2"', '"m3"']);
    const next = await call('GET', `/v1/nodes/b/poll?ack=${again.body.cursor}&wait=0`);
    expect(next.body).toMatchObject({ from: 4, cursor: 3, items: [] });
    expect(service!.core.nodeInfos().find((n) => n.nodeId === 'b')!.outbox).toBe(0);
  });

  it('refuses an overlapping poll, and frees the slot when the held one is aborted', async () => {
    const { call } = await start();
    await register(call, 'a');
    const abort = new AbortController();
    const held = call('GET', '/v1/nodes/a/poll?wait=15000', undefined, { signal: abort.signal }).catch((e: Error) => e);
    await waitFor(() => service!.core.nodeInfos()[0]!.polling, 5000, 'poll held');
    const second = await call('GET', '/v1/nodes/a/poll?wait=0');
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('poll_in_progress');
    abort.abort();
    expect(await held).toBeInstanceOf(Error);
    await waitFor(async () => (await call('GET', '/v1/nodes/a/poll?wait=0')).status === 200, 5000, 'poll slot freed');
  });

  it('relays control commands to every other live node', async () => {
    const { call } = await start();
    for (const id of ['a', 'b', 'c']) await register(call, id);
    const command = { kind: 'removeTopic', topic: 't' };
    expect((await call('POST', '/v1/nodes/a/control', { command })).body).toEqual({ ok: true, deliveries: 2, held: 0, duplicates: 0 });
    for (const id of ['b', 'c']) {
      expect((await call('GET', `/v1/nodes/${id}/poll?wait=0`)).body.items).toEqual([{ kind: 'control', command }]);
    }
    expect((await call('GET', '/v1/nodes/a/poll?wait=0')).body.items).toEqual([]);
  });

  it('tells nodes that share a topic when its cluster count changes', async () => {
    const { call } = await start();
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'b', 't', 1);
    await subscribe(call, 'a', 't', 1);
    expect((await call('GET', '/v1/nodes/b/poll?wait=0')).body.counts).toEqual(['t']);
    expect((await call('GET', '/v1/nodes/a/poll?wait=0')).body.counts).toEqual([]);
  });

  it('drops the oldest entries when an outbox overflows and reports how many', async () => {
    const { call } = await start({ maxOutboxEntries: 3 });
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'b', 't', 1);
    const messages = Array.from({ length: 5 }, (_, i) => ({ topic: 't', data: String(i) }));
    await call('POST', '/v1/nodes/a/publish', { messages });
    const res = await call('GET', '/v1/nodes/b/poll?wait=0');
    expect(res.body).toMatchObject({ from: 3, cursor: 5, dropped: 2 });
    expect(res.body.items.map((m: { data: string }) => m.data)).toEqual(['2', '3', '4']);
    expect(service!.core.nodeInfos()[1]!.dropped).toBe(2);
  });

  it('forgets a node whose lease ran out (a held poll keeps a node alive): counts vanish, it must register again', async () => {
    const { call } = await start({ leaseMs: 60_000 });
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'a', 't', 2);
    await subscribe(call, 'b', 't', 1);
    const held = call('GET', '/v1/nodes/b/poll?wait=15000');
    await waitFor(() => service!.core.nodeInfos()[1]!.polling, 5000, 'b holds a poll');
    // Drive the lease clock past the lease: a (idle) expires, b (holding a poll) does not.
    service!.core.sweep(performance.now() + 60_001);
    expect((await call('GET', '/v1/topics/t')).body.count).toBe(1);
    expect((await call('GET', '/v1/nodes')).body.nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(['b']);
    const poll = await call('GET', '/v1/nodes/a/poll?wait=0');
    expect(poll.status).toBe(409);
    expect(poll.body.error.code).toBe('unknown_node');
    // a's expiry changed the count of a topic b holds: b's held poll is woken with the hint.
    expect((await held).body.counts).toEqual(['t']);
  });

  it('expires a silent node on the real lease timer, counted from its last poll', async () => {
    const { call } = await start({ leaseMs: 1000 });
    await register(call, 'a');
    // While a poll is held the node is alive, however long setup takes on a busy machine.
    const abort = new AbortController();
    const held = call('GET', '/v1/nodes/a/poll?wait=15000', undefined, { signal: abort.signal }).catch((e: Error) => e);
    await waitFor(() => service!.core.nodeInfos()[0]?.polling === true, 5000, 'a holds a poll');
    await subscribe(call, 'a', 't', 1);
    expect((await call('GET', '/v1/topics/t')).body.count).toBe(1);
    abort.abort(); // a goes silent: its lease runs from here
    await held;
    await waitFor(async () => (await call('GET', '/v1/topics/t')).body.count === 0, 10_000, 'a expired');
    expect((await call('GET', '/v1/nodes')).body.nodes).toEqual([]);
  });

  it('re-registering (new epoch) drops the old state; the old epoch is unknown', async () => {
    const { call } = await start();
    await register(call, 'a', 'one');
    await subscribe(call, 'a', 't', 1);
    await register(call, 'a', 'two');
    expect((await call('GET', '/v1/topics')).body.topics).toEqual([]);
    const old = await call('GET', '/v1/nodes/a/poll?epoch=one&wait=0');
    expect(old.status).toBe(409);
    expect(old.body.error.code).toBe('unknown_node');
    expect((await call('GET', '/v1/nodes/a/poll?epoch=two&wait=0')).status).toBe(200);
  });

  it('a node that leaves loses its counts at once', async () => {
    const { call } = await start();
    await register(call, 'a', 'one');
    await subscribe(call, 'a', 't', 1);
    expect((await call('DELETE', '/v1/nodes/a?epoch=one')).status).toBe(200);
    expect((await call('GET', '/v1/topics/t')).body.count).toBe(0);
  });
});

describe('topic service bad input: 4xx JSON, state untouched', () => {
  async function snapshot(call: Call) {
    return JSON.stringify([(await call('GET', '/v1/topics')).body, service!.core.nodeInfos().map((n) => ({ ...n, lagMs: 0, polling: false }))]);
  }

  it.each([
    ['malformed JSON', 'POST', '/v1/nodes/a/counts', undefined, '{"changes": [', 400, 'bad_request'],
    ['counts not an array', 'POST', '/v1/nodes/a/counts', { changes: 'x' }, undefined, 400, 'bad_request'],
    ['negative count', 'POST', '/v1/nodes/a/counts', { changes: [{ topic: 't', count: -1 }] }, undefined, 400, 'bad_request'],
    ['unknown field', 'POST', '/v1/nodes/a/counts', { changes: [], extra: 1 }, undefined, 400, 'bad_request'],
    ['data not JSON text', 'POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: { x: 1 } }] }, undefined, 400, 'bad_request'],
    ['empty topic', 'POST', '/v1/nodes/a/publish', { messages: [{ topic: '', data: '1' }] }, undefined, 400, 'bad_request'],
    ['unknown command', 'POST', '/v1/nodes/a/control', { command: { kind: 'nuke' } }, undefined, 400, 'bad_request'],
    ['register without epoch', 'POST', '/v1/nodes/register', { nodeId: 'z' }, undefined, 400, 'bad_request'],
    ['bad ack', 'GET', '/v1/nodes/a/poll?ack=-1', undefined, undefined, 400, 'bad_request'],
    ['unknown node counts', 'POST', '/v1/nodes/ghost/counts', { changes: [{ topic: 't', count: 1 }] }, undefined, 409, 'unknown_node'],
    ['unknown node publish', 'POST', '/v1/nodes/ghost/publish', { messages: [{ topic: 't', data: '1' }] }, undefined, 409, 'unknown_node'],
    ['unknown node poll', 'GET', '/v1/nodes/ghost/poll', undefined, undefined, 409, 'unknown_node'],
    ['wrong epoch', 'POST', '/v1/nodes/a/publish', { epoch: 'old', messages: [{ topic: 't', data: '1' }] }, undefined, 409, 'unknown_node'],
    [
      'oversized batch',
      'POST',
      '/v1/nodes/a/publish',
      { messages: Array.from({ length: 11 }, () => ({ topic: 't', data: '1' })) },
      undefined,
      413,
      'batch_too_large',
    ],
    [
      'oversized body',
      'POST',
      '/v1/nodes/a/publish',
      { messages: [{ topic: 't', data: JSON.stringify('x'.repeat(5000)) }] },
      undefined,
      413,
      'payload_too_large',
    ],
    ['no such endpoint', 'GET', '/v2/whatever', undefined, undefined, 404, 'not_found'],
  ])('%s', async (_name, method, path, body, raw, status, code) => {
    const { call } = await start({ maxBatch: 10, maxBodyBytes: 4096 });
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'a', 't', 1);
    await subscribe(call, 'b', 't', 1);
    const before = await snapshot(call);
    const res = await call(method, path, body, raw === undefined ? {} : { raw });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(await snapshot(call)).toBe(before);
  });

  it('guards every endpoint with the token: missing or wrong → 401 JSON', async () => {
    const { call } = await start({ token: 's3cret' });
    await register(call, 'a');
    const anonymous = api(service!.url);
    const wrong = api(service!.url, 'nope');
    for (const c of [anonymous, wrong]) {
      for (const [method, path, body] of [
        ['GET', '/healthz'],
        ['POST', '/v1/nodes/register', { nodeId: 'x', epoch: '1' }],
        ['POST', '/v1/nodes/a/counts', { changes: [{ topic: 't', count: 1 }] }],
        ['POST', '/v1/nodes/a/publish', { messages: [] }],
        ['POST', '/v1/nodes/a/control', { command: { kind: 'removeTopic', topic: 't' } }],
        ['GET', '/v1/nodes/a/poll?wait=0'],
        ['DELETE', '/v1/nodes/a'],
        ['GET', '/v1/nodes'],
        ['GET', '/v1/topics'],
        ['GET', '/v1/topics/t'],
      ] as const) {
        const res = await c(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
    expect(service!.core.nodeInfos().map((n) => n.nodeId)).toEqual(['a']);
    expect((await call('GET', '/v1/topics')).body.topics).toEqual([]);
  });
});

describe('sequences, sessions and the restart grace', () => {
  it('skips messages of a resent batch by sequence, relays the new ones, and tags relayed entries with origin and seq', async () => {
    const { call } = await start();
    await register(call, 'a');
    await register(call, 'b');
    await subscribe(call, 'b', 't', 1);
    const batch = (seq: number, n: number) => ({ seq, messages: Array.from({ length: n }, (_, i) => ({ topic: 't', data: String(seq + i) })) });
    expect((await call('POST', '/v1/nodes/a/publish', batch(1, 3))).body).toMatchObject({ accepted: 3, deliveries: 3, duplicates: 0 });
    // The same batch again (its reply was lost), then one that overlaps it.
    expect((await call('POST', '/v1/nodes/a/publish', batch(1, 3))).body).toMatchObject({ accepted: 3, deliveries: 0, duplicates: 3 });
    expect((await call('POST', '/v1/nodes/a/publish', batch(2, 4))).body).toMatchObject({ accepted: 4, deliveries: 2, duplicates: 2 });
    const items = (await call('GET', '/v1/nodes/b/poll?wait=0')).body.items;
    expect(items.map((i: { data: string }) => i.data)).toEqual(['1', '2', '3', '4', '5']);
    expect(items.map((i: { seq: number }) => i.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(items.map((i: { origin: string }) => i.origin)).size).toBe(1);
    // A command with a sequence already applied is skipped too.
    const command = { kind: 'removeTopic', topic: 't' };
    expect((await call('POST', '/v1/nodes/a/control', { seq: 6, command })).body).toMatchObject({ deliveries: 1, duplicates: 0 });
    expect((await call('POST', '/v1/nodes/a/control', { seq: 6, command })).body).toMatchObject({ deliveries: 0, duplicates: 1 });
  });

  it('binds node requests to the registration session: without it or with another one, 409 and nothing changes; never listed', async () => {
    const { call } = await start();
    const reg = await register(call, 'a');
    expect(reg.session).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await register(call, 'b');
    await subscribe(call, 'b', 't', 1);
    const forged = { headers: { 'x-firetower-session': 'guess' } };
    for (const init of [{ session: false }, forged]) {
      for (const [method, path, body] of [
        ['POST', '/v1/nodes/a/counts', { full: true, changes: [{ topic: 'x', count: 1 }] }],
        ['POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: '1' }] }],
        ['POST', '/v1/nodes/a/control', { command: { kind: 'removeTopic', topic: 't' } }],
        ['GET', '/v1/nodes/a/poll?wait=0'],
        ['DELETE', '/v1/nodes/a'],
      ] as const) {
        const res = await call(method, path, body, init);
        expect(res.status, `${method} ${path}`).toBe(409);
        expect(res.body.error.code).toBe('unknown_node');
      }
    }
    expect((await call('GET', '/v1/topics')).body.topics).toEqual([{ topic: 't', count: 1 }]);
    expect(service!.core.nodeInfos()[1]!.received).toBe(0);
    expect(JSON.stringify((await call('GET', '/v1/nodes')).body)).not.toContain(reg.session);
  });

  it('a node resuming from another service instance opens the restart grace: publishes are held, then relayed by the counts of that moment', async () => {
    const { call } = await start({ graceMs: 60_000 });
    // First start: no `previous`, no grace.
    await register(call, 'a');
    expect(service!.core.holding).toBe(false);
    // A node that was registered with an instance that no longer exists: the service restarted.
    const res = await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e1', previous: 'an-older-instance' });
    expect(res.body.instance).toBe(service!.core.instance);
    expect(service!.core.holding).toBe(true);
    expect(
      (
        await call('POST', '/v1/nodes/a/publish', {
          seq: 1,
          messages: [
            { topic: 't', data: '1' },
            { topic: 't', data: '2' },
          ],
        })
      ).body,
    ).toMatchObject({
      deliveries: 0,
      held: 2,
    });
    // b comes back during the grace and resends its interest: it gets what was held.
    await register(call, 'b');
    await subscribe(call, 'b', 't', 1);
    service!.core.endGrace();
    expect((await call('GET', '/v1/nodes/b/poll?wait=0')).body.items.map((i: { data: string }) => i.data)).toEqual(['1', '2']);
    // Registering with the current instance does not open a second grace.
    await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e1', previous: 'yet-another' });
    expect(service!.core.holding).toBe(false);
  });

  it('a node naming another instance long after this one started opens no grace (no pause button for a token holder)', async () => {
    // Only the monotonic clock is fake (HTTP and timers stay real), from before the service starts.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const { call } = await start({ graceMs: 60_000, leaseMs: 15_000 });
      vi.advanceTimersByTime(2 * 15_000);
      await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e1', previous: 'an-older-instance' });
      expect(service!.core.holding).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
