/**
 * The topic service's HTTP API fuzzed with fast-check against a real service on 127.0.0.1:
 * hostile bodies (arbitrary JSON, deep nesting, huge numbers, `__proto__` keys, every Unicode
 * class, near-valid bodies with one field wrong, raw non-JSON), hostile paths and queries, and
 * forged sessions, on every endpoint, history reads and policies included (huge limits, negative
 * or fractional offsets, foreign types), presence updates and lists (ids and info past their
 * bounds, info that is not JSON, negative or fractional connections, hostile limits). No request
 * may get a 500 or an unexpected status, every error is JSON with a code, no history read goes
 * beyond its limit or the byte cap, no presence list beyond its limit, nothing is reported as an
 * internal error, and bystander nodes keep relaying (and keeping history and presence) throughout.
 *
 * CI runs a fixed seed and a few seconds' worth of runs; `FUZZ_RUNS=20000 FUZZ_SEED=…` runs a long
 * local campaign (the seed is printed on failure).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTORY_LIMITS, PRESENCE_LIMITS } from '../src/wire.js';
import { api, useServicePerTest } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS) || 400;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.CI ? 20_261_130 : Math.floor(Math.random() * 2 ** 31);

const start = useServicePerTest();

const FAIR_POLICY = { size: 50, ttlMs: 60_000, metaTtlMs: 60_000 };
/** The service's read cap in this test: small, so fuzzed publishes to h can fill it. */
const MAX_READ_BYTES = 16 * 1024;

/** encodeURIComponent, except that a lone surrogate becomes its raw (invalid) UTF-8 escape. */
const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};

const ALLOWED = new Set([200, 400, 401, 404, 409, 413, 415]);

const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', '\u0000', '\u2028', '\uFEFF', '\uD800', '..', '%', '%E0%A4%A', 'x'.repeat(3000)),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 0, 2 ** 53, 1e308, -0, Number.MAX_SAFE_INTEGER + 2));
const jsonish = fc.jsonValue({ maxDepth: 4 });

/** A history policy: valid, at and past its bounds, or not one at all. */
const hostilePolicy = fc.oneof(
  fc.record({
    size: fc.oneof(hostileNumber, fc.constantFrom(0, 1, HISTORY_LIMITS.maxSize, HISTORY_LIMITS.maxSize + 1)),
    ttlMs: fc.oneof(hostileNumber, fc.constantFrom(1, HISTORY_LIMITS.maxTtlMs, HISTORY_LIMITS.maxTtlMs + 1)),
    metaTtlMs: fc.oneof(hostileNumber, fc.constantFrom(1, HISTORY_LIMITS.maxTtlMs)),
  }),
  jsonish,
);
/** The history reads' numbers: huge, negative, fractional, foreign types, and fair ones. */
const hostileCount = fc.oneof(hostileNumber, jsonish, fc.constantFrom(0, 1, 10, HISTORY_LIMITS.maxLimit, HISTORY_LIMITS.maxLimit + 1, -1, 0.5, 1e21));

/** A presence update: fair, at and past its bounds, or foreign types. */
const hostileUpdate = fc.record(
  {
    topic: fc.oneof(hostileString, fc.constant('p')),
    memberId: fc.oneof(
      hostileString,
      fc.constantFrom('m', 'x'.repeat(PRESENCE_LIMITS.maxMemberIdLength), 'x'.repeat(PRESENCE_LIMITS.maxMemberIdLength + 1)),
      jsonish,
    ),
    info: fc.oneof(
      jsonish.map((v) => JSON.stringify(v) ?? 'null'),
      hostileString,
      jsonish,
      fc.constantFrom('null', '{', JSON.stringify('€'.repeat(400)), JSON.stringify('x'.repeat(PRESENCE_LIMITS.maxInfoBytes - 2))),
    ),
    connections: fc.oneof(hostileNumber, fc.constantFrom(0, 1, 2), jsonish),
  },
  { requiredKeys: ['topic', 'memberId', 'info', 'connections'] },
);

/** Nested `[[[…]]]` or `{"a":{"a":…}}` this deep, as raw text. */
const deep = fc
  .tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean())
  .map(([n, arrays]) => (arrays ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));

