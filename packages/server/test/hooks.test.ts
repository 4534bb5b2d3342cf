import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, FiretowerRefusal, type FiretowerHooks, type Tower } from '@firetower/server';
import { waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

type Call = [string, ...unknown[]];

/** Hooks that record every call (name + args, towers as clientIds) in order. */
function recordingHooks(overrides: FiretowerHooks = {}): { calls: Call[]; hooks: FiretowerHooks } {
  const calls: Call[] = [];
  const id = (tower: Tower) => tower.clientId;
  const hooks: FiretowerHooks = {
    authenticate: (ctx) => {
      calls.push(['authenticate', ctx.query.get('user'), ctx.cookies.sid, typeof ctx.request.headers]);
      return { userId: ctx.query.get('user') ?? undefined, data: { role: 'member' } };
    },
    onConnect: (tower) => void calls.push(['onConnect', id(tower), tower.userId, tower.data]),
    beforeSubscribe: (tower, topics) => void calls.push(['beforeSubscribe', id(tower), topics]),
    onSubscribe: (tower, topics) => void calls.push(['onSubscribe', id(tower), topics]),
    onUnsubscribe: (tower, topics, reason) => void calls.push(['onUnsubscribe', id(tower), topics, reason]),
    onMessage: (tower, message) => void calls.push(['onMessage', id(tower), message]),
    onOffline: (tower, info) => void calls.push(['onOffline', id(tower), info.code]),
    onSystemRemove: (tower, topic) => void calls.push(['onSystemRemove', id(tower), topic]),
    ...overrides,
  };
  return { calls, hooks };
}

describe('hook order and arguments', () => {
  it('fires every hook of a connection lifecycle in order', async () => {
    const { calls, hooks } = recordingHooks();
    const server = await start({ hooks });
    const a = await join(server, { user: 'ann', clientId: 'c-ann' }, { headers: { cookie: 'sid=s1; other=2' } });
    await a.request({ type: 'subscribe', topic: ['/a', '/b'] });
    await a.request({ type: 'publish', topic: '/a', data: { t: 1 }, excludeSelf: true });
    await a.request({ type: 'unsubscribe', topic: '/b' });
    await a.close(1000, 'bye');
    await waitFor(() => calls.some((c) => c[0] === 'onOffline'), 5000, 'onOffline');
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'authenticate ann',
      'onConnect c-ann',
      'beforeSubscribe c-ann',
      'onSubscribe c-ann',
      'onMessage c-ann',
      'onUnsubscribe c-ann',
      'onUnsubscribe c-ann',
      'onOffline c-ann',
    ]);
    expect(calls[0]).toEqual(['authenticate', 'ann', 's1', 'object']);
    expect(calls[1]).toEqual(['onConnect', 'c-ann', 'ann', { role: 'member' }]);
    expect(calls[2]).toEqual(['beforeSubscribe', 'c-ann', ['/a', '/b']]);
    expect(calls[3]).toEqual(['onSubscribe', 'c-ann', ['/a', '/b']]);
    expect(calls[4]).toEqual(['onMessage', 'c-ann', { topic: '/a', data: { t: 1 }, id: expect.any(String), excludeSelf: true }]);
    expect(calls[5]).toEqual(['onUnsubscribe', 'c-ann', ['/b'], 'client']);
    expect(calls[6]).toEqual(['onUnsubscribe', 'c-ann', ['/a'], 'closed']);
    expect(calls[7]).toEqual(['onOffline', 'c-ann', 1000]);
  });

  it('keeps the order with async hooks and holds frames until onConnect finished', async () => {
    const calls: string[] = [];
    const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
    const server = await start({
      hooks: {
        onConnect: async () => void calls.push(await later('onConnect')),
        beforeSubscribe: async () => void calls.push(await later('beforeSubscribe')),
        onSubscribe: async () => void calls.push(await later('onSubscribe')),
        onMessage: async (_t, m) => void calls.push(await later(`onMessage ${String(m.data)}`)),
        onUnsubscribe: async (_t, _topics, reason) => void calls.push(await later(`onUnsubscribe ${reason}`)),
        onOffline: async () => void calls.push(await later('onOffline')),
      },
    });
    const a = await join(server);
    a.send({ type: 'subscribe', topic: '/s' });
    for (let i = 0; i < 5; i++) a.send({ type: 'publish', topic: '/s', data: i });
    for (let i = 0; i < 5; i++) expect((await a.nextDelivery('/s')).data).toBe(i);
    await a.close();
    await waitFor(() => calls.at(-1) === 'onOffline', 5000, 'onOffline');
    expect(calls).toEqual([
      'onConnect',
      'beforeSubscribe',
      'onSubscribe',
      ...[0, 1, 2, 3, 4].map((i) => `onMessage ${i}`),
      'onUnsubscribe closed',
      'onOffline',
    ]);
  });

  it('contains throwing hooks: onError fires, the client gets an internal error, the process lives', async () => {
    const errors: string[] = [];
    const server = await start({
      hooks: {
        onConnect: () => undefined,
        beforeSubscribe: (_t, topics) => {
          if (topics.includes('/boom')) throw new Error('before boom');
        },
        onSubscribe: async () => {
          throw new Error('after boom');
        },
        onMessage: () => {
          throw 'string thrown';
        },
        onOffline: () => {
          throw new Error('offline boom');
        },
        onError: (error, tower) => void errors.push(`${error.message}${tower ? ' @tower' : ''}`),
      },
    });
    const a = await join(server);
    expect(await a.request({ type: 'subscribe', topic: '/boom' })).toMatchObject({ type: 'error', code: ErrorCode.Internal });
    expect(await a.request({ type: 'subscribe', topic: '/ok' })).toMatchObject({ type: 'ack', topics: ['/ok'] });
    expect(await a.request({ type: 'publish', topic: '/ok', data: 1 })).toMatchObject({ type: 'error', code: ErrorCode.Internal });
    await a.close();
    await waitFor(() => errors.length === 4, 5000, 'four errors');
    expect(errors).toEqual([
      'beforeSubscribe threw @tower',
      'onSubscribe threw: after boom @tower',
      'onMessage threw @tower',
      'onOffline threw: offline boom @tower',
    ]);
    expect(server.ft.stats().errorsTotal).toBe(4);
    expect(server.ft.recentIssues().filter((i) => i.kind === 'error')).toHaveLength(4);
  });
});

