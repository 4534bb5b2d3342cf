import { describe, expect, test } from 'vitest';
import { waitFor, type StartedServer, type TestClient } from '@firetower/server/testing';
import type { FiretowerOptions } from '@firetower/server';
import { useServers } from './helpers.js';

const TOKEN = 'test-admin-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const JSON_AUTH = { ...AUTH, 'Content-Type': 'application/json' };

const servers = useServers();

/** A server whose users are named by `?user=`, with the admin API on the default prefix. */
function start(options: FiretowerOptions = {}): Promise<StartedServer> {
  return servers.start({
    admin: { token: TOKEN },
    hooks: { authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined }) },
    ...options,
  });
}

function subscriber(server: StartedServer, topics: string[], user?: string): Promise<TestClient> {
  return servers.subscribed(server, topics, user ? { user } : {});
}

interface JsonResponse {
  status: number;
  headers: Headers;
  // Response bodies are asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(server: StartedServer, method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_AUTH): Promise<JsonResponse> {
  const res = await fetch(`${server.url}/firetower${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('admin API: publish', () => {
  test('a publish through the API reaches a real WebSocket subscriber', async () => {
    const server = await start();
    const ws = await subscriber(server, ['/chat/world']);
    const res = await call(server, 'POST', '/api/publish', { topic: '/chat/world', data: { from: 'ops', text: 'hi' } });
    expect(res).toMatchObject({ status: 202, body: { accepted: 1, topic: '/chat/world' } });
    const delivery = await ws.nextDelivery('/chat/world');
    expect(delivery.data).toEqual({ from: 'ops', text: 'hi' });
  });

  test('a batch is delivered in order', async () => {
    const server = await start();
    const ws = await subscriber(server, ['/a', '/b']);
    const messages = [
      { topic: '/a', data: 1 },
      { topic: '/b', data: 'two' },
      { topic: '/a', data: null },
    ];
    expect(await call(server, 'POST', '/api/publish', { messages })).toMatchObject({ status: 202, body: { accepted: 3 } });
    const got = [await ws.nextDelivery(), await ws.nextDelivery(), await ws.nextDelivery()];
    expect(got.map((f) => [f.topic, f.data])).toEqual([
      ['/a', 1],
      ['/b', 'two'],
      ['/a', null],
    ]);
  });

  test('an idempotency key delivers a retried publish once', async () => {
    const server = await start();
    const ws = await subscriber(server, ['/once']);
    for (const duplicate of [false, true]) {
      const res = await call(server, 'POST', '/api/publish', { topic: '/once', data: 'x', idempotencyKey: 'k1' });
      expect(res).toMatchObject({ status: 202, body: { accepted: 1, duplicate } });
    }
    const batch = await call(server, 'POST', '/api/publish', { messages: [{ topic: '/once', data: 'x', idempotencyKey: 'k1' }] });
    expect(batch.body).toEqual({ accepted: 1, duplicates: 1 });
    await call(server, 'POST', '/api/publish', { topic: '/once', data: 'sentinel' });
    expect((await ws.nextDelivery('/once')).data).toBe('x');
    // The retry was swallowed: the very next delivery is the sentinel.
    expect((await ws.nextDelivery('/once')).data).toBe('sentinel');
  });

  test.each([
    ['invalid JSON', '{"topic":', 400, 'bad_request'],
    ['an array body', '[1,2]', 400, 'bad_request'],
    ['a missing data field', { topic: '/a' }, 400, 'bad_request'],
    ['a missing topic', { data: 1 }, 400, 'invalid_topic'],
    ['a topic with a space', { topic: 'a b', data: 1 }, 400, 'invalid_topic'],
    ['a topic with a comma', { topic: 'a,b', data: 1 }, 400, 'invalid_topic'],
    ['a numeric idempotencyKey', { topic: '/a', data: 1, idempotencyKey: 5 }, 400, 'bad_request'],
    ['an empty batch', { messages: [] }, 400, 'bad_request'],
    ['a batch over the cap', { messages: Array.from({ length: 101 }, () => ({ topic: '/a', data: 1 })) }, 413, 'too_many_messages'],
    ['a body over 1 MiB', { topic: '/a', data: 'x'.repeat(1_100_000) }, 413, 'too_large'],
    ['data nested 50,000 deep', `{"topic":"/a","data":${'['.repeat(50_000)}${']'.repeat(50_000)}}`, 400, 'bad_request'],
    ['data nested 100 deep', `{"topic":"/a","data":${'['.repeat(100)}${']'.repeat(100)}}`, 400, 'bad_request'],
  ])('%s is refused with a JSON error', async (_name, body, status, code) => {
    const server = await start();
    const res = await call(server, 'POST', '/api/publish', body);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code });
    expect(typeof res.body.error.message).toBe('string');
  });

  test('a path segment that is not valid percent-encoding is a 400, not a 500 (found by the admin fuzzer)', async () => {
    const server = await start();
    expect(await call(server, 'POST', '/api/users/%E0%A4%A/unsubscribe', {})).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(await call(server, 'GET', '/api/topics/%E0%A4%A')).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });

  test('a body that is not application/json gets 415', async () => {
    const server = await start();
    const res = await call(server, 'POST', '/api/publish', 'topic=/a&data=1', { ...AUTH, 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
  });

  test('a batch with one bad topic publishes nothing', async () => {
    const server = await start();
    const ws = await subscriber(server, ['/a']);
    const res = await call(server, 'POST', '/api/publish', {
      messages: [
        { topic: '/a', data: 'first' },
        { topic: 'bad topic', data: 2 },
      ],
    });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_topic' } } });
    expect(res.body.error.message).toContain('messages[1].topic');
    await call(server, 'POST', '/api/publish', { topic: '/a', data: 'sentinel' });
    expect((await ws.nextDelivery('/a')).data).toBe('sentinel');
  });
});

describe('admin API: users and topics', () => {
  test('kick closes every connection of the user with Kicked (4501) and the reason', async () => {
    const server = await start();
    const a1 = await subscriber(server, ['/x'], 'alice');
    const a2 = await subscriber(server, ['/y'], 'alice');
    const bob = await subscriber(server, ['/x'], 'bob');
    const res = await call(server, 'POST', '/api/users/alice/kick', { reason: 'banned' });
    expect(res).toMatchObject({ status: 200, body: { userId: 'alice', kicked: true } });
    expect(await a1.closed).toEqual({ code: 4501, reason: 'banned' });
    expect((await a2.closed).code).toBe(4501);
    expect(bob.ws.readyState).toBe(bob.ws.OPEN);
  });

  test('kick without a body is fine; a bad reason is a 400', async () => {
    const server = await start();
    const a = await subscriber(server, ['/x'], 'alice');
    expect((await call(server, 'POST', '/api/users/alice/kick', undefined, AUTH)).status).toBe(200);
    expect((await a.closed).code).toBe(4501);
    const res = await call(server, 'POST', '/api/users/alice/kick', { reason: 'é'.repeat(100) });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });

  test('unsubscribe a user from a topic (POST and DELETE spellings)', async () => {
    const server = await start();
    await subscriber(server, ['/chat/world', '/chat/news'], 'alice');
    await subscriber(server, ['/chat/world'], 'bob');
    const post = await call(server, 'POST', '/api/users/alice/unsubscribe', { topic: '/chat/world' });
    expect(post).toMatchObject({ status: 200, body: { userId: 'alice', topic: '/chat/world', unsubscribed: true } });
    await waitFor(async () => (await server.ft.count('/chat/world')) === 1, 5000, 'alice left /chat/world');
    const del = await call(server, 'DELETE', `/api/users/alice/topics/${encodeURIComponent('/chat/news')}`, undefined, AUTH);
    expect(del).toMatchObject({ status: 200, body: { topic: '/chat/news', unsubscribed: true } });
    await waitFor(async () => !(await server.ft.exists('/chat/news')), 5000, 'alice left /chat/news');
    expect(await server.ft.count('/chat/world')).toBe(1);
    expect((await call(server, 'POST', '/api/users/alice/unsubscribe', {})).body.error.code).toBe('invalid_topic');
  });

  test('DELETE a topic removes every subscriber', async () => {
    const server = await start();
    await subscriber(server, ['/room/1'], 'alice');
    await subscriber(server, ['/room/1'], 'bob');
    await waitFor(async () => (await server.ft.count('/room/1')) === 2, 5000, 'two subscribers');
    const res = await call(server, 'DELETE', `/api/topics/${encodeURIComponent('/room/1')}`, undefined, AUTH);
    expect(res).toMatchObject({ status: 200, body: { topic: '/room/1', removed: true } });
    await waitFor(async () => (await server.ft.count('/room/1')) === 0, 5000, 'topic emptied');
  });

  test('topics are listed with counts, largest first; one topic has count and existence', async () => {
    const server = await start();
    await subscriber(server, ['/big', '/small']);
    await subscriber(server, ['/big']);
    await subscriber(server, ['/big', '/mid']);
    await subscriber(server, ['/mid']);
    await waitFor(async () => (await server.ft.count('/big')) === 3 && (await server.ft.count('/mid')) === 2, 5000, 'counts');
    const list = await call(server, 'GET', '/api/topics', undefined, AUTH);
    expect(list).toMatchObject({ status: 200, body: { total: 3 } });
    expect(list.body.topics).toEqual([
      { topic: '/big', count: 3 },
      { topic: '/mid', count: 2 },
      { topic: '/small', count: 1 },
    ]);
    expect((await call(server, 'GET', '/api/topics?limit=1', undefined, AUTH)).body).toEqual({ topics: [{ topic: '/big', count: 3 }], total: 3 });
    expect((await call(server, 'GET', '/api/topics?limit=zero', undefined, AUTH)).status).toBe(400);
    const one = await call(server, 'GET', `/api/topics/${encodeURIComponent('/mid')}`, undefined, AUTH);
    expect(one).toMatchObject({ status: 200, body: { topic: '/mid', count: 2, exists: true } });
    const none = await call(server, 'GET', '/api/topics/nobody', undefined, AUTH);
    expect(none.body).toEqual({ topic: 'nobody', count: 0, exists: false });
    expect((await call(server, 'GET', '/api/topics/bad%20topic', undefined, AUTH)).body.error.code).toBe('invalid_topic');
  });

  test('the connections summary counts users, anonymous connections and subscriptions', async () => {
    const server = await start();
    await subscriber(server, ['/a', '/b'], 'alice');
    await subscriber(server, ['/a'], 'alice');
    await subscriber(server, ['/a']);
    const res = await call(server, 'GET', '/api/connections', undefined, AUTH);
    expect(res.body).toMatchObject({ nodeId: server.ft.nodeId, connections: 3, users: 1, anonymous: 1, subscriptions: 4 });
    expect(typeof res.body.oldestConnectedAt).toBe('number');
  });

  test('the stats feed carries stats, sorted topics, broker status and recent issues', async () => {
    const server = await start({
      admin: { token: TOKEN },
      hooks: { beforeSubscribe: (_t, topics) => (topics.includes('/secret') ? { refuse: { '/secret': 'members only' } } : true) },
    });
    const ws = await subscriber(server, ['/open']);
    await ws.request({ type: 'subscribe', topic: '/secret' });
    const res = await call(server, 'GET', '/api/stats', undefined, AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      nodeId: server.ft.nodeId,
      stats: { connections: 1, subscriptions: 1 },
      connections: { connections: 1 },
      topics: [{ topic: '/open', count: 1 }],
      topicsTotal: 1,
      broker: { kind: 'memory', connected: true },
    });
    expect(res.body.stats.refusalsTotal.beforeSubscribe).toBe(1);
    expect(res.body.recentIssues[0]).toMatchObject({ kind: 'refusal', source: 'beforeSubscribe', topic: '/secret' });
  });
});

describe('admin API: routing', () => {
  test('unknown routes are 404 JSON, wrong methods 405 with Allow', async () => {
    const server = await start();
    expect(await call(server, 'GET', '/api/nope', undefined, AUTH)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const unencoded = await call(server, 'GET', '/api/topics/chat/world', undefined, AUTH);
    expect(unencoded.status).toBe(404);
    expect(unencoded.body.error.message).toContain('URL-encode');
    const wrong = await call(server, 'GET', '/api/publish', undefined, AUTH);
    expect(wrong).toMatchObject({ status: 405, body: { error: { code: 'method_not_allowed' } } });
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await call(server, 'PUT', '/api/topics/x', undefined, AUTH)).headers.get('allow')).toBe('GET, DELETE');
  });

  test('a custom prefix moves every admin route', async () => {
    const server = await start({ admin: { token: TOKEN }, prefix: '/ops' });
    const res = await fetch(`${server.url}/ops/api/topics`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ topics: [], total: 0 });
    expect((await fetch(`${server.url}/firetower/api/topics`, { headers: AUTH })).status).toBe(404);
  });

  test('without the admin option no admin route exists', async () => {
    const server = await servers.start({});
    for (const path of ['/api/topics', '/metrics', '/dashboard']) {
      expect((await fetch(`${server.url}/firetower${path}`, { headers: AUTH })).status).toBe(404);
    }
  });
});
