/**
 * History and recovery on the client, against a scripted server: stream positions from acks and
 * deliveries, duplicates dropped, `since` on resubscribe, gap recovery, epoch changes, catch-up
 * options, and hostile positions. The real round trip is in history-roundtrip.test.ts.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Firetower, FiretowerError, type SubscribedEvent, type Subscription, type TopicMessage } from '@firetower/client';
import { latest, ScriptedSocket } from './scripted-socket.js';

type Frame = Record<string, unknown>;

beforeEach(() => {
  vi.useFakeTimers();
  ScriptedSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

function client() {
  return new Firetower('ws://test.invalid/ws', { WebSocket: ScriptedSocket, reconnectDelayMinMs: 10, reconnectDelayMaxMs: 10 });
}

/** A handle that records what reaches it. */
function watch(ft: Firetower, topic: string, options?: Parameters<Firetower['subscribe']>[2]) {
  const received: TopicMessage[] = [];
  const subscribed: SubscribedEvent[] = [];
  const handle = ft.subscribe(topic, (_data, message) => received.push(message), options);
  handle.on('subscribed', (event) => subscribed.push(event));
  return { handle, received, subscribed, offsets: () => received.map((m) => m.offset) };
}

const subscribes = (socket = latest()): Frame[] => socket.frames().filter((f) => f.type === 'subscribe');
const lastSubscribe = (socket = latest()): Frame => subscribes(socket).at(-1)!;

/** Acks the latest subscribe frame with these streams. */
function ack(streams?: unknown, socket = latest()): void {
  const frame = lastSubscribe(socket);
  socket.frame(streams === undefined ? { type: 'ack', id: frame.id, topics: frame.topic } : { type: 'ack', id: frame.id, topics: frame.topic, streams });
}

const publish = (topic: string, offset: unknown, epoch: unknown, data: unknown = offset) => latest().frame({ type: 'publish', topic, data, offset, epoch });

/** Drops the connection and lets the client reconnect to a fresh socket. */
function reconnect(): ScriptedSocket {
  latest().drop(1006);
  vi.advanceTimersByTime(20);
  latest().accept();
  return latest();
}

/** A client holding `/h` at (E, at). */
function at(offset: number, epoch = 'E') {
  const ft = client();
  const h = watch(ft, '/h');
  latest().accept();
  ack({ '/h': { offset, epoch } });
  return { ft, ...h };
}

describe('positions and duplicates', () => {
  test('the ack sets the position; every delivery carries offset and epoch; duplicates never reach handlers', () => {
    const { ft, received, offsets } = at(5);
    const all: TopicMessage[] = [];
    ft.on('message', (m) => all.push(m));
    for (const offset of [6, 7, 7, 5, 6, 8]) publish('/h', offset, 'E');
    expect(offsets()).toEqual([6, 7, 8]);
    expect(received[0]).toEqual({ topic: '/h', data: 6, offset: 6, epoch: 'E' });
    expect(all.map((m) => m.offset)).toEqual([6, 7, 8]);
    expect(subscribes()).toHaveLength(1);
  });

  test('a topic without history delivers everything, without a position', () => {
    const ft = client();
    const { received } = watch(ft, '/plain');
    latest().accept();
    ack();
    latest().frame({ type: 'publish', topic: '/plain', data: 'a' });
    latest().frame({ type: 'publish', topic: '/plain', data: 'a' });
    expect(received).toEqual([
      { topic: '/plain', data: 'a' },
      { topic: '/plain', data: 'a' },
    ]);
  });

  test('without an ack position, the first delivery tells where the stream is', () => {
    const ft = client();
    const { offsets } = watch(ft, '/h');
    latest().accept();
    ack();
    for (const offset of [40, 41, 41, 42]) publish('/h', offset, 'E');
    expect(offsets()).toEqual([40, 41, 42]);
  });

  test("an empty stream ('', 0) continues with offset 1 of any epoch, and adopts it", () => {
    const { offsets } = at(0, '');
    publish('/h', 1, 'fresh');
    publish('/h', 2, 'fresh');
    publish('/h', 2, 'fresh');
    expect(offsets()).toEqual([1, 2]);
    expect(subscribes()).toHaveLength(1);
  });

  test("an empty stream ('', 0) followed by offset 2 is a gap", () => {
    const { offsets } = at(0, '');
    publish('/h', 2, 'fresh');
    expect(offsets()).toEqual([]);
    expect(lastSubscribe().since).toEqual({ '/h': { offset: 0, epoch: '' } });
  });
});

