import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { DedupeWindow } from '../src/core/dedupe.js';
import { SerialQueue } from '../src/core/inbound.js';
import { isHostAllowed, isOriginAllowed } from '../src/http/origin.js';
import { TokenBucket } from '../src/core/rate-limit.js';
import { parseCookies } from '../src/http/upgrade.js';
import { interpretDecision } from '../src/core/handlers.js';

const request = (host: string) => ({ headers: { host } }) as unknown as IncomingMessage;

describe('isOriginAllowed', () => {
  it('allows no Origin, the same host without a list, and only listed origins with one', () => {
    const none = new Set<string>();
    expect(isOriginAllowed('http://a.example', request('a.example'), none)).toBe(true);
    expect(isOriginAllowed('http://A.EXAMPLE', request('a.example'), none)).toBe(true);
    // Behind a TLS-terminating proxy the page is https and the request plain http: it must pass.
    expect(isOriginAllowed('https://a.example', request('a.example'), none)).toBe(true);
    const tls = { headers: { host: 'a.example' }, socket: { encrypted: true } } as unknown as IncomingMessage;
    expect(isOriginAllowed('http://a.example', tls, none)).toBe(false);
    expect(isOriginAllowed('https://a.example', tls, none)).toBe(true);
    const allowed = new Set(['https://app.example']);
    expect(isOriginAllowed(undefined, request('a.example'), allowed)).toBe(true);
    expect(isOriginAllowed('http://a.example', request('a.example'), allowed)).toBe(false);
    expect(isOriginAllowed('https://app.example', request('a.example'), allowed)).toBe(true);
    expect(isOriginAllowed('https://app.example:444', request('a.example'), allowed)).toBe(false);
    expect(isOriginAllowed('http://a.example.evil', request('a.example'), allowed)).toBe(false);
    expect(isOriginAllowed('null', request('a.example'), allowed)).toBe(false);
    expect(isOriginAllowed('::garbage::', request('a.example'), allowed)).toBe(false);
    expect(isOriginAllowed('https://x', request('a.example'), '*')).toBe(true);
  });

  it('allowedHosts matches the Host header, with or without a port', () => {
    const hosts = new Set(['app.example', 'localhost:3000', '[::1]']);
    expect(isHostAllowed(request('app.example'), hosts)).toBe(true);
    expect(isHostAllowed(request('APP.example:8080'), hosts)).toBe(true);
    expect(isHostAllowed(request('localhost:3000'), hosts)).toBe(true);
    expect(isHostAllowed(request('localhost:3001'), hosts)).toBe(false);
    expect(isHostAllowed(request('[::1]:3000'), hosts)).toBe(true);
    expect(isHostAllowed(request('evil.example'), hosts)).toBe(false);
    expect(isHostAllowed({ headers: {} } as IncomingMessage, hosts)).toBe(false);
    expect(isHostAllowed(request('anything'), undefined)).toBe(true);
  });
});

describe('DedupeWindow', () => {
  it('remembers keys for the window, forgets on request, and caps its size', () => {
    const window = new DedupeWindow(1000, 3);
    window.remember('a', 0);
    expect(window.has('a', 999)).toBe(true);
    expect(window.has('a', 1000)).toBe(false);
    window.remember('b', 2000);
    window.forget('b');
    expect(window.has('b', 2001)).toBe(false);
    for (const key of ['c', 'd', 'e', 'f']) window.remember(key, 3000);
    expect(window.size).toBe(3);
    expect(window.has('c', 3001)).toBe(false);
    expect(window.has('f', 3001)).toBe(true);
    window.close();
  });

  afterEach(() => void vi.useRealTimers());

  it('returns the memory of expired keys on a timer, with no publish to trigger a sweep', () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] });
    const window = new DedupeWindow(60_000);
    for (let i = 0; i < 50_000; i++) window.remember(`client:${i}`);
    vi.advanceTimersByTime(30_000);
    window.remember('late');
    vi.advanceTimersByTime(30_001);
    expect(window.size).toBe(1);
    vi.advanceTimersByTime(30_000);
    expect(window.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('measures the window on the monotonic clock: a wall-clock step changes nothing', () => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout', 'clearTimeout'] });
    const window = new DedupeWindow(60_000);
    window.remember('k');
    vi.setSystemTime(Date.now() + 3_600_000);
    expect(window.has('k')).toBe(true);
    vi.setSystemTime(Date.now() - 7_200_000);
    vi.advanceTimersByTime(60_000);
    expect(window.has('k')).toBe(false);
    window.close();
  });
});