describe('beforeSubscribe decisions', () => {
  it('refuses some or all topics and tells the client which and why', async () => {
    const server = await start({
      hooks: {
        beforeSubscribe: (_tower, topics) => {
          if (topics[0] === '/all-no') return false;
          if (topics[0] === '/allow') return { allow: ['/allow'] };
          if (topics[0] === '/throw') throw new FiretowerRefusal('members only');
          return { refuse: { '/secret': 'admins only', ['__proto__']: 'no protos' } };
        },
      },
    });
    const a = await join(server);
    expect(await a.request({ type: 'subscribe', topic: ['/open', '/secret', '__proto__', 'constructor'] })).toEqual({
      type: 'ack',
      id: expect.any(String),
      topics: ['/open', 'constructor'],
      refused: [
        { topic: '/secret', code: ErrorCode.Refused, reason: 'admins only' },
        { topic: '__proto__', code: ErrorCode.Refused, reason: 'no protos' },
      ],
    });
    expect(await a.request({ type: 'subscribe', topic: ['/all-no', '/x'] })).toMatchObject({ topics: [], refused: [{ topic: '/all-no' }, { topic: '/x' }] });
    expect(await a.request({ type: 'subscribe', topic: ['/allow', '/deny'] })).toMatchObject({
      topics: ['/allow'],
      refused: [{ topic: '/deny', reason: 'not allowed' }],
    });
    expect(await a.request({ type: 'subscribe', topic: ['/throw'] })).toMatchObject({ topics: [], refused: [{ topic: '/throw', reason: 'members only' }] });
    // The original client (no id) gets one error frame per refused topic.
    a.send('{"type":"subscribe","topic":"/open2,/secret","data":""}');
    expect(await a.next((f) => f.type === 'error')).toEqual({ type: 'error', code: ErrorCode.Refused, message: 'admins only', topic: '/secret' });
    expect([...server.ft.getTower([...server.ft.towers()][0]!.clientId)!.topics].sort()).toEqual(['/allow', '/open', '/open2', 'constructor']);
    expect(server.ft.stats().refusalsTotal.beforeSubscribe).toBe(7);
  });
});

