/**
 * Credentials, refusals, expiry, presence and direct messages against a scripted socket with fake
 * timers: the `params` provider per attempt, the one retry after 4500, refresh before expiry,
 * presence events and queries (hostile frames included), deliveries on topics nobody subscribed.
 * `credentials-roundtrip.test.ts` does the same against the real server.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Firetower, FiretowerError, type FiretowerOptions, type PresenceMember } from '@firetower/client';
import { latest, ScriptedSocket } from './scripted-socket.js';

function client(options: FiretowerOptions = {}) {
  const errors: FiretowerError[] = [];
  const ft = new Firetower('ws://test.invalid/ws?room=1&token=old', { WebSocket: ScriptedSocket, ...options });
  ft.on('error', (error) => errors.push(error));
  return { ft, errors };
}

const query = (socket: ScriptedSocket, key: string): string | null => new URL(socket.url).searchParams.get(key);

/** Lets a promise-returning provider settle (fake timers do not run microtasks on their own). */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  ScriptedSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('params', () => {
  test('a plain object is added to every URL, replacing same-named parameters; clientId stays the client’s', () => {
    client({ params: { token: 't1', clientId: 'forged', n: 3 as unknown as string } as Record<string, string>, clientId: 'c-1' });
    const socket = latest();
    expect(query(socket, 'token')).toBe('t1');
    expect(query(socket, 'room')).toBe('1');
    expect(query(socket, 'clientId')).toBe('c-1');
    // Only string values are parameters.
    expect(query(socket, 'n')).toBeNull();
    expect(new URL(socket.url).searchParams.getAll('token')).toEqual(['t1']);
  });

  test('a provider is called before each attempt and each attempt carries its fresh value', async () => {
    let calls = 0;
    const { ft } = client({ params: async () => ({ token: `t${++calls}` }) });
    // The socket waits for the provider.
    expect(ScriptedSocket.all).toHaveLength(0);
    await settle();
    expect(query(latest(), 'token')).toBe('t1');
    latest().accept();
    latest().drop(1006);
    expect(ft.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ScriptedSocket.all).toHaveLength(2);
    expect(query(latest(), 'token')).toBe('t2');
    latest().drop(1006);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(query(latest(), 'token')).toBe('t3');
    expect(calls).toBe(3);
  });

  test('a synchronous provider opens the socket at once', () => {
    client({ params: () => ({ token: 'now' }) });
    expect(query(latest(), 'token')).toBe('now');
  });

  test.each([
    [
      'throws',
      () => {
        throw new Error('no token');
      },
    ],
    ['rejects', () => Promise.reject(new Error('no token'))],
  ])('a provider that %s is a callback error and a failed attempt with backoff, never a crash', async (_, provider) => {
    let fail = true;
    const { ft, errors } = client({
      params: () => (fail ? provider() : { token: 'ok' }),
    });
    await settle();
    expect(ScriptedSocket.all).toHaveLength(0);
    expect(ft.state).toBe('reconnecting');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FiretowerError);
    expect(errors[0]).toMatchObject({ code: 'callback', message: 'params threw: no token' });
    fail = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(query(latest(), 'token')).toBe('ok');
    latest().accept();
    expect(ft.state).toBe('open');
  });

  test('a provider that never answers is cut by connectionTimeoutMs and retried', async () => {
    let calls = 0;
    const { ft } = client({ connectionTimeoutMs: 1_000, params: () => (++calls === 1 ? new Promise<never>(() => {}) : { token: 'late' }) });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ft.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(query(latest(), 'token')).toBe('late');
    expect(ScriptedSocket.all).toHaveLength(1);
  });

  test('close() while the provider is pending: no socket is ever made', async () => {
    let resolve!: (params: Record<string, string>) => void;
    const { ft } = client({ params: () => new Promise((r) => (resolve = r)) });
    ft.close();
    resolve({ token: 'late' });
    await settle();
    expect(ScriptedSocket.all).toHaveLength(0);
    expect(ft.state).toBe('closed');
  });
});