describe('TokenBucket', () => {
  it('keeps refilling when the wall clock steps back (monotonic time)', () => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] });
    const bucket = new TokenBucket(1);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual(['ok', 'ok', 'warn']);
    vi.setSystemTime(Date.now() - 3_600_000);
    vi.advanceTimersByTime(2_000);
    expect(bucket.take()).toBe('ok');
    vi.useRealTimers();
  });

  it('allows a burst of twice the rate, warns once, then closes after a second of excess', () => {
    const bucket = new TokenBucket(5);
    const t = 1_000_000;
    const verdicts = Array.from({ length: 20 }, () => bucket.take(t));
    expect(verdicts.slice(0, 10).every((v) => v === 'ok')).toBe(true);
    expect(verdicts[10]).toBe('warn');
    expect(verdicts.slice(11, 15).every((v) => v === 'drop')).toBe(true);
    expect(verdicts[15]).toBe('close');
  });

  it('refills over time and a rate of 0 disables it', () => {
    const bucket = new TokenBucket(5);
    const start = Date.now();
    for (let i = 0; i < 10; i++) bucket.take(start);
    expect(bucket.take(start)).toBe('warn');
    expect(bucket.take(start + 1000)).toBe('ok');
    const off = new TokenBucket(0);
    for (let i = 0; i < 1000; i++) expect(off.take()).toBe('ok');
  });
});

describe('SerialQueue', () => {
  it('runs sync items back to back and async ones strictly in order', async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const events: string[] = [];
    const queue = new SerialQueue<string>(2, {
      runInbound: (item) => {
        log.push(`start ${item}`);
        if (item === 'slow') return gate.then(() => void log.push('end slow'));
        if (item === 'throw') throw new Error('boom');
      },
      inboundFull: () => events.push('full'),
      inboundRelieved: () => events.push('relieved'),
      inboundFailed: (error) => events.push(`failed ${(error as Error).message}`),
    });
    queue.push('a');
    queue.push('slow');
    queue.push('b');
    queue.push('throw');
    queue.push('c');
    expect(log).toEqual(['start a', 'start slow']);
    expect(queue.pending()).toEqual(['b', 'throw', 'c']);
    expect(events).toEqual(['full']);
    release();
    await gate;
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a', 'start slow', 'end slow', 'start b', 'start throw', 'start c']);
    expect(events).toEqual(['full', 'relieved', 'failed boom']);
    expect(queue.length).toBe(0);
  });
});

describe('parseCookies and interpretDecision', () => {
  it('parses cookies into a prototype-less record', () => {
    const cookies = parseCookies('a=1; __proto__=x; b="q%20r"; bad; a=2');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
    expect({ ...cookies }).toEqual({ a: '1', ['__proto__']: 'x', b: 'q r' });
  });

  it('reads every beforeSubscribe answer shape', () => {
    expect(interpretDecision(['/a'], undefined)).toEqual({ allowed: ['/a'], refused: [] });
    expect(interpretDecision(['/a'], true)).toEqual({ allowed: ['/a'], refused: [] });
    expect(interpretDecision(['/a'], false).refused).toHaveLength(1);
    expect(interpretDecision(['/a', 'constructor'], { refuse: {} })).toEqual({ allowed: ['/a', 'constructor'], refused: [] });
    expect(interpretDecision(['/a', '/b'], { allow: ['/b'] }).allowed).toEqual(['/b']);
  });
});
