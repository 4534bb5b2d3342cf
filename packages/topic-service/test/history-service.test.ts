/**
 * History in the service (issue 18), over its HTTP API on 127.0.0.1:0: offsets and epochs, the
 * echo to the origin, `POST /v1/history`, size / ttl / meta-ttl trims, the memory bounds, and
 * bad requests.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { HISTORY_LIMITS } from '../src/wire.js';
import { api, useServicePerTest } from './helpers.js';

const start = useServicePerTest();

type Call = ReturnType<typeof api>;

const POLICY = { size: 100, ttlMs: 60_000, metaTtlMs: 120_000 };
const LARGE = { ...POLICY, size: 1000 };

interface Relayed {
  topic: string;
  data: string;
  offset?: number;
  epoch?: string;
}

async function registerWith(call: Call, nodeId: string, topics: string[]): Promise<void> {
  expect((await call('POST', '/v1/nodes/register', { nodeId, epoch: 'e' })).status).toBe(200);
  if (topics.length > 0) expect((await call('POST', `/v1/nodes/${nodeId}/counts`, { changes: topics.map((topic) => ({ topic, count: 1 })) })).status).toBe(200);
}

async function publish(
  call: Call,
  nodeId: string,
  messages: Array<{ topic: string; data: string; history?: { size: number; ttlMs: number; metaTtlMs: number } }>,
): Promise<void> {
  const res = await call('POST', `/v1/nodes/${nodeId}/publish`, { messages });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Everything queued for `nodeId` (acknowledging it as it goes). */
function poller(call: Call, nodeId: string) {
  let ack = 0;
  const items: Relayed[] = [];
  return {
    items,
    async drain(): Promise<Relayed[]> {
      const res = await call('GET', `/v1/nodes/${nodeId}/poll?wait=0&ack=${ack}`);
      expect(res.status).toBe(200);
      ack = res.body.cursor;
      items.push(...(res.body.items as Relayed[]));
      return items;
    },
  };
}