describe('refusals', () => {
  test('4500: one retry with fresh params; a second 4500 closes with the reason, and no third attempt', async () => {
    let calls = 0;
    const { ft, errors } = client({ params: () => ({ token: `t${++calls}` }) });
    const closes = vi.fn();
    ft.on('close', closes);
    latest().accept();
    latest().drop(4500, 'token expired');
    expect(ft.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ScriptedSocket.all).toHaveLength(2);
    expect(query(latest(), 'token')).toBe('t2');
    latest().accept();
    latest().drop(4500, 'token revoked');
    expect(ft.state).toBe('closed');
    expect(closes).toHaveBeenLastCalledWith({ code: 4500, reason: 'token revoked', willReconnect: false });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'closed', closeCode: 4500, reason: 'token revoked' });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(ScriptedSocket.all).toHaveLength(2);
    expect(calls).toBe(2);
  });

  test('4500 without a provider (a plain object) closes at once', async () => {
    const { ft, errors } = client({ params: { token: 'static' } });
    latest().accept();
    latest().drop(4500, 'authentication required');
    expect(ft.state).toBe('closed');
    expect(errors[0]).toMatchObject({ code: 'closed', closeCode: 4500, reason: 'authentication required' });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(ScriptedSocket.all).toHaveLength(1);
  });

  test('4503 is never retried, even with a provider', async () => {
    const provider = vi.fn(() => ({ token: 't' }));
    const { ft, errors } = client({ params: provider });
    latest().accept();
    latest().drop(4503, 'banned');
    expect(ft.state).toBe('closed');
    expect(errors).toEqual([expect.objectContaining({ code: 'closed', closeCode: 4503, reason: 'banned' })]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(ScriptedSocket.all).toHaveLength(1);
    expect(provider).toHaveBeenCalledOnce();
  });

  test('pending publishes and ready() reject with the refusal; connect() starts over with one retry again', async () => {
    const { ft } = client({ params: () => ({ token: 't' }) });
    const published = ft.publish('/a', 1);
    latest().drop(4500, 'no');
    await vi.advanceTimersByTimeAsync(1_000);
    latest().drop(4500, 'still no');
    await expect(published).rejects.toMatchObject({ code: 'closed', closeCode: 4500, reason: 'still no' });
    await expect(ft.ready()).rejects.toMatchObject({ code: 'closed' });
    ft.connect();
    latest().drop(4500, 'no');
    expect(ft.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    latest().drop(4500, 'no');
    expect(ft.state).toBe('closed');
    expect(ScriptedSocket.all).toHaveLength(4);
  });

  test('a connection that stayed up minUptimeMs earns a fresh retry', async () => {
    const { ft } = client({ params: () => ({ token: 't' }) });
    latest().accept();
    latest().drop(4500, 'no');
    await vi.advanceTimersByTimeAsync(1_000);
    latest().accept();
    await vi.advanceTimersByTimeAsync(5_000);
    latest().drop(4500, 'revoked later');
    expect(ft.state).toBe('reconnecting');
  });

  test('4005 (credentials expired) reconnects with fresh params', async () => {
    let calls = 0;
    const { ft, errors } = client({ params: () => ({ token: `t${++calls}` }) });
    latest().accept();
    latest().drop(4005, 'credentials expired');
    expect(ft.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(query(latest(), 'token')).toBe('t2');
    latest().accept();
    expect(ft.state).toBe('open');
    expect(errors).toEqual([]);
  });
});

describe('session expiry and refresh', () => {
  const refreshes = (socket: ScriptedSocket) => socket.frames().filter((frame) => frame.type === 'refresh');

  test('a refresh goes out 30 s before a long session expires, and the ack reschedules', async () => {
    let calls = 0;
    const { ft, errors } = client({ heartbeatTimeoutMs: 0, params: async () => ({ token: `t${++calls}` }) });
    await settle();
    const socket = latest();
    socket.accept();
    socket.frame({ type: 'session', expiresInMs: 3_600_000 });
    await vi.advanceTimersByTimeAsync(3_570_000 - 1);
    expect(refreshes(socket)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const [refresh] = refreshes(socket);
    expect(refresh).toMatchObject({ type: 'refresh', credentials: { token: 't2' } });
    expect(typeof refresh?.id).toBe('string');
    socket.frame({ type: 'ack', id: refresh?.id, expiresInMs: 100_000 });
    // 100 s: 30 s before is 70 s, 80 % is 80 s; the later one.
    await vi.advanceTimersByTimeAsync(80_000 - 1);
    expect(refreshes(socket)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(refreshes(socket)).toHaveLength(2);
    expect(refreshes(socket)[1]).toMatchObject({ credentials: { token: 't3' } });
    // An ack without expiresInMs: the credentials no longer expire.
    socket.frame({ type: 'ack', id: refreshes(socket)[1]?.id });
    await vi.advanceTimersByTimeAsync(10_000_000);
    expect(refreshes(socket)).toHaveLength(2);
    expect(ft.state).toBe('open');
    expect(errors).toEqual([]);
  });

  test('a short session is refreshed at 80 %', async () => {
    client({ heartbeatTimeoutMs: 0, params: () => ({ token: 't' }) });
    latest().accept();
    latest().frame({ type: 'session', expiresInMs: 1_500 });
    await vi.advanceTimersByTimeAsync(1_199);
    expect(refreshes(latest())).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(refreshes(latest())).toHaveLength(1);
  });

  test('a refused refresh is an error event and the connection stays', async () => {
    const { ft, errors } = client({ heartbeatTimeoutMs: 0, params: () => ({ token: 't' }) });
    latest().accept();
    latest().frame({ type: 'session', expiresInMs: 10_000 });
    await vi.advanceTimersByTimeAsync(8_000);
    const id = refreshes(latest())[0]?.id;
    latest().frame({ type: 'error', code: 'refused', message: 'credentials refused', id });
    expect(errors).toEqual([expect.objectContaining({ code: 'refused', serverCode: 'refused', reason: 'credentials refused' })]);
    expect(ft.state).toBe('open');
    expect(latest().closedWith).toBeUndefined();
    // The server closes at expiry with 4005: reconnect.
    latest().drop(4005, 'credentials expired');
    expect(ft.state).toBe('reconnecting');
  });

  test('a provider that fails at refresh time is reported; the connection stays', async () => {
    let calls = 0;
    const { ft, errors } = client({
      heartbeatTimeoutMs: 0,
      params: () => {
        if (++calls > 1) throw new Error('login needed');
        return { token: 't' };
      },
    });
    latest().accept();
    latest().frame({ type: 'session', expiresInMs: 10_000 });
    await vi.advanceTimersByTimeAsync(8_000);
    expect(errors).toEqual([expect.objectContaining({ code: 'callback', message: 'params threw: login needed' })]);
    expect(refreshes(latest())).toHaveLength(0);
    expect(ft.state).toBe('open');
  });

  test('without a provider a session frame schedules nothing', async () => {
    client({ heartbeatTimeoutMs: 0, params: { token: 'static' } });
    latest().accept();
    latest().frame({ type: 'session', expiresInMs: 1_000 });
    expect(vi.getTimerCount()).toBe(1); // the stable-connection timer only
    await vi.advanceTimersByTimeAsync(10_000);
    expect(refreshes(latest())).toHaveLength(0);
  });

  test('a drop clears the refresh timer, and a provider answering after the drop sends nothing', async () => {
    let resolve: ((params: Record<string, string>) => void) | undefined;
    const { ft } = client({
      heartbeatTimeoutMs: 0,
      params: () => (ScriptedSocket.all.length === 0 ? { token: 'first' } : new Promise((r) => (resolve = r))),
    });
    const first = latest();
    first.accept();
    first.frame({ type: 'session', expiresInMs: 10_000 });
    await vi.advanceTimersByTimeAsync(8_000);
    // The refresh's provider is pending; the connection drops.
    first.drop(1006);
    resolve?.({ token: 'too late' });
    await settle();
    expect(refreshes(first)).toHaveLength(0);
    expect(ft.state).toBe('reconnecting');
    ft.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  test('close() clears every timer, the refresh included', () => {
    const { ft } = client({ params: () => ({ token: 't' }) });
    latest().accept();
    latest().frame({ type: 'session', expiresInMs: 10_000 });
    ft.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  test.each([[-1], ['100'], [null], [Number.NaN], [1e400], [{}]])('a session frame with expiresInMs %s is ignored', (expiresInMs) => {
    const { ft, errors } = client({ heartbeatTimeoutMs: 0, params: () => ({ token: 't' }) });
    latest().accept();
    latest().frame(`{"type":"session","expiresInMs":${JSON.stringify(expiresInMs) ?? 'null'}}`);
    expect(vi.getTimerCount()).toBe(1);
    expect(ft.state).toBe('open');
    expect(errors).toEqual([]);
  });
});

describe('presence', () => {
  test('{ presence: true } puts "presence": true on the subscribe, and on every resubscribe', () => {
    const { ft } = client();
    latest().accept();
    ft.subscribe(['/room/a', '/room/b'], undefined, { presence: true });
    ft.subscribe('/plain');
    expect(latest().frames()).toEqual([
      { type: 'subscribe', topic: ['/room/a', '/room/b'], id: expect.any(String) as string, presence: true },
      { type: 'subscribe', topic: ['/plain'], id: expect.any(String) as string },
    ]);
    latest().drop(1006);
    vi.advanceTimersByTime(1_000);
    latest().accept();
    expect(latest().frames()).toEqual([
      { type: 'subscribe', topic: ['/room/a', '/room/b'], id: expect.any(String) as string, presence: true },
      { type: 'subscribe', topic: ['/plain'], id: expect.any(String) as string },
    ]);
  });

  test('a handle asking for presence on a topic already held subscribes it again with presence', () => {
    const { ft } = client();
    latest().accept();
    ft.subscribe('/room/a');
    latest().ackAll();
    const watcher = ft.subscribe('/room/a', undefined, { presence: true });
    expect(latest().frames()[1]).toMatchObject({ type: 'subscribe', topic: ['/room/a'], presence: true });
    latest().ackAll();
    expect(watcher.state).toBe('subscribed');
    // A third handle with presence changes nothing on the wire.
    ft.subscribe('/room/a', undefined, { presence: true });
    expect(latest().frames()).toHaveLength(2);
  });

  test('join and leave reach the handles that asked for presence, with the topic', () => {
    const { ft } = client();
    latest().accept();
    const watcher = ft.subscribe(['/room/a', '/room/b'], undefined, { presence: true });
    const plain = ft.subscribe('/room/a');
    latest().ackAll();
    const seen: Array<[string, PresenceMember, string]> = [];
    watcher.on('join', (member, topic) => seen.push(['join', member, topic]));
    watcher.on('leave', (member, topic) => seen.push(['leave', member, topic]));
    const plainJoin = vi.fn();
    plain.on('join', plainJoin);
    latest().frame({ type: 'join', topic: '/room/a', member: { id: 'ada', info: { name: 'Ada' } } });
    latest().frame({ type: 'join', topic: '/room/b', member: { id: 'bob' } });
    latest().frame({ type: 'leave', topic: '/room/a', member: { id: 'ada', info: { name: 'Ada' } } });
    latest().frame({ type: 'join', topic: '/elsewhere', member: { id: 'eve', info: null } });
    expect(seen).toEqual([
      ['join', { id: 'ada', info: { name: 'Ada' } }, '/room/a'],
      ['join', { id: 'bob', info: null }, '/room/b'],
      ['leave', { id: 'ada', info: { name: 'Ada' } }, '/room/a'],
    ]);
    expect(plainJoin).not.toHaveBeenCalled();
    watcher.unsubscribe();
    latest().frame({ type: 'join', topic: '/room/a', member: { id: 'cy', info: null } });
    expect(seen).toHaveLength(3);
  });

  test('hostile presence events are ignored, never thrown', () => {
    const { ft, errors } = client();
    latest().accept();
    const watcher = ft.subscribe('/room/a', undefined, { presence: true });
    latest().ackAll();
    const joins = vi.fn();
    watcher.on('join', joins);
    for (const frame of [
      { type: 'join', topic: '/room/a' },
      { type: 'join', topic: '/room/a', member: null },
      { type: 'join', topic: '/room/a', member: 'ada' },
      { type: 'join', topic: '/room/a', member: ['ada'] },
      { type: 'join', topic: '/room/a', member: { id: 7 } },
      { type: 'join', topic: '/room/a', member: { info: 'x' } },
      { type: 'leave', topic: 42, member: { id: 'ada' } },
      { type: 'leave', member: { id: 'ada' } },
      '{"type":"join","topic":"/room/a","member":{"__proto__":{"id":"x"}}}',
    ]) {
      latest().frame(frame);
    }
    expect(joins).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
    expect(ft.state).toBe('open');
    // A member with extra or odd fields is still a member; `connections` only when it is a count.
    latest().frame({ type: 'join', topic: '/room/a', member: { id: 'ada', info: [1], connections: -1, x: 1 } });
    expect(joins).toHaveBeenCalledWith({ id: 'ada', info: [1] }, '/room/a');
  });

  test('presence() asks after ready and resolves with the ack’s list', async () => {
    const { ft } = client();
    latest().accept();
    const room = ft.subscribe('/room/a');
    const list = room.presence();
    await settle();
    // Not before the subscribe is acknowledged: the server answers only subscribers.
    expect(latest().frames()).toHaveLength(1);
    latest().ackAll();
    await settle();
    const ask = latest().frames()[1];
    expect(ask).toEqual({ type: 'presence', topic: '/room/a', id: expect.any(String) as string });
    latest().frame({
      type: 'ack',
      id: ask?.id,
      presence: { members: [{ id: 'ada', info: { name: 'Ada' }, connections: 2 }], total: 1, truncated: false },
    });
    await expect(list).resolves.toEqual({ members: [{ id: 'ada', info: { name: 'Ada' }, connections: 2 }], total: 1, truncated: false });
  });

  test('presence() on a handle of several topics needs the topic', async () => {
    const { ft } = client();
    latest().accept();
    const rooms = ft.subscribe(['/room/a', '/room/b']);
    latest().ackAll();
    await expect(rooms.presence()).rejects.toMatchObject({ code: 'invalid' });
    await expect(rooms.presence('/room/c')).rejects.toMatchObject({ code: 'invalid' });
    const list = rooms.presence('/room/b');
    await settle();
    const ask = latest().frames().at(-1);
    expect(ask).toMatchObject({ type: 'presence', topic: '/room/b' });
    latest().frame({ type: 'ack', id: ask?.id, presence: { members: [], total: 0, truncated: false } });
    await expect(list).resolves.toEqual({ members: [], total: 0, truncated: false });
  });

  test.each([
    ['no_presence', 'invalid'],
    ['refused', 'refused'],
  ])('an error frame %s rejects presence() with %s', async (serverCode, code) => {
    const { ft } = client();
    latest().accept();
    const room = ft.subscribe('/room/a');
    latest().ackAll();
    const list = room.presence();
    await settle();
    const ask = latest().frames().at(-1);
    latest().frame({ type: 'error', code: serverCode, message: 'nope', id: ask?.id, topic: '/room/a' });
    await expect(list).rejects.toMatchObject({ code, serverCode, topic: '/room/a' });
  });

  test('hostile presence answers: a bad list rejects with invalid, bad members are skipped, a bad total is the count', async () => {
    const { ft, errors } = client();
    latest().accept();
    const room = ft.subscribe('/room/a');
    latest().ackAll();
    const answers: unknown[] = [
      undefined,
      null,
      'everyone',
      { members: 'ada' },
      { members: [null, 'x', { id: 1 }, { id: 'ada', connections: 'many' }, { id: 'bob', info: 1, connections: 3 }], total: -5, truncated: 'yes' },
    ];
    const results: Array<PromiseSettledResult<unknown>> = [];
    for (const presence of answers) {
      const list = room.presence();
      await settle();
      latest().frame({ type: 'ack', id: latest().frames().at(-1)?.id, presence });
      results.push(...(await Promise.allSettled([list])));
    }
    expect(results.slice(0, 4).map((r) => r.status === 'rejected' && (r.reason as FiretowerError).code)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    expect(results[4]).toEqual({
      status: 'fulfilled',
      value: {
        members: [
          { id: 'ada', info: null },
          { id: 'bob', info: 1, connections: 3 },
        ],
        total: 2,
        truncated: false,
      },
    });
    expect(errors).toEqual([]);
  });

  test('presence() rejects with closed when not connected, and when the connection drops before the answer', async () => {
    const { ft } = client();
    latest().accept();
    const room = ft.subscribe('/room/a');
    latest().ackAll();
    const list = room.presence();
    await settle();
    latest().drop(1006);
    await expect(list).rejects.toMatchObject({ code: 'closed', topic: '/room/a' });
    await expect(room.presence()).rejects.toMatchObject({ code: 'closed' });
    // A late answer for the old id is ignored (it reaches no one).
    expect(ft.state).toBe('reconnecting');
  });

  test('presence() of a refused handle rejects with the refusal', async () => {
    const { ft } = client();
    latest().accept();
    const room = ft.subscribe('/room/a');
    const id = latest().frames()[0]?.id;
    latest().frame({ type: 'ack', id, refused: [{ topic: '/room/a', code: 'refused', reason: 'private' }] });
    await expect(room.presence()).rejects.toMatchObject({ code: 'refused', reason: 'private' });
  });
});

describe('direct messages and publish permissions', () => {
  test('a delivery on a topic this client never subscribed reaches the message event', () => {
    const { ft } = client();
    latest().accept();
    const messages = vi.fn();
    ft.on('message', messages);
    latest().frame({ type: 'publish', topic: '/user/ada/inbox', data: { text: 'psst' } });
    expect(messages).toHaveBeenCalledWith({ topic: '/user/ada/inbox', data: { text: 'psst' } });
    expect(ft.topics).toEqual([]);
  });

  test('publish_not_allowed rejects the publish with refused and the server code', async () => {
    const { ft } = client();
    latest().accept();
    const published = ft.publish('/chat/a', 'hi');
    const id = latest().frames()[0]?.id;
    latest().frame({ type: 'error', code: 'publish_not_allowed', message: 'client publishes are not allowed here', id, topic: '/chat/a' });
    await expect(published).rejects.toMatchObject({ code: 'refused', serverCode: 'publish_not_allowed', topic: '/chat/a' });
  });
});
