/**
 * GET /api/presence, POST /api/send-to and POST /api/send-to-user: presence and direct messages
 * through the admin API, and every way to ask badly.
 */
import { describe, expect, test } from 'vitest';
import { BrokerLifecycleError, BrokerOverflowError, memoryBroker, type Broker, type FiretowerOptions } from '@firetower/server';
import { waitFor, type StartedServer } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const TOKEN = 'direct-admin-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const JSON_AUTH = { ...AUTH, 'Content-Type': 'application/json' };

const servers = useServers();

/** A node with presence on /room/*; connections name their user (`?user=`) and presence (`?name=`). */
function start(options: FiretowerOptions = {}): Promise<StartedServer> {
  return servers.start({
    admin: { token: TOKEN },
    presence: [{ match: '/room/*' }, { match: '/small/*', maxMembers: 1 }],
    hooks: { authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined, presence: { name: query.get('name') } }) },
    ...options,
  });
}

interface JsonResponse {
  status: number;
  headers: Headers;
  // Response bodies are asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(server: StartedServer, path: string, init: RequestInit): Promise<JsonResponse> {
  const res = await fetch(`${server.url}/firetower/api${path}`, init);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const presence = (server: StartedServer, query: string, init: RequestInit = { headers: AUTH }): Promise<JsonResponse> =>
  call(server, `/presence${query}`, init);
const send = (server: StartedServer, path: '/send-to' | '/send-to-user', body: unknown): Promise<JsonResponse> =>
  call(server, path, { method: 'POST', headers: JSON_AUTH, body: typeof body === 'string' ? body : JSON.stringify(body) });
const topicQuery = (topic: string): string => `?topic=${encodeURIComponent(topic)}`;

describe('GET /api/presence', () => {
  test('answers the members, cluster-wide, with their info and connection counts', async () => {
    const server = await start();
    for (const query of [
      { user: 'ada', name: 'Ada' },
      { user: 'ada', name: 'Ada' },
      { user: 'bob', name: 'Bob' },
    ]) {
      await servers.subscribed(server, ['/room/a'], query);
    }
    await waitFor(() => server.ft.presence('/room/a').then((list) => list.total === 2), 5_000, 'two members');
    const res = await presence(server, topicQuery('/room/a'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : 1);
    expect({ ...res.body, members: [...res.body.members].sort(byId) }).toEqual({
      topic: '/room/a',
      members: [
        { id: 'ada', info: { name: 'Ada' }, connections: 2 },
        { id: 'bob', info: { name: 'Bob' }, connections: 1 },
      ],
      total: 2,
      truncated: false,
    });
  });

  test('a presence topic nobody is on is empty; above maxMembers only the count', async () => {
    const server = await start();
    expect((await presence(server, topicQuery('/room/empty'))).body).toEqual({ topic: '/room/empty', members: [], total: 0, truncated: false });
    await servers.subscribed(server, ['/small/x'], { user: 'a' });
    await servers.subscribed(server, ['/small/x'], { user: 'b' });
    await waitFor(() => server.ft.presence('/small/x').then((list) => list.total === 2), 5_000, 'two members');
    expect((await presence(server, topicQuery('/small/x'))).body).toEqual({ topic: '/small/x', members: [], total: 2, truncated: true });
  });

  test('a topic without presence, or a server without the option, is 404 no_presence', async () => {
    const server = await start();
    const res = await presence(server, topicQuery('/plain'));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'no_presence' });
    expect(res.body.error.message).toContain('/plain');
    const bare = await servers.start({ admin: { token: TOKEN } });
    const none = await presence(bare, topicQuery('/room/a'));
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('no_presence');
  });

  test.each([
    '',
    '?topic=',
    `?topic=${encodeURIComponent('/bad topic')}`,
    `?topic=${encodeURIComponent('/a,/b')}`,
    '?topic=%2Froom%2Fa&topic=%2Froom%2Fb',
    '?topic[x]=1',
    `?topic=/${'x'.repeat(300)}`,
    `?topic=/${'x'.repeat(10 * 1024)}`,
  ])('a missing or bad topic (%s) is 400 invalid_topic', async (query) => {
    const server = await start();
    const res = await presence(server, query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_topic');
  });

  test('needs the admin credentials; other methods are 405', async () => {
    const server = await start();
    expect((await presence(server, topicQuery('/room/a'), {})).status).toBe(401);
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const res = await presence(server, topicQuery('/room/a'), { method, headers: AUTH });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(res.body.error.code).toBe('method_not_allowed');
    }
  });
});