const read = async (call: Call, body: unknown) => {
  const res = await call('POST', '/v1/history', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { publications: Array<{ offset: number; data: string }>; offset: number; epoch: string; truncated?: boolean };
};

describe('history streams in the topic service', () => {
  it('numbers the publishes of a topic from 1 across nodes, and relays each with its position to every subscribing node, the origin included', async () => {
    const { call } = await start();
    await registerWith(call, 'a', ['t']);
    await registerWith(call, 'b', ['t', 'u']);
    await publish(call, 'a', [
      { topic: 't', data: '"a1"', history: POLICY },
      { topic: 'u', data: '"u1"', history: POLICY },
    ]);
    await publish(call, 'b', [{ topic: 't', data: '"b1"', history: POLICY }]);
    await publish(call, 'a', [
      { topic: 't', data: '"a2"', history: POLICY },
      { topic: 't', data: '"plain"' },
    ]);
    const atA = await poller(call, 'a').drain();
    const atB = await poller(call, 'b').drain();
    const epoch = atA[0]!.epoch!;
    expect(epoch).toMatch(/^[\w-]{1,64}$/);
    // a gets its own history publishes (and b's), never its own plain one; u has no subscriber on a.
    expect(atA).toEqual([
      { kind: 'message', topic: 't', data: '"a1"', offset: 1, epoch },
      { kind: 'message', topic: 't', data: '"b1"', offset: 2, epoch },
      { kind: 'message', topic: 't', data: '"a2"', offset: 3, epoch },
    ]);
    const uEpoch = atB.find((i) => i.topic === 'u')!.epoch;
    expect(uEpoch).not.toBe(epoch); // one epoch per stream
    expect(atB).toEqual([
      { kind: 'message', topic: 't', data: '"a1"', offset: 1, epoch },
      { kind: 'message', topic: 'u', data: '"u1"', offset: 1, epoch: uEpoch },
      { kind: 'message', topic: 't', data: '"b1"', offset: 2, epoch },
      { kind: 'message', topic: 't', data: '"a2"', offset: 3, epoch },
      { kind: 'message', topic: 't', data: '"plain"' },
    ]);
    expect(await read(call, { topic: 't', limit: 10, policy: POLICY })).toEqual({
      publications: [
        { offset: 1, data: '"a1"' },
        { offset: 2, data: '"b1"' },
        { offset: 3, data: '"a2"' },
      ],
      offset: 3,
      epoch,
    });
  });

  it('keeps relay order equal to offset order through long polls, for interleaved publishers', async () => {
    const { call } = await start();
    await registerWith(call, 'a', []);
    await registerWith(call, 'b', []);
    await registerWith(call, 'r', ['t']);
    const received: Relayed[] = [];
    let ack = 0;
    let stop = false;
    // r long-polls throughout while a and b publish.
    const polling = (async () => {
      while (!stop || received.length < 400) {
        const res = await call('GET', `/v1/nodes/r/poll?wait=200&ack=${ack}`);
        ack = res.body.cursor;
        received.push(...(res.body.items as Relayed[]));
      }
    })();
    for (let i = 0; i < 200; i++) {
      await Promise.all([
        publish(call, 'a', [{ topic: 't', data: `"a${i}"`, history: LARGE }]),
        publish(call, 'b', [{ topic: 't', data: `"b${i}"`, history: LARGE }]),
      ]);
    }
    stop = true;
    await polling;
    expect(received.map((i) => i.offset)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    const history = await read(call, { topic: 't', limit: 400, policy: LARGE });
    expect(history.publications.map((p) => p.data)).toEqual(received.map((i) => i.data));
  });

  it('reads the newest `limit` above `after`, oldest first; limit 0 is the position only; an unknown topic reads empty and is not created', async () => {
    const { call, service } = await start();
    await registerWith(call, 'a', []);
    for (let i = 1; i <= 6; i++) await publish(call, 'a', [{ topic: 't', data: String(i), history: POLICY }]);
    const offsets = async (body: object) => (await read(call, { topic: 't', policy: POLICY, ...body })).publications.map((p) => p.offset);
    expect(await offsets({ limit: 10 })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await offsets({ limit: 2 })).toEqual([5, 6]);
    expect(await offsets({ after: 3, limit: 10 })).toEqual([4, 5, 6]);
    expect(await offsets({ after: 1, limit: 2 })).toEqual([5, 6]);
    expect(await offsets({ after: 6, limit: 10 })).toEqual([]);
    expect(await offsets({ after: 99, limit: 10 })).toEqual([]);
    // Without a policy, the stream's own holds.
    expect((await read(call, { topic: 't', limit: 1 })).publications).toEqual([{ offset: 6, data: '6' }]);
    const position = await read(call, { topic: 't', limit: 0 });
    expect(position).toEqual({ publications: [], offset: 6, epoch: expect.any(String) });
    expect(await read(call, { topic: 'never', limit: 10, policy: POLICY })).toEqual({ publications: [], offset: 0, epoch: '' });
    expect(service.core.historyStats().streams).toBe(1);
  });

  it('keeps at most `size` publications per topic (the newest); a read narrows to its own policy', async () => {
    const { call, service } = await start();
    await registerWith(call, 'a', []);
    const policy = { ...POLICY, size: 3 };
    for (let i = 1; i <= 5; i++) await publish(call, 'a', [{ topic: 't', data: String(i), history: policy }]);
    expect((await read(call, { topic: 't', limit: 10, policy })).publications.map((p) => p.offset)).toEqual([3, 4, 5]);
    expect((await read(call, { topic: 't', limit: 10, policy: { ...policy, size: 2 } })).publications.map((p) => p.offset)).toEqual([4, 5]);
    expect(service.core.historyStats()).toMatchObject({ streams: 1, publications: 3 });
  });

  it('forgets publications after `ttlMs` and the stream itself `metaTtlMs` after its last publish (then a new epoch from offset 1)', async () => {
    const { call, service } = await start(); // the sweep runs every second
    await registerWith(call, 'a', []);
    const shortTtl = { size: 10, ttlMs: 150, metaTtlMs: 60_000 };
    await publish(call, 'a', [{ topic: 'ttl', data: '1', history: shortTtl }]);
    const { epoch } = await read(call, { topic: 'ttl', limit: 10 });
    await waitFor(async () => (await read(call, { topic: 'ttl', limit: 10 })).publications.length === 0, 5000, 'the publication expired');
    expect(await read(call, { topic: 'ttl', limit: 10 })).toEqual({ publications: [], offset: 1, epoch }); // the position outlives it
    // The periodic sweep trims without a read, too.
    await publish(call, 'a', [{ topic: 'ttl', data: '2', history: shortTtl }]);
    await waitFor(() => service.core.historyStats().publications === 0, 5000, 'the sweep trimmed it');

    const shortMeta = { size: 10, ttlMs: 100, metaTtlMs: 200 };
    await publish(call, 'a', [{ topic: 'meta', data: '1', history: shortMeta }]);
    const before = await read(call, { topic: 'meta', limit: 0 });
    expect(before.offset).toBe(1);
    await waitFor(async () => (await read(call, { topic: 'meta', limit: 0 })).offset === 0, 5000, 'the stream expired');
    expect(await read(call, { topic: 'meta', limit: 0 })).toEqual({ publications: [], offset: 0, epoch: '' });
    await publish(call, 'a', [{ topic: 'meta', data: '2', history: shortMeta }]);
    const after = await read(call, { topic: 'meta', limit: 10 });
    expect(after.offset).toBe(1);
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.publications).toEqual([{ offset: 1, data: '2' }]);
  });

  it('bounds memory: beyond maxHistoryStreams or maxHistoryBytes the least recently published stream goes whole; a read is capped at maxHistoryReadBytes', async () => {
    const { call, service } = await start({ maxHistoryStreams: 2, maxHistoryBytes: 64 * 1024, maxHistoryReadBytes: 1000 });
    await registerWith(call, 'a', []);
    for (const topic of ['x', 'y', 'x', 'z']) await publish(call, 'a', [{ topic, data: '1', history: POLICY }]);
    // y was published least recently: gone (its next publish starts a new epoch).
    expect((await read(call, { topic: 'y', limit: 0 })).offset).toBe(0);
    expect((await read(call, { topic: 'x', limit: 0 })).offset).toBe(2);
    expect(service.core.historyStats()).toMatchObject({ streams: 2, evicted: 1 });

    const big = JSON.stringify('x'.repeat(400));
    for (let i = 0; i < 200; i++) await publish(call, 'a', [{ topic: 'big', data: big, history: LARGE }]);
    const stats = service.core.historyStats();
    expect(stats.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.streams).toBe(1); // the others went first
    const answer = await read(call, { topic: 'big', limit: 200 });
    expect(answer.truncated).toBe(true);
    expect(answer.publications.map((p) => p.offset)).toEqual([199, 200]); // the newest, no gap, under 1000 bytes
  });

  it('refuses bad reads and policies with 400 JSON, never a crash or an unbounded read', async () => {
    const { call, service } = await start();
    await registerWith(call, 'a', []);
    const bad = [
      { topic: 't', limit: HISTORY_LIMITS.maxLimit + 1 },
      { topic: 't', limit: 1e300 },
      { topic: 't', limit: -1 },
      { topic: 't', limit: 1.5 },
      { topic: 't', limit: '10' },
      { topic: 't' },
      { topic: 't', limit: 1, after: -1 },
      { topic: 't', limit: 1, after: 0.5 },
      { topic: 't', limit: 1, after: Number.MAX_SAFE_INTEGER + 2 },
      { topic: 't', limit: 1, after: null },
      { topic: '', limit: 1 },
      { topic: ['t'], limit: 1 },
      { limit: 1 },
      { topic: 't', limit: 1, policy: { ...POLICY, size: HISTORY_LIMITS.maxSize + 1 } },
      { topic: 't', limit: 1, policy: { ...POLICY, ttlMs: HISTORY_LIMITS.maxTtlMs + 1 } },
      { topic: 't', limit: 1, policy: { ...POLICY, metaTtlMs: 0 } },
      { topic: 't', limit: 1, policy: { size: 1, ttlMs: 1 } },
      { topic: 't', limit: 1, policy: { ...POLICY, extra: 1 } },
      { topic: 't', limit: 1, extra: true },
      [],
      'text',
    ];
    for (const body of bad) {
      const res = await call('POST', '/v1/history', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect((await call('POST', '/v1/history', undefined, { raw: '{"topic":' })).body.error.code).toBe('bad_request');
    expect((await call('GET', '/v1/history')).status).toBe(404);
    for (const history of [{ ...POLICY, size: -1 }, { ...POLICY, size: 2.5 }, { ...POLICY, ttlMs: Infinity }, { ...POLICY, ttlMs: '1' }, { size: 1 }, 'yes']) {
      const res = await call('POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: '1', history }] });
      expect(res.status, JSON.stringify(history)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect(service.core.historyStats().streams).toBe(0);
    expect(service.core.errorsTotal).toBe(0);
  });

  it('keeps /v1/history behind the token', async () => {
    const { service } = await start({ token: 'secret' });
    const anonymous = await api(service.url)('POST', '/v1/history', { topic: 't', limit: 1 });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    expect((await api(service.url, 'secret')('POST', '/v1/history', { topic: 't', limit: 1 })).body).toEqual({ publications: [], offset: 0, epoch: '' });
  });
});
