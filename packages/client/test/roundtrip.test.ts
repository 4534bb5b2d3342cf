/** The client against the real server: deliveries, typed handlers, acks and every error path. */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { FiretowerError, type TopicMessage } from '@firetower/client';
import { FiretowerRefusal } from '@firetower/server';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

interface ChatMessage {
  from: string;
  text: string;
}
type Topics = {
  [topic: `/chat/${string}`]: ChatMessage;
  [topic: `/count/${string}`]: number;
  [topic: `/secret/${string}`]: string;
  [topic: `/hooks/${string}`]: string;
};

let server: TestServer;
/** Resolves a publish the `/hooks/hang` handler holds, so no promise outlives the test. */
const hanging: Array<() => void> = [];

beforeAll(async () => {
  server = await startTestServer({
    limits: { maxTopicLength: 40 },
    hooks: {
      beforeSubscribe: (_tower, topics) => ({ refuse: Object.fromEntries(topics.filter((t) => t.startsWith('/secret/')).map((t) => [t, 'members only'])) }),
      onMessage: (_tower, message) => {
        if (message.topic === '/hooks/refuse') throw new FiretowerRefusal('not today');
        if (message.topic === '/hooks/crash') throw new Error('bug in the app');
        if (message.topic === '/hooks/hang') return new Promise<undefined>((resolve) => hanging.push(() => resolve(undefined)));
        return undefined;
      },
    },
  });
});
afterEach(() => closeClients());
afterAll(async () => {
  for (const release of hanging) release();
  await server.close();
});

describe('round trip', () => {
  test('a publish reaches every subscriber, typed, and resolves on the ack', async () => {
    const alice = testClient<Topics>(server.wsUrl);
    const bob = testClient<Topics>(server.wsUrl);
    const received: ChatMessage[] = [];
    const envelopes: TopicMessage[] = [];
    const sub = alice.subscribe('/chat/world', (message) => received.push(message));
    alice.on('message', (m) => envelopes.push(m));
    await sub.ready;
    expect(sub.state).toBe('subscribed');
    await expect(bob.publish('/chat/world', { from: 'bob', text: 'hi' })).resolves.toEqual({ id: expect.any(String), duplicate: false });
    await waitFor(() => received.length === 1, 5_000, 'the delivery');
    expect(received).toEqual([{ from: 'bob', text: 'hi' }]);
    expect(envelopes).toEqual([{ topic: '/chat/world', data: { from: 'bob', text: 'hi' } }]);
  });

  test('the server sees the clientId and the topic set', async () => {
    const client = testClient<Topics>(server.wsUrl);
    await client.subscribe(['/count/a', '/count/b']).ready;
    expect([...(server.ft.getTower(client.clientId)?.topics ?? [])].sort()).toEqual(['/count/a', '/count/b']);
  });

  test('handlers are counted per topic: the last unsubscribe leaves the server topic', async () => {
    const client = testClient<Topics>(server.wsUrl);
    const one = client.subscribe('/count/shared');
    const two = client.subscribe('/count/shared');
    await Promise.all([one.ready, two.ready]);
    one.unsubscribe();
    const tower = server.ft.getTower(client.clientId)!;
    // A round trip after the unsubscribe would have carried an unsubscribe frame before it.
    await client.publish('/count/other', 1);
    expect(tower.topics.has('/count/shared')).toBe(true);
    two.unsubscribe();
    await waitFor(() => !tower.topics.has('/count/shared'), 5_000, 'the server to drop the topic');
  });

  test('excludeSelf keeps a publish from coming back', async () => {
    const client = testClient<Topics>(server.wsUrl);
    const seen: number[] = [];
    await client.subscribe('/count/self', (n) => seen.push(n)).ready;
    await client.publish('/count/self', 1, { excludeSelf: true });
    await client.publish('/count/self', 2);
    await waitFor(() => seen.includes(2), 5_000, 'the second publish');
    expect(seen).toEqual([2]);
  });
});