/** Near-valid bodies of each endpoint with a field replaced by something hostile. */
const nearValid = fc.oneof(
  fc.record({
    nodeId: fc.oneof(
      hostileString.map((s) => `f-${s}`),
      jsonish,
    ),
    epoch: fc.oneof(hostileString, jsonish),
    previous: fc.option(hostileString),
  }),
  fc.record({ full: fc.oneof(fc.boolean(), jsonish), changes: fc.array(fc.record({ topic: hostileString, count: hostileNumber }), { maxLength: 5 }) }),
  fc.record({
    seq: fc.oneof(hostileNumber, jsonish),
    keyTtlMs: fc.option(hostileNumber),
    messages: fc.array(
      fc.record({
        topic: fc.oneof(hostileString, fc.constant('h')),
        data: fc.oneof(hostileString, jsonish),
        key: fc.option(hostileString),
        exclude: fc.option(hostileString),
        history: fc.option(hostilePolicy),
      }),
      { maxLength: 5 },
    ),
  }),
  fc.record({
    seq: fc.option(hostileNumber),
    command: fc.oneof(
      jsonish,
      fc.record({
        kind: fc.constantFrom('kickUser', 'unsubscribeUser', 'removeTopic', 'sendTo', 'sendToUser', 'reached', 'nuke'),
        userId: hostileString,
        topic: hostileString,
      }),
      fc.record(
        {
          kind: fc.constantFrom('sendTo', 'sendToUser', 'reached'),
          clientId: hostileString,
          userId: hostileString,
          topic: hostileString,
          data: fc.oneof(hostileString, jsonish),
          requestId: hostileString,
          origin: hostileString,
          nodeId: hostileString,
          connections: hostileNumber,
        },
        { requiredKeys: ['kind'] },
      ),
    ),
  }),
  fc.record({ ttlMs: hostileNumber, keys: fc.array(hostileString, { maxLength: 5 }) }),
  fc.record(
    { topic: fc.oneof(hostileString, fc.constant('h'), jsonish), after: hostileCount, limit: hostileCount, policy: hostilePolicy },
    { requiredKeys: ['topic', 'limit'] },
  ),
  fc.record(
    {
      full: fc.oneof(fc.boolean(), jsonish),
      complete: fc.oneof(fc.boolean(), jsonish),
      updates: fc.array(hostileUpdate, { maxLength: 5 }),
    },
    { requiredKeys: ['updates'] },
  ),
);

const body = fc.oneof(
  jsonish.map((v) => JSON.stringify(v)),
  nearValid.map((v) => JSON.stringify(v)),
  deep,
  hostileString,
  fc.constant(''),
  fc.constant('{"__proto__":{"polluted":true},"changes":[]}'),
);

const nodeId = fc.oneof(fc.constantFrom('x', 'y', 'ghost', 'register'), hostileString.map(encode), fc.constantFrom('%E0%A4%A', '%00', '..%2F..'));
const query = fc
  .array(fc.tuple(fc.constantFrom('ack', 'wait', 'epoch', 'limit', 'ack[]', 'wait[x]', 'limit[]', 'z'), fc.oneof(hostileString, hostileNumber.map(String))), {
    maxLength: 4,
  })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${encode(v)}`).join('&')}`));

const request = fc.record({
  endpoint: fc.constantFrom(
    'register',
    'counts',
    'publish',
    'control',
    'presence',
    'poll',
    'leave',
    'claims',
    'history',
    'topics',
    'topic',
    'members',
    'nodes',
    'health',
    'other',
  ),
  nodeId,
  query,
  body,
  session: fc.option(hostileString),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded'),
});

type Request = typeof request extends fc.Arbitrary<infer R> ? R : never;

function route(r: Request): { method: string; path: string } {
  switch (r.endpoint) {
    case 'register':
      return { method: 'POST', path: `/v1/nodes/register${r.query}` };
    case 'counts':
    case 'publish':
    case 'control':
    case 'presence':
      return { method: 'POST', path: `/v1/nodes/${r.nodeId}/${r.endpoint}${r.query}` };
    case 'poll':
      return { method: 'GET', path: `/v1/nodes/${r.nodeId}/poll${r.query}` };
    case 'leave':
      return { method: 'DELETE', path: `/v1/nodes/${r.nodeId}${r.query}` };
    case 'claims':
      return { method: 'POST', path: `/v1/claims${r.query}` };
    case 'history':
      return { method: 'POST', path: `/v1/history${r.query}` };
    case 'topics':
      return { method: 'GET', path: `/v1/topics${r.query}` };
    case 'topic':
      return { method: 'GET', path: `/v1/topics/${r.nodeId}${r.query}` };
    case 'members':
      return { method: 'GET', path: `/v1/topics/${r.nodeId === 'x' ? 'p' : r.nodeId}/presence${r.query}` };
    case 'nodes':
      return { method: 'GET', path: `/v1/nodes${r.query}` };
    case 'health':
      return { method: 'GET', path: `/healthz${r.query}` };
    default:
      return { method: 'PUT', path: `/v1/${r.nodeId}${r.query}` };
  }
}