describe('recovery after a reconnect', () => {
  test('the resubscribe carries since; the ack says recovered; the replay follows in order', () => {
    const { ft, offsets, subscribed } = at(5);
    const onClient: SubscribedEvent[] = [];
    ft.on('subscribed', (event) => onClient.push(event));
    publish('/h', 6, 'E');
    const socket = reconnect();
    expect(lastSubscribe(socket)).toMatchObject({ topic: ['/h'], since: { '/h': { offset: 6, epoch: 'E' } } });
    ack({ '/h': { offset: 6, epoch: 'E', recovered: true } });
    for (const offset of [7, 8, 9]) publish('/h', offset, 'E');
    expect(offsets()).toEqual([6, 7, 8, 9]);
    expect(subscribed).toEqual([
      { topic: '/h', wasRecovering: false, recovered: false },
      { topic: '/h', wasRecovering: true, recovered: true },
    ]);
    expect(onClient).toEqual([{ topic: '/h', wasRecovering: true, recovered: true }]);
  });

  test('recovered: false carries the reason; the position restarts where the server says', () => {
    const { offsets, subscribed } = at(5);
    reconnect();
    ack({ '/h': { offset: 90, epoch: 'E', recovered: false, reason: 'too_old' } });
    publish('/h', 91, 'E');
    expect(offsets()).toEqual([91]);
    expect(subscribed.at(-1)).toEqual({ topic: '/h', wasRecovering: true, recovered: false, reason: 'too_old' });
  });

  test('after a failed recovery (unavailable: the server kept the old position) live messages flow again', () => {
    const { offsets, subscribed } = at(5);
    publish('/h', 9, 'E');
    ack({ '/h': { offset: 5, epoch: 'E', recovered: false, reason: 'unavailable' } });
    for (const offset of [20, 21, 23]) publish('/h', offset, 'E');
    expect(offsets()).toEqual([20, 21]);
    expect(subscribed.at(-1)).toEqual({ topic: '/h', wasRecovering: true, recovered: false, reason: 'unavailable' });
    // 23 after 21 is a gap again, and recovered from 21.
    expect(lastSubscribe().since).toEqual({ '/h': { offset: 21, epoch: 'E' } });
    expect(subscribes()).toHaveLength(3);
  });

  test('a topic the ack has no stream for is not recovered (no_history), and is sent without since next time', () => {
    const { subscribed } = at(5);
    reconnect();
    ack({});
    expect(subscribed.at(-1)).toEqual({ topic: '/h', wasRecovering: true, recovered: false, reason: 'no_history' });
    const socket = reconnect();
    expect(lastSubscribe(socket).since).toBeUndefined();
  });

  test('only topics with a position are asked to recover, and nothing before the ack is delivered', () => {
    const ft = client();
    const h = watch(ft, '/h');
    const plain = watch(ft, '/plain');
    latest().accept();
    ack({ '/h': { offset: 3, epoch: 'E' } });
    reconnect();
    expect(lastSubscribe()).toMatchObject({ topic: ['/h', '/plain'], since: { '/h': { offset: 3, epoch: 'E' } } });
    publish('/h', 4, 'E');
    expect(h.offsets()).toEqual([]);
    ack({ '/h': { offset: 3, epoch: 'E', recovered: true } });
    publish('/h', 4, 'E');
    expect(h.offsets()).toEqual([4]);
    expect(plain.subscribed.at(-1)).toEqual({ topic: '/plain', wasRecovering: false, recovered: false });
  });

  test('unsubscribing forgets the position: a later subscribe starts live', () => {
    const { ft, handle } = at(5);
    handle.unsubscribe();
    watch(ft, '/h');
    expect(lastSubscribe()).toEqual({ type: 'subscribe', topic: ['/h'], id: expect.any(String) });
  });

  test('a handle joining a live topic hears subscribed once it can listen', async () => {
    const { ft } = at(5);
    const late = watch(ft, '/h');
    expect(late.handle.state).toBe('subscribed');
    expect(late.subscribed).toEqual([]);
    await Promise.resolve();
    expect(late.subscribed).toEqual([{ topic: '/h', wasRecovering: false, recovered: false }]);
  });
});

