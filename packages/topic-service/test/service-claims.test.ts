import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { ExpiringKeys as KeyStore } from '@firetower/protocol';
import { KEY_LIMITS } from '../src/wire.js';
import { api, useServicePerTest } from './helpers.js';

const start = useServicePerTest();

const HOUR = 3_600_000;

describe('the key store (a chosen clock)', () => {
  it('takes a key for its ttl, then lets it go', () => {
    const store = new KeyStore(10);
    expect(store.claim('k', 100, 1000)).toBe(true);
    expect(store.claim('k', 100, 1099)).toBe(false);
    expect(store.claim('k', 100, 1100)).toBe(true); // expired at 1100: fresh, recorded again
    expect(store.has('k', 1199)).toBe(true);
  });

  it('sweeps expired keys from the oldest end and keeps the rest', () => {
    const store = new KeyStore(10);
    store.remember('a', 10, 0);
    store.remember('b', 20, 0);
    store.remember('c', 100, 0);
    store.sweep(20);
    expect(store.size).toBe(1);
    expect(store.has('c', 20)).toBe(true);
  });

  it('a repeat restarts the window and moves the key to the young end', () => {
    const store = new KeyStore(10);
    store.remember('a', 10, 0);
    store.remember('b', 10, 5);
    store.remember('a', 10, 8); // a now expires at 18, after b
    store.sweep(16);
    expect(store.has('a', 16)).toBe(true);
    expect(store.has('b', 16)).toBe(false);
    expect(store.size).toBe(1);
  });

  it('is capped: a flood of unique keys evicts the oldest', () => {
    const store = new KeyStore(3);
    for (const key of ['a', 'b', 'c', 'd', 'e']) store.remember(key, HOUR, 0);
    expect(store.size).toBe(3);
    expect(store.evicted).toBe(2);
    expect(['a', 'b', 'c', 'd', 'e'].map((k) => store.has(k, 1))).toEqual([false, false, true, true, true]);
  });
});

describe('POST /v1/claims', () => {
  it('answers fresh once per key, taken afterwards; a key twice in one request: the first wins', async () => {
    const { call, service } = await start();
    const first = await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['c1:p1', 'c1:p2', 'c1:p1'] });
    expect(first).toEqual({ status: 200, body: { fresh: [true, true, false] } });
    const again = await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['c1:p2', 'c2:p1'] });
    expect(again.body).toEqual({ fresh: [false, true] });
    expect(service.core.keyStats()).toMatchObject({ keys: 3, claimRequests: 2, fresh: 3, taken: 2, published: 0 });
  });

  it('a claimed key is fresh again once its ttl ran out', async () => {
    const { call } = await start();
    expect((await call('POST', '/v1/claims', { ttlMs: 30, keys: ['short'] })).body).toEqual({ fresh: [true] });
    // A taken answer records nothing, so this settles as soon as the 30 ms are over.
    await waitFor(async () => (await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['short'] })).body.fresh[0] === true, 5000, 'expiry');
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['short'] })).body).toEqual({ fresh: [false] });
  });

  it('clamps a ttl to maxKeyTtlMs', async () => {
    const { call } = await start({ maxKeyTtlMs: 30 });
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['k'] })).body).toEqual({ fresh: [true] });
    await waitFor(async () => (await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['k'] })).body.fresh[0] === true, 5000, 'clamped expiry');
  });

  it('keeps at most maxKeys', async () => {
    const { call, service } = await start({ maxKeys: 2 });
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['a', 'b', 'c'] })).body.fresh).toEqual([true, true, true]);
    expect(service.core.keyStats()).toMatchObject({ keys: 2, evicted: 1 });
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['c', 'b'] })).body.fresh).toEqual([false, false]);
  });

  it('refuses bad input with 400 JSON and records nothing', async () => {
    const { call, service } = await start();
    const long = 'x'.repeat(KEY_LIMITS.maxKeyLength + 1);
    const tooMany = Array.from({ length: KEY_LIMITS.maxClaimKeys + 1 }, (_, i) => `k${i}`);
    for (const body of [
      {},
      { keys: ['a'] },
      { ttlMs: HOUR },
      { ttlMs: HOUR, keys: [] },
      { ttlMs: HOUR, keys: 'a' },
      { ttlMs: HOUR, keys: [1] },
      { ttlMs: HOUR, keys: [''] },
      { ttlMs: HOUR, keys: ['a', long] },
      { ttlMs: HOUR, keys: tooMany },
      { ttlMs: 0, keys: ['a'] },
      { ttlMs: -5, keys: ['a'] },
      { ttlMs: 1.5, keys: ['a'] },
      { ttlMs: '60000', keys: ['a'] },
      { ttlMs: HOUR, keys: ['a'], extra: true },
    ]) {
      const res = await call('POST', '/v1/claims', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.message).toMatch(/claims body/);
    }
    const notJson = await call('POST', '/v1/claims', undefined, { raw: '{"ttlMs":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('bad_request');
    expect(service.core.keyStats()).toMatchObject({ keys: 0, claimRequests: 0 });
    // The largest request that is allowed goes through.
    const most = Array.from({ length: KEY_LIMITS.maxClaimKeys }, (_, i) => `k${i}`.padEnd(KEY_LIMITS.maxKeyLength, '.'));
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: most })).body.fresh).toHaveLength(KEY_LIMITS.maxClaimKeys);
  });

  it('requires the token like every endpoint', async () => {
    const { service, call } = await start({ token: 's3cret' });
    for (const c of [api(service.url), api(service.url, 'nope')]) {
      const res = await c('POST', '/v1/claims', { ttlMs: HOUR, keys: ['a'] });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['a'] })).body).toEqual({ fresh: [true] });
  });
});