describe('fuzzing the topic service HTTP API', () => {
  it(
    `never answers 500 or an unexpected status, and bystanders keep relaying (${RUNS} requests, seed ${SEED})`,
    async () => {
      const reported: unknown[] = [];
      // No restart grace: a register naming another service instance holds relaying on purpose (see
      // faults-restart.test.ts), which would only delay the bystanders' check here.
      const { service, call } = await start({
        maxWaitMs: 50,
        maxBodyBytes: 256 * 1024,
        graceMs: 0,
        maxHistoryReadBytes: MAX_READ_BYTES,
        onError: (error) => reported.push(error),
      });
      await call('POST', '/v1/nodes/register', { nodeId: 'x', epoch: 'e' });
      await call('POST', '/v1/nodes/register', { nodeId: 'y', epoch: 'e' });
      await call('POST', '/v1/nodes/y/counts', {
        changes: [
          { topic: 't', count: 1 },
          { topic: 'p', count: 1 },
        ],
      });
      await call('POST', '/v1/nodes/y/presence', { updates: [{ topic: 'p', memberId: 'y-member', info: 'null', connections: 1 }] });
      let sent = 0;
      let seq = 0;
      let yAck = 0;
      const bystandersRelay = async () => {
        const data = String(++seq);
        // Two entries: a plain publish on t, and a history one on h (the topic fuzzed reads and publishes aim at).
        const pub = await call('POST', '/v1/nodes/x/publish', {
          seq,
          messages: [
            { topic: 't', data },
            { topic: 'h', data, history: FAIR_POLICY },
          ],
        });
        seq += 1;
        const poll = await call('GET', `/v1/nodes/y/poll?wait=0&ack=${yAck}`);
        yAck = poll.body?.cursor ?? yAck;
        await call('GET', '/v1/nodes/x/poll?wait=0'); // x polls too: a long campaign outlasts the lease
        const read = await call('POST', '/v1/history', { topic: 'h', limit: 1 });
        // Presence: x's member shows what x wrote last, and y's member is still there.
        const wrote = await call('POST', '/v1/nodes/x/presence', { updates: [{ topic: 'p', memberId: 'x-member', info: `{"n":${seq}}`, connections: 1 }] });
        const members = await call('GET', '/v1/topics/p/presence');
        const shown = (id: string) => (members.body?.members as Array<{ memberId: string; info: string }> | undefined)?.find((m) => m.memberId === id);
        const ok =
          pub.status === 200 &&
          poll.body?.items?.some((i: { data: string }) => i.data === data) &&
          read.body?.publications?.[0]?.data === data &&
          read.body.offset >= 1 &&
          wrote.status === 200 &&
          shown('x-member')?.info === `{"n":${seq}}` &&
          shown('y-member') !== undefined;
        if (!ok)
          throw new Error(
            `bystanders stopped relaying: publish ${pub.status} ${JSON.stringify(pub.body)}, poll ${poll.status} ${JSON.stringify(poll.body).slice(0, 300)}, history ${read.status} ${JSON.stringify(read.body).slice(0, 300)}, presence ${wrote.status} ${JSON.stringify(members.body).slice(0, 300)}`,
          );
        return true;
      };
      try {
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            const { method, path } = route(r);
            const headers: Record<string, string> = { 'content-type': r.contentType };
            if (r.session !== null) headers['x-firetower-session'] = r.session.replace(/[^\t\x20-\x7e]/g, '?');
            const res = await fetch(service.url + path, { method, headers, body: method === 'GET' || method === 'DELETE' ? undefined : r.body });
            const text = await res.text();
            sent += 1;
            expect(ALLOWED.has(res.status), `${method} ${path} -> ${res.status} ${text.slice(0, 200)}`).toBe(true);
            if (res.status >= 400) expect(typeof JSON.parse(text).error.code).toBe('string');
            if (r.endpoint === 'history' && res.status === 200) {
              // Never an unbounded read: at most the limit asked for (itself bounded), under the byte cap.
              const answer = JSON.parse(text) as { publications: unknown[] };
              const asked = (JSON.parse(r.body) as { limit: number }).limit;
              expect(answer.publications.length).toBeLessThanOrEqual(Math.min(asked, HISTORY_LIMITS.maxLimit));
              expect(text.length).toBeLessThan(MAX_READ_BYTES * 2 + 1024);
            }
            if (r.endpoint === 'members' && res.status === 200) {
              // Never an unbounded list: at most the limit asked for, never more than the total.
              const answer = JSON.parse(text) as { members: unknown[]; total: number };
              const limit = /[?&]limit=(\d+)(?:&|$)/.exec(path)?.[1];
              expect(answer.members.length).toBeLessThanOrEqual(Math.min(answer.total, limit === undefined ? PRESENCE_LIMITS.maxListLimit : Number(limit)));
            }
            if (sent % 25 === 0) expect(await bystandersRelay()).toBe(true);
          }),
          { numRuns: RUNS, seed: SEED },
        );
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        const why = cause instanceof Error ? cause.message : '';
        throw new Error(`fuzz failed with FUZZ_SEED=${SEED}: ${why.slice(0, 500)}\n${(error as Error).message.slice(0, 2000)}`);
      }
      expect(reported).toEqual([]);
      expect(service.core.errorsTotal).toBe(0);
      expect(await bystandersRelay()).toBe(true);
      expect((await api(service.url)('GET', '/healthz')).status).toBe(200);
    },
    process.env.FUZZ_RUNS ? 3_600_000 : 60_000,
  );
});