describe('gaps on a live stream', () => {
  test('a lost message resubscribes with since; nothing is delivered out of order', () => {
    const { offsets, subscribed } = at(5);
    publish('/h', 6, 'E');
    publish('/h', 8, 'E');
    expect(lastSubscribe()).toMatchObject({ topic: ['/h'], since: { '/h': { offset: 6, epoch: 'E' } } });
    // While the recovery is in flight: everything on the topic is replayed after its ack.
    publish('/h', 9, 'E');
    publish('/h', 11, 'E');
    expect(subscribes()).toHaveLength(2);
    ack({ '/h': { offset: 6, epoch: 'E', recovered: true } });
    for (const offset of [7, 8, 9, 10, 11, 12]) publish('/h', offset, 'E');
    expect(offsets()).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(subscribed.at(-1)).toEqual({ topic: '/h', wasRecovering: true, recovered: true });
  });

  test('a new epoch is a gap: recovered false (epoch_changed), then the new stream from its start', () => {
    const { offsets, subscribed } = at(5);
    publish('/h', 1, 'F');
    expect(lastSubscribe().since).toEqual({ '/h': { offset: 5, epoch: 'E' } });
    ack({ '/h': { offset: 0, epoch: 'F', recovered: false, reason: 'epoch_changed' } });
    publish('/h', 1, 'F');
    publish('/h', 2, 'F');
    expect(offsets()).toEqual([1, 2]);
    expect(subscribed.at(-1)).toMatchObject({ recovered: false, reason: 'epoch_changed' });
  });

  test('a recovery cut by a disconnect is asked again on the next connection', () => {
    const { offsets } = at(5);
    publish('/h', 7, 'E');
    const socket = reconnect();
    expect(lastSubscribe(socket).since).toEqual({ '/h': { offset: 5, epoch: 'E' } });
    ack({ '/h': { offset: 5, epoch: 'E', recovered: true } });
    publish('/h', 6, 'E');
    publish('/h', 7, 'E');
    expect(offsets()).toEqual([6, 7]);
  });

  test('a refused recovery fails the handle like a refused resubscribe', () => {
    const { handle } = at(5);
    const errors: FiretowerError[] = [];
    handle.on('error', (error) => errors.push(error));
    publish('/h', 9, 'E');
    const frame = lastSubscribe();
    latest().frame({ type: 'ack', id: frame.id, topics: [], refused: [{ topic: '/h', code: 'refused', reason: 'no' }] });
    expect(handle.state).toBe('failed');
    expect(errors[0]).toMatchObject({ code: 'refused', topic: '/h' });
  });
});

describe('catch-up on the first subscribe', () => {
  test("since: 'last' asks for the newest message; { limit } for the newest n", () => {
    const ft = client();
    watch(ft, '/status/1', { since: 'last' });
    watch(ft, '/feed', { since: { limit: 20 } });
    watch(ft, '/live');
    latest().accept();
    expect(lastSubscribe()).toMatchObject({ topic: ['/status/1', '/feed', '/live'], since: { '/status/1': { limit: 1 }, '/feed': { limit: 20 } } });
  });

  test('the replay after the ack is delivered; a second handle on a held topic sends nothing', () => {
    const ft = client();
    latest().accept();
    const first = watch(ft, '/status/1', { since: 'last' });
    expect(lastSubscribe().since).toEqual({ '/status/1': { limit: 1 } });
    ack({ '/status/1': { offset: 41, epoch: 'E' } });
    publish('/status/1', 42, 'E', 'up');
    expect(first.received).toEqual([{ topic: '/status/1', data: 'up', offset: 42, epoch: 'E' }]);
    expect(first.subscribed).toEqual([{ topic: '/status/1', wasRecovering: false, recovered: false }]);
    watch(ft, '/status/1', { since: 'last' });
    expect(subscribes()).toHaveLength(1);
  });

  test('a catch-up not yet answered is asked again after a reconnect; once answered, recovery takes over', () => {
    const ft = client();
    watch(ft, '/feed', { since: { limit: 3 } });
    latest().accept();
    reconnect();
    expect(lastSubscribe().since).toEqual({ '/feed': { limit: 3 } });
    ack({ '/feed': { offset: 7, epoch: 'E' } });
    reconnect();
    expect(lastSubscribe().since).toEqual({ '/feed': { offset: 7, epoch: 'E' } });
  });

  test.each([0, -1, 1.5, 10_001, Number.NaN, '3', null])('since: { limit: %s } fails the handle with invalid and sends nothing', async (limit) => {
    const ft = client();
    latest().accept();
    const errors: FiretowerError[] = [];
    ft.on('error', (error) => errors.push(error));
    const handle = ft.subscribe('/feed', undefined, { since: { limit: limit as number } });
    await expect(handle.ready).rejects.toMatchObject({ code: 'invalid' });
    expect(handle.state).toBe('failed');
    expect(errors[0]).toBeInstanceOf(FiretowerError);
    expect(errors[0]?.message).toMatch(/limit/);
    expect(subscribes()).toEqual([]);
  });

  test('other since values fail the same way; an options argument of the wrong type is no options', async () => {
    const ft = client();
    latest().accept();
    const bad = ft.subscribe('/a', undefined, { since: 'first' as 'last' });
    await expect(bad.ready).rejects.toMatchObject({ code: 'invalid' });
    const ignored: Subscription[] = [ft.subscribe('/b', undefined, null as never), ft.subscribe('/c', undefined, 42 as never)];
    expect(ignored.map((s) => s.state)).toEqual(['pending', 'pending']);
    expect(subscribes().map((f) => f.since)).toEqual([undefined, undefined]);
  });
});