describe('error paths', () => {
  test('a topic refused by beforeSubscribe rejects ready, fails the handle and emits error', async () => {
    const client = testClient<Topics>(server.wsUrl);
    const clientErrors: FiretowerError[] = [];
    client.on('error', (e) => clientErrors.push(e));
    const sub = client.subscribe(['/secret/plans', '/chat/lobby']);
    const handleErrors: FiretowerError[] = [];
    sub.on('error', (e) => handleErrors.push(e));
    const error = await sub.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FiretowerError);
    expect(error).toMatchObject({ code: 'refused', serverCode: 'refused', topic: '/secret/plans', reason: 'members only' });
    expect((error as Error).message).toContain('members only');
    expect(sub.state).toBe('failed');
    expect(handleErrors).toEqual([error]);
    expect(clientErrors).toEqual([error]);
    // The handle let go of its allowed topic too.
    const tower = server.ft.getTower(client.clientId)!;
    await waitFor(() => tower.topics.size === 0, 5_000, 'the allowed topic to be released');
    expect(client.topics).toEqual([]);
  });

  test('a publish the message handler refuses rejects with refused', async () => {
    const client = testClient<Topics>(server.wsUrl);
    await expect(client.publish('/hooks/refuse', 'x')).rejects.toMatchObject({
      code: 'refused',
      serverCode: 'refused',
      message: 'not today',
      reason: 'not today',
    });
  });

  test('a message handler that throws rejects with internal', async () => {
    const client = testClient<Topics>(server.wsUrl);
    await expect(client.publish('/hooks/crash', 'x')).rejects.toMatchObject({ code: 'internal', serverCode: 'internal' });
  });

  test('a topic the server finds invalid rejects with invalid', async () => {
    const client = testClient<Topics>(server.wsUrl);
    // Valid for the client's default limits, longer than this server's maxTopicLength.
    await expect(client.publish(`/count/${'x'.repeat(50)}`, 1)).rejects.toMatchObject({ code: 'invalid', serverCode: 'invalid_topic' });
    const sub = client.subscribe(`/count/${'y'.repeat(50)}`);
    await expect(sub.ready).rejects.toMatchObject({ code: 'invalid', serverCode: 'invalid_topic' });
  });

  test('topics and data the client can check never leave it', async () => {
    const client = testClient(server.wsUrl);
    await expect(client.publish('/has space', 1)).rejects.toMatchObject({ code: 'invalid', serverCode: undefined });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(client.publish('/count/c', cyclic)).rejects.toMatchObject({ code: 'invalid' });
    await expect(client.subscribe('/a,b').ready).rejects.toMatchObject({ code: 'invalid' });
  });

  test('a publish larger than maxFrameBytes rejects with too_large before it is sent', async () => {
    const client = testClient(server.wsUrl, { maxFrameBytes: 1_000 });
    await expect(client.publish('/count/big', 'x'.repeat(2_000))).rejects.toMatchObject({ code: 'too_large' });
    await expect(client.publish('/count/big', 'x'.repeat(100))).resolves.toMatchObject({ duplicate: false });
  });

  test('a frame over the server limit closes with 1009: that publish rejects with too_large, the client reconnects', async () => {
    const client = testClient(server.wsUrl, { maxFrameBytes: 10 * 65_536 });
    await client.ready(5_000);
    const closes: number[] = [];
    client.on('close', ({ code }) => closes.push(code));
    await expect(client.publish('/count/big', 'x'.repeat(70_000))).rejects.toMatchObject({ code: 'too_large', closeCode: 1009 });
    await client.ready(5_000);
    expect(closes).toEqual([1009]);
    await expect(client.publish('/count/big', 'small')).resolves.toMatchObject({ duplicate: false });
  });

  test('no ack within publishTimeoutMs rejects with timeout', async () => {
    const client = testClient<Topics>(server.wsUrl, { publishTimeoutMs: 300 });
    await expect(client.publish('/hooks/hang', 'x')).rejects.toMatchObject({ code: 'timeout' });
  });

  test('close() rejects pending and later publishes with closed', async () => {
    const client = testClient<Topics>(server.wsUrl);
    await client.ready(5_000);
    const pending = client.publish('/hooks/hang', 'x');
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    await expect(client.publish('/count/x', 1)).rejects.toMatchObject({ code: 'closed' });
    expect(client.state).toBe('closed');
  });

  test('the offline queue is bounded: overflow rejects with queue_full', async () => {
    const client = testClient<Topics>(server.wsUrl, { autoConnect: false, maxQueuedPublishes: 1 });
    const first = client.publish('/count/q', 1);
    await expect(client.publish('/count/q', 2)).rejects.toMatchObject({ code: 'queue_full' });
    client.connect();
    await expect(first).resolves.toMatchObject({ duplicate: false });
  });
});

describe('rate limits', () => {
  test('the server reporting rate_limited reaches the client', async () => {
    const limited = await startTestServer({ limits: { maxMessagesPerSecond: 2 } });
    try {
      const client = testClient(limited.wsUrl, { publishTimeoutMs: 500 });
      await client.ready(5_000);
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => client.publish('/r', i)));
      const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as FiretowerError).code : 'ok'));
      // The server refuses each rate-limited publish by its id, so that publish rejects at once;
      // after the server's RateLimited (4001) close the rest are re-sent with their ids and
      // either accepted or (when the reconnect outlasts the ack timeout) time out.
      expect(codes).toContain('rate_limited');
      expect(codes.every((c) => c === 'ok' || c === 'rate_limited' || c === 'timeout')).toBe(true);
      expect(codes).toContain('ok');
    } finally {
      closeClients();
      await limited.close();
    }
  });
});
