import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, hostileJson } from '../../protocol/test/hostile-frames.js';
import { useServers } from './helpers.js';

const TOKEN = 'fuzz-admin-token';
const servers = useServers();

/** Bodies a hostile or buggy push client can send: any JSON, shaped like a publish or not, or raw text. */
const body = fc.oneof(
  hostileJson.map((value) => JSON.stringify(value) ?? 'null'),
  fc
    .record({ topic: fc.oneof(fc.constantFrom('/fuzz/a', '/fuzz/b'), hostileJson), data: hostileJson, idempotencyKey: hostileJson }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
  fc
    .record({ messages: fc.array(fc.record({ topic: fc.constantFrom('/fuzz/a', 'bad topic'), data: hostileJson }), { maxLength: 5 }) })
    .map((v) => JSON.stringify(v)),
  fc.record({ reason: hostileJson, topic: hostileJson }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  // Direct sends: ids and topics of every kind, to known users and clients, data of any shape.
  fc
    .record(
      {
        userId: fc.oneof(fc.constantFrom('u1', 'fuzz-user', '', 'x'.repeat(10 * 1024), '__proto__'), hostileJson),
        clientId: fc.oneof(fc.constantFrom('fuzz-client', '', 'c'.repeat(257)), hostileJson),
        topic: fc.oneof(fc.constantFrom('/fuzz/a', '/room/a', 'bad topic'), hostileJson),
        data: hostileJson,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Routes with hostile path segments (user ids and topics come from the URL). */
const segment = fc.oneof(
  fc.constantFrom('u1', '%2Ffuzz%2Fa', '%00', '%E0%A4%A', '..', '__proto__', 'x'.repeat(300)),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
/** Every byte percent-encoded: any UTF-8 text, and byte runs that are not UTF-8 at all. */
const percentBytes = (bytes: Uint8Array): string => Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** Query values: history, presence and plain topics, edge numbers, hostile text and bytes. */
const queryValue = fc.oneof(
  fc.constantFrom(
    '%2Ffuzz%2Fa',
    '/fuzz/b',
    '/room/a',
    '/plain',
    '',
    '0',
    '-1',
    '1.5',
    '10000',
    '10001',
    '1e3',
    '9007199254740993',
    '%zz',
    '%00',
    '%E0%A4%A',
    '__proto__',
  ),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 12 }).map((text) => percentBytes(Buffer.from(text, 'utf8'))),
  fc.uint8Array({ maxLength: 8 }).map(percentBytes),
);

/** History and presence queries: the routes's parameters (repeated, bracketed, missing) and keys it does not know. */
const historyQuery = fc
  .array(fc.tuple(fc.constantFrom('topic', 'limit', 'sinceOffset', 'sinceEpoch', 'topic[]', 'limit[x]', '__proto__', 'hasOwnProperty'), queryValue), {
    maxLength: 5,
  })
  .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`);

const request = fc.tuple(
  fc.constantFrom(
    'POST /publish',
    'POST /users/:id/kick',
    'POST /users/:id/unsubscribe',
    'DELETE /users/:id/topics/:id',
    'GET /topics',
    'GET /topics/:id',
    'DELETE /topics/:id',
    'GET /stats',
    'GET /connections',
    'GET /history',
    'GET /presence',
    'POST /send-to',
    'POST /send-to-user',
  ),
  segment,
  body,
  fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
  fc.oneof(fc.constantFrom('', '?limit=5', '?limit=-1', '?limit=1e99', '?limit[]=1', '?limit=%zz'), historyQuery),
);

describe('admin API under fuzzed requests', () => {
  it(
    'answers every request with JSON and a 2xx/4xx status, never a 500, and keeps serving',
    async () => {
      // Publish bodies write to history topics while history queries read them; presence queries
      // read a topic with members while sends reach a known user and client.
      const server = await servers.start({
        admin: { token: TOKEN },
        history: [{ match: '/fuzz/*', size: 10 }],
        presence: [{ match: '/room/*' }],
        hooks: { authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined, presence: { name: query.get('user') } }) },
      });
      const subscriber = await servers.subscribed(server, ['/fuzz/bystander']);
      await servers.subscribed(server, ['/room/a'], { user: 'fuzz-user', clientId: 'fuzz-client' });
      let n = 0;
      await fc.assert(
        fc.asyncProperty(request, async ([route, id, text, type, query]) => {
          const [method, pattern] = route.split(' ') as [string, string];
          const path = pattern.replaceAll(':id', id);
          const res = await fetch(`${server.url}/firetower/api${path}${method === 'GET' ? query : ''}`, {
            method,
            headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': type },
            body: method === 'GET' ? undefined : text,
          });
          const answer = await res.text();
          expect(res.status, `${method} ${path} → ${res.status} ${answer.slice(0, 200)}`).toBeLessThan(500);
          expect(() => JSON.parse(answer)).not.toThrow();
        }),
        fuzzParameters(400),
      );
      // Still serving, and nothing counted as a server error.
      await server.ft.publish('/fuzz/bystander', ++n);
      expect((await subscriber.nextDelivery('/fuzz/bystander')).data).toBe(n);
      expect(server.ft.stats().errorsTotal).toBe(0);
    },
    process.env.FUZZ_RUNS ? 3_600_000 : 60_000,
  );
});