describe('keys in publishes', () => {
  it('records a keyed publish so a later claim is taken, and never relays the key', async () => {
    const { call, service } = await start();
    for (const id of ['a', 'b']) expect((await call('POST', '/v1/nodes/register', { nodeId: id, epoch: 'e1' })).status).toBe(200);
    await call('POST', '/v1/nodes/b/counts', { changes: [{ topic: 't', count: 1 }] });
    const published = await call('POST', '/v1/nodes/a/publish', {
      keyTtlMs: HOUR,
      messages: [
        { topic: 't', data: '1', key: 'c1:p1' },
        { topic: 'nobody-listens', data: '2', key: 'c1:p2' },
        { topic: 't', data: '3' },
      ],
    });
    expect(published.body).toMatchObject({ ok: true, accepted: 3, deliveries: 2 });
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['c1:p1', 'c1:p2', 'c1:p3'] })).body).toEqual({ fresh: [false, false, true] });
    const poll = await call('GET', '/v1/nodes/b/poll?wait=0');
    expect(poll.body.items).toEqual([
      { kind: 'message', topic: 't', data: '1' },
      { kind: 'message', topic: 't', data: '3' },
    ]);
    expect(service.core.keyStats()).toMatchObject({ published: 2 });
  });

  it('a publish without keyTtlMs (or without keys) still works; an over-long key is refused whole', async () => {
    const { call, service } = await start();
    await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e1' });
    expect((await call('POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: '1' }] })).status).toBe(200);
    expect((await call('POST', '/v1/nodes/a/publish', { messages: [{ topic: 't', data: '1', key: 'k' }] })).status).toBe(200);
    expect((await call('POST', '/v1/claims', { ttlMs: HOUR, keys: ['k'] })).body).toEqual({ fresh: [false] });
    const long = 'x'.repeat(KEY_LIMITS.maxKeyLength + 1);
    for (const body of [
      {
        messages: [
          { topic: 't', data: '1', key: 'ok' },
          { topic: 't', data: '1', key: long },
        ],
      },
      { keyTtlMs: 0, messages: [{ topic: 't', data: '1', key: 'ok' }] },
      { messages: [{ topic: 't', data: '1', key: 7 }] },
    ]) {
      const res = await call('POST', '/v1/nodes/a/publish', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect(service.core.keyStats()).toMatchObject({ keys: 1, published: 1 });
  });
});