describe('hostile positions', () => {
  test.each([
    ['a string offset', '7', 'E'],
    ['a negative offset', -1, 'E'],
    ['a fractional offset', 6.5, 'E'],
    ['an unsafe offset', 2 ** 53, 'E'],
    ['a numeric epoch', 6, 6],
    ['a null epoch', 6, null],
    ['an epoch over 64 characters', 6, 'E'.repeat(65)],
    ['an object offset', { valueOf: 6 }, 'E'],
  ])('%s is no position: the message is delivered and the position kept', (_name, offset, epoch) => {
    const { offsets, received } = at(5);
    publish('/h', offset, epoch, 'x');
    expect(received).toEqual([{ topic: '/h', data: 'x' }]);
    publish('/h', 6, 'E');
    expect(offsets()).toEqual([undefined, 6]);
    expect(subscribes()).toHaveLength(1);
  });

  test('offsets beyond any number (1e400) in raw JSON are no position', () => {
    const { received } = at(5);
    latest().frame('{"type":"publish","topic":"/h","data":1,"offset":1e400,"epoch":"E"}');
    expect(received).toEqual([{ topic: '/h', data: 1 }]);
  });

  test.each([
    ['an array', []],
    ['a string', 'streams'],
    ['null', null],
    ['an entry that is a string', { '/h': 'x' }],
    ['an entry with a bad offset', { '/h': { offset: -3, epoch: 'E' } }],
    ['an entry with a bad epoch', { '/h': { offset: 3, epoch: {} } }],
    ['hostile keys', JSON.parse('{"__proto__":{"offset":1,"epoch":"E"},"constructor":{"offset":1,"epoch":"E"}}')],
  ])('streams as %s never throws and reads as no position', (_name, streams) => {
    const ft = client();
    const { handle, subscribed, offsets } = watch(ft, '/h');
    const errors: FiretowerError[] = [];
    ft.on('error', (error) => errors.push(error));
    latest().accept();
    ack(streams);
    expect(handle.state).toBe('subscribed');
    expect(subscribed).toEqual([{ topic: '/h', wasRecovering: false, recovered: false }]);
    publish('/h', 9, 'E');
    expect(offsets()).toEqual([9]);
    expect(errors).toEqual([]);
  });

  test('recovered and reason of the wrong type read as not recovered', () => {
    const { subscribed } = at(5);
    reconnect();
    ack({ '/h': { offset: 5, epoch: 'E', recovered: 'yes', reason: 42 } });
    expect(subscribed.at(-1)).toEqual({ topic: '/h', wasRecovering: true, recovered: false });
  });

  test('a topic named __proto__ keeps its position and is sent as an own key of since', () => {
    const ft = client();
    const { offsets } = watch(ft, '__proto__');
    latest().accept();
    ack(JSON.parse('{"__proto__":{"offset":2,"epoch":"E"}}'));
    publish('__proto__', 3, 'E');
    reconnect();
    expect(latest().sent.at(-1)).toContain('"since":{"__proto__":{"offset":3,"epoch":"E"}}');
    expect(offsets()).toEqual([3]);
  });
});