describe('POST /api/send-to-user and /api/send-to', () => {
  test('send-to-user reaches every connection of the user, once each, and nobody else', async () => {
    const server = await start();
    const tabs = [await servers.join(server, { user: 'ada' }), await servers.join(server, { user: 'ada' })];
    const bystander = await servers.join(server, { user: 'bob' });
    const res = await send(server, '/send-to-user', { userId: 'ada', topic: '/inbox', data: { note: 'hi' } });
    expect(res).toMatchObject({ status: 200, body: { connections: 2, complete: true } });
    for (const tab of tabs) expect(await tab.nextDelivery('/inbox')).toEqual({ type: 'publish', topic: '/inbox', data: { note: 'hi' } });
    // A marker to bob arrives alone: he got nothing before it.
    await send(server, '/send-to-user', { userId: 'bob', topic: '/inbox', data: 'marker' });
    expect((await bystander.nextDelivery('/inbox')).data).toBe('marker');
    expect(bystander.received.filter((frame) => frame.type === 'publish')).toHaveLength(1);
  });

  test('send-to reaches one connection; null data is sent as null', async () => {
    const server = await start();
    const target = await servers.join(server, { clientId: 'admin-target', user: 'ada' });
    const sibling = await servers.join(server, { user: 'ada' });
    const res = await send(server, '/send-to', { clientId: 'admin-target', topic: '/inbox', data: null });
    expect(res).toMatchObject({ status: 200, body: { connections: 1, complete: true } });
    expect(await target.nextDelivery('/inbox')).toEqual({ type: 'publish', topic: '/inbox', data: null });
    await send(server, '/send-to-user', { userId: 'ada', topic: '/inbox', data: 'marker' });
    expect((await sibling.nextDelivery('/inbox')).data).toBe('marker');
  });

  test('an unknown user or client is 200 with 0 connections', async () => {
    const server = await start();
    expect((await send(server, '/send-to-user', { userId: 'nobody', topic: '/inbox', data: 1 })).body).toEqual({ connections: 0, complete: true });
    expect((await send(server, '/send-to', { clientId: 'no-such-client', topic: '/inbox', data: 1 })).body).toEqual({ connections: 0, complete: true });
  });

  test.each([
    ['/send-to-user', { topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to-user', { userId: '', topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to-user', { userId: 'u'.repeat(10 * 1024), topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to-user', { userId: 7, topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to-user', { clientId: 'c', topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to', { clientId: '', topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to', { clientId: 'c'.repeat(257), topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to', { userId: 'u', topic: '/inbox', data: 1 }, 'invalid_target'],
    ['/send-to-user', { userId: 'u' }, 'invalid_topic'],
    ['/send-to-user', { userId: 'u', topic: 'bad topic', data: 1 }, 'invalid_topic'],
    ['/send-to', { clientId: 'c', topic: ['/inbox'], data: 1 }, 'invalid_topic'],
    ['/send-to', { clientId: 'c', topic: `/${'x'.repeat(300)}`, data: 1 }, 'invalid_topic'],
    ['/send-to-user', { userId: 'u', topic: '/inbox' }, 'bad_request'],
    ['/send-to', { clientId: 'c', topic: '/inbox' }, 'bad_request'],
    ['/send-to-user', [{ userId: 'u', topic: '/inbox', data: 1 }], 'bad_request'],
    ['/send-to-user', 'null', 'bad_request'],
    ['/send-to', '{"clientId":', 'bad_request'],
    ['/send-to', `{"clientId":"c","topic":"/inbox","data":${'['.repeat(50_000)}${']'.repeat(50_000)}}`, 'bad_request'],
  ] as const)('%s %j is 400 %s', async (path, body, code) => {
    const server = await start();
    const res = await send(server, path, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  test('data as deep as a publish may carry is accepted; one level more is 400', async () => {
    const server = await start();
    const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    // The body adds one level around data; the route takes what the publish route takes.
    const ok = await send(server, '/send-to-user', `{"userId":"u","topic":"/inbox","data":${deep(64 + 2)}}`);
    expect(ok.status).toBe(200);
    const tooDeep = await send(server, '/send-to-user', `{"userId":"u","topic":"/inbox","data":${deep(64 + 3)}}`);
    expect(tooDeep.status).toBe(400);
  });

  test('a body that is not JSON is 415; without credentials 401; other methods 405', async () => {
    const server = await start();
    for (const path of ['/send-to', '/send-to-user']) {
      const text = await call(server, path, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'text/plain' }, body: '{}' });
      expect(text.status).toBe(415);
      const anonymous = await call(server, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(anonymous.status).toBe(401);
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await call(server, path, { method, headers: AUTH });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
      }
    }
  });
});

/** A memory broker whose control commands and presence reads fail with `error()` (a broker with its link down). */
function failingBroker(error: () => unknown): Broker {
  const inner = memoryBroker();
  return {
    kind: 'failing',
    start: (node) => inner.start(node),
    updateLocalCounts: (changes) => inner.updateLocalCounts(changes),
    publish: (message) => inner.publish(message),
    control: () => Promise.reject(error()),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
    presence: () => Promise.reject(error()),
    updatePresence: (updates) => inner.updatePresence!(updates),
  };
}

describe('broker failures', () => {
  test.each([
    ['a full broker buffer', () => new BrokerOverflowError(), 'broker_overflow'],
    ['a broker outside start..close', () => new BrokerLifecycleError('broker_closed', 'closed'), 'broker_unavailable'],
    ['a coded link failure', () => Object.assign(new Error('not connected'), { code: 'not_connected' }), 'broker_unavailable'],
  ])('%s is 503 %s with Retry-After', async (_name, error, code) => {
    const server = await start({ broker: failingBroker(error) });
    for (const path of ['/send-to', '/send-to-user'] as const) {
      const res = await send(server, path, { clientId: 'c', userId: 'u', topic: '/inbox', data: 1 });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body.error.code).toBe(code);
    }
  });

  test.each([
    ['a broker outside start..close', () => new BrokerLifecycleError('broker_not_started', 'starting')],
    ['a coded link failure', () => Object.assign(new Error('not connected'), { code: 'not_connected' })],
  ])('a presence read failing with %s is 503 broker_unavailable', async (_name, error) => {
    const server = await start({ broker: failingBroker(error) });
    const res = await presence(server, topicQuery('/room/a'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body.error.code).toBe('broker_unavailable');
  });

  test('an uncoded failure (a bug) is 500 internal, its details kept out of the answer', async () => {
    const server = await start({ broker: failingBroker(() => new Error('secret internals')), hooks: { onError: () => {} } });
    expect((await send(server, '/send-to-user', { userId: 'u', topic: '/inbox', data: 1 })).body).toEqual({
      error: { code: 'internal', message: 'internal error' },
    });
    const res = await presence(server, topicQuery('/room/a'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});
