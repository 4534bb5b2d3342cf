/** GET /api/history: a topic's kept publications through the admin API, and every way to ask badly. */
import { describe, expect, test } from 'vitest';
import { BrokerLifecycleError, FiretowerServerError, memoryBroker, type Broker, type FiretowerOptions } from '@firetower/server';
import type { StartedServer } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const TOKEN = 'history-admin-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const HISTORY: FiretowerOptions['history'] = [{ match: '/chat/*', size: 5 }];

const servers = useServers();

function start(options: FiretowerOptions = {}): Promise<StartedServer> {
  return servers.start({ admin: { token: TOKEN }, history: HISTORY, ...options });
}

interface JsonResponse {
  status: number;
  headers: Headers;
  // Response bodies are asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** GET /firetower/api/history with a raw query string (already encoded, so tests can send anything). */
async function history(server: StartedServer, query: string, init: RequestInit = { headers: AUTH }): Promise<JsonResponse> {
  const res = await fetch(`${server.url}/firetower/api/history${query}`, init);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const topicQuery = (topic: string, rest = ''): string => `?topic=${encodeURIComponent(topic)}${rest}`;

describe('GET /api/history', () => {
  test('answers the kept publications, oldest first, with the stream position', async () => {
    const server = await start();
    for (let n = 1; n <= 3; n++) await server.ft.publish('/chat/a', { n });
    const res = await history(server, topicQuery('/chat/a'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { epoch } = await server.ft.history('/chat/a');
    expect(typeof epoch).toBe('string');
    expect(epoch).not.toBe('');
    expect(res.body).toEqual({
      topic: '/chat/a',
      publications: [
        { offset: 1, data: { n: 1 } },
        { offset: 2, data: { n: 2 } },
        { offset: 3, data: { n: 3 } },
      ],
      offset: 3,
      epoch,
    });
  });

  test('limit takes the newest; 0 answers the position alone; the size caps what is kept', async () => {
    const server = await start();
    for (let n = 1; n <= 8; n++) await server.ft.publish('/chat/a', n);
    const newest = await history(server, topicQuery('/chat/a', '&limit=2'));
    expect(newest.body.publications).toEqual([
      { offset: 7, data: 7 },
      { offset: 8, data: 8 },
    ]);
    const position = await history(server, topicQuery('/chat/a', '&limit=0'));
    expect(position.body).toMatchObject({ publications: [], offset: 8 });
    // Size 5: the largest limit still answers the 5 kept.
    const all = await history(server, topicQuery('/chat/a', '&limit=10000'));
    expect(all.body.publications.map((p: { data: number }) => p.data)).toEqual([4, 5, 6, 7, 8]);
  });

  test('since answers what came after a position; a position of another epoch reads the whole stream', async () => {
    const server = await start();
    for (let n = 1; n <= 4; n++) await server.ft.publish('/chat/a', n);
    const { epoch } = await server.ft.history('/chat/a');
    const after = await history(server, topicQuery('/chat/a', `&sinceOffset=2&sinceEpoch=${encodeURIComponent(epoch)}`));
    expect(after.body.publications.map((p: { offset: number }) => p.offset)).toEqual([3, 4]);
    const other = await history(server, topicQuery('/chat/a', '&sinceOffset=3&sinceEpoch=not-this-one'));
    expect(other.body.publications.map((p: { offset: number }) => p.offset)).toEqual([1, 2, 3, 4]);
    // The position of a stream that has not started: everything.
    const fresh = await history(server, topicQuery('/chat/a', '&sinceOffset=0&sinceEpoch='));
    expect(fresh.body.publications).toHaveLength(4);
  });

  test('a history topic never published to is an empty stream at offset 0', async () => {
    const server = await start();
    expect((await history(server, topicQuery('/chat/quiet'))).body).toEqual({ topic: '/chat/quiet', publications: [], offset: 0, epoch: '' });
  });

  test('a topic without history is 404 no_history', async () => {
    const server = await start();
    await server.ft.publish('/plain', 1);
    const res = await history(server, topicQuery('/plain'));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'no_history' });
    expect(res.body.error.message).toContain('/plain');
    // A server without the history option: every topic.
    const bare = await servers.start({ admin: { token: TOKEN } });
    expect((await history(bare, topicQuery('/chat/a'))).body.error.code).toBe('no_history');
  });

  test.each([
    ['', 'invalid_topic'],
    ['?topic=', 'invalid_topic'],
    [`?topic=${encodeURIComponent('/bad topic')}`, 'invalid_topic'],
    [`?topic=${encodeURIComponent('/a,/b')}`, 'invalid_topic'],
    ['?topic=%2Fchat%2Fa&topic=%2Fchat%2Fb', 'invalid_topic'],
    ['?topic[x]=1', 'invalid_topic'],
    [`?topic=/${'x'.repeat(300)}`, 'invalid_topic'],
  ])('a missing or bad topic (%s) is 400 %s', async (query, code) => {
    const server = await start();
    const res = await history(server, query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  test.each(['-1', '1.5', '10001', 'abc', '1e3', '0x10', '', ' 5', '99999999999999999999', 'Infinity'])('limit=%s is 400 bad_request', async (limit) => {
    const server = await start();
    const res = await history(server, topicQuery('/chat/a', `&limit=${encodeURIComponent(limit)}`));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', message: 'limit must be an integer from 0 to 10000' });
  });

  test.each([
    ['&limit=1&limit=2', 'limit'],
    ['&sinceOffset=1', 'go together'],
    ['&sinceEpoch=e', 'go together'],
    ['&sinceOffset=-1&sinceEpoch=e', 'sinceOffset'],
    ['&sinceOffset=9007199254740992&sinceEpoch=e', 'sinceOffset'],
    [`&sinceOffset=1&sinceEpoch=${'e'.repeat(65)}`, 'sinceEpoch'],
    ['&sinceOffset=1&sinceEpoch=a&sinceEpoch=b', 'sinceEpoch'],
    ['&sinceOffset=3&sinceEpoch=', 'empty sinceEpoch'],
  ])('query %s is 400 bad_request', async (rest, says) => {
    const server = await start();
    const res = await history(server, topicQuery('/chat/a', rest));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toContain(says);
  });

  test('needs the admin credentials; other methods are 405', async () => {
    const server = await start();
    const anonymous = await history(server, topicQuery('/chat/a'), {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    const wrong = await history(server, topicQuery('/chat/a'), { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const res = await history(server, topicQuery('/chat/a'), { method, headers: AUTH });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(res.body.error.code).toBe('method_not_allowed');
    }
  });
});

/** A memory broker whose history reads fail with `error` (what a broker with its link down answers). */
function failingHistoryBroker(error: () => unknown): Broker {
  const inner = memoryBroker();
  return {
    kind: 'failing-history',
    start: (node) => inner.start(node),
    updateLocalCounts: (changes) => inner.updateLocalCounts(changes),
    publish: (message) => inner.publish(message),
    control: (command) => inner.control(command),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
    history: () => Promise.reject(error()),
  };
}

describe('GET /api/history when the store fails', () => {
  test.each([
    ['a coded read failure (Redis down)', () => Object.assign(new Error('history: not connected to Redis'), { code: 'not_connected' })],
    ['the server saying history_unavailable', () => Object.assign(new Error('history unavailable'), { code: 'history_unavailable' })],
    ['a broker outside start..close', () => new BrokerLifecycleError('broker_closed', 'history: the broker is closed')],
    ['a closing node', () => new FiretowerServerError('closed', 'firetower is closed')],
  ])('%s is 503 broker_unavailable with Retry-After', async (_name, error) => {
    const server = await start({ broker: failingHistoryBroker(error) });
    const res = await history(server, topicQuery('/chat/a'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body.error.code).toBe('broker_unavailable');
  });

  test('an uncoded failure (a bug) is 500 internal, its details kept out of the answer', async () => {
    const server = await start({ broker: failingHistoryBroker(() => new Error('secret internals')) });
    const res = await history(server, topicQuery('/chat/a'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
  });
});
