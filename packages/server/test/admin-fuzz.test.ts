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
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Routes with hostile path segments (user ids and topics come from the URL). */
const segment = fc.oneof(
  fc.constantFrom('u1', '%2Ffuzz%2Fa', '%00', '%E0%A4%A', '..', '__proto__', 'x'.repeat(300)),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
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
  ),
  segment,
  body,
  fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
  fc.constantFrom('', '?limit=5', '?limit=-1', '?limit=1e99', '?limit[]=1', '?limit=%zz'),
);

describe('admin API under fuzzed requests', () => {
  it(
    'answers every request with JSON and a 2xx/4xx status, never a 500, and keeps serving',
    async () => {
      const server = await servers.start({ admin: { token: TOKEN } });
      const subscriber = await servers.subscribed(server, ['/fuzz/bystander']);
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