describe('message handler decisions', () => {
  it('transforms, reroutes, drops or refuses a publish', async () => {
    const server = await start({
      hooks: {
        onMessage: (tower, message) => {
          if (message.data === 'drop') return false;
          if (message.data === 'refuse') throw new FiretowerRefusal('not in this room');
          if (message.data === 'reroute') return { topic: '/other', data: 'rerouted' };
          return { data: { text: message.data, from: tower.userId ?? 'anon' } };
        },
      },
    });
    const a = await join(server);
    await a.request({ type: 'subscribe', topic: ['/room', '/other'] });
    expect(await a.request({ type: 'publish', topic: '/room', data: 'hi' })).toMatchObject({ type: 'ack' });
    expect((await a.nextDelivery('/room')).data).toEqual({ text: 'hi', from: 'anon' });
    expect(await a.request({ type: 'publish', topic: '/room', data: 'drop' })).toMatchObject({ type: 'ack' });
    expect(await a.request({ type: 'publish', topic: '/room', data: 'refuse' })).toMatchObject({
      type: 'error',
      code: ErrorCode.Refused,
      message: 'not in this room',
      topic: '/room',
    });
    await a.request({ type: 'publish', topic: '/room', data: 'reroute' });
    expect((await a.nextDelivery()).topic).toBe('/other');
    expect(a.received.filter((f) => f.type === 'publish')).toHaveLength(2);
    expect(server.ft.stats()).toMatchObject({ dropsTotal: { handler: 1 }, refusalsTotal: { message: 1 } });
  });
});

describe('refusing after the upgrade', () => {
  it('onConnect may close with Unauthorized (4500) or throw a refusal', async () => {
    const server = await start({
      hooks: {
        onConnect: (tower) => {
          const mode = new URL(tower.request.url ?? '/', 'http://x').searchParams.get('mode');
          if (mode === 'close') tower.close(CloseCode.Unauthorized, 'token expired');
          if (mode === 'throw') throw new FiretowerRefusal('banned');
        },
      },
    });
    const closing = await join(server, { mode: 'close' });
    expect(await closing.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'token expired' });
    const throwing = await join(server, { mode: 'throw' });
    expect(await throwing.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'banned' });
    await waitFor(() => server.ft.stats().connections === 0, 5000, 'no connections');
  });
});

describe('onCountChange', () => {
  it('reports debounced count changes, back to zero', async () => {
    const changes: Array<[string, number]> = [];
    const server = await start({ countDebounceMs: 20, hooks: { onCountChange: ({ topic, count }) => void changes.push([topic, count]) } });
    const a = await join(server);
    const b = await join(server);
    await a.request({ type: 'subscribe', topic: '/count' });
    await b.request({ type: 'subscribe', topic: '/count' });
    await waitFor(() => changes.at(-1)?.[1] === 2, 5000, 'count 2');
    await a.close();
    await b.close();
    await waitFor(() => changes.at(-1)?.[1] === 0, 5000, 'count 0');
    // Debounced: never more reports than changes, each one differs from the last.
    expect(changes.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < changes.length; i++) expect(changes[i]![1]).not.toBe(changes[i - 1]![1]);
  });
});
