import { CloseCode } from '@firetower/server';
import { describe, expect, it } from 'vitest';
import { grpc } from './client.js';
import { nextDelivery, subscriber, useStack, waitFor } from './fixture.js';

const stack = useStack();

interface TopicReply {
  topic: string;
  count: number;
  exists: boolean;
}

const getTopic = (topic: string) => stack.client.unary<TopicReply>('GetTopic', { topic });

describe('GetTopic', () => {
  it('counts subscribers and says whether the topic exists', async () => {
    expect(await getTopic('/t/get')).toEqual({ topic: '/t/get', count: 0, exists: false });
    const a = await subscriber(stack.node, ['/t/get']);
    const b = await subscriber(stack.node, ['/t/get']);
    await waitFor(async () => (await getTopic('/t/get')).count === 2, 5000, 'count 2');
    expect(await getTopic('/t/get')).toEqual({ topic: '/t/get', count: 2, exists: true });
    await a.close();
    await b.close();
    await waitFor(async () => !(await getTopic('/t/get')).exists, 5000, 'topic gone');
  });
});

describe('ListTopics', () => {
  it('sorts by count (then name), pages with a token and filters by prefix', async () => {
    const clients = [
      ...(await Promise.all([1, 2, 3].map(() => subscriber(stack.node, ['/l/three'])))),
      ...(await Promise.all([1, 2].map(() => subscriber(stack.node, ['/l/two-a', '/l/two-b'])))),
      await subscriber(stack.node, ['/l/one', '/other/one']),
    ];
    const list = (request: object) =>
      stack.client.unary<{ topics: TopicReply[]; nextPageToken: string; totalSize: number }>('ListTopics', { prefix: '/l/', ...request });
    await waitFor(async () => (await list({})).totalSize === 4, 5000, '4 topics');

    const first = await list({ pageSize: 2 });
    expect(first.topics).toEqual([
      { topic: '/l/three', count: 3, exists: true },
      { topic: '/l/two-a', count: 2, exists: true },
    ]);
    expect(first.totalSize).toBe(4);
    expect(first.nextPageToken).not.toBe('');
    const second = await list({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.topics.map((t) => [t.topic, t.count])).toEqual([
      ['/l/two-b', 2],
      ['/l/one', 1],
    ]);
    expect(second.nextPageToken).toBe('');

    const everything = await stack.client.unary<{ topics: TopicReply[] }>('ListTopics', {});
    expect(everything.topics.map((t) => t.topic)).toContain('/other/one');
    await Promise.all(clients.map((c) => c.close()));
  });
});

describe('KickUser, UnsubscribeUser, RemoveTopic', () => {
  it('KickUser closes every connection of the user with close code Kicked, and only those', async () => {
    const ann1 = await subscriber(stack.node, ['/k/x'], { user: 'ann' });
    const ann2 = await subscriber(stack.node, ['/k/y'], { user: 'ann' });
    const bob = await subscriber(stack.node, ['/k/x'], { user: 'bob' });
    await stack.client.unary('KickUser', { userId: 'ann', reason: 'banned' });
    expect(await ann1.closed).toEqual({ code: CloseCode.Kicked, reason: 'banned' });
    expect((await ann2.closed).code).toBe(CloseCode.Kicked);
    await stack.client.unary('Publish', { topic: '/k/x', dataJson: '"still here"' });
    expect(await nextDelivery(bob, '/k/x')).toBe('still here');
    await bob.close();
  });

  it('UnsubscribeUser removes the user from one topic only', async () => {
    const ann = await subscriber(stack.node, ['/u/x', '/u/y'], { user: 'ann' });
    const bob = await subscriber(stack.node, ['/u/x'], { user: 'bob' });
    await stack.client.unary('UnsubscribeUser', { userId: 'ann', topic: '/u/x' });
    await waitFor(async () => (await getTopic('/u/x')).count === 1, 5000, 'ann left /u/x');
    await stack.client.unary('Publish', { topic: '/u/x', dataJson: '"x"' });
    await stack.client.unary('Publish', { topic: '/u/y', dataJson: '"y"' });
    expect(await nextDelivery(bob, '/u/x')).toBe('x');
    expect(await nextDelivery(ann, '/u/y')).toBe('y');
    expect(ann.received.some((f) => f.type === 'publish' && f.topic === '/u/x')).toBe(false);
    await ann.close();
    await bob.close();
  });

  it('RemoveTopic removes every subscriber of the topic', async () => {
    const a = await subscriber(stack.node, ['/r/x']);
    const b = await subscriber(stack.node, ['/r/x', '/r/keep']);
    await waitFor(async () => (await getTopic('/r/x')).count === 2, 5000, 'two subscribers');
    await stack.client.unary('RemoveTopic', { topic: '/r/x' });
    await waitFor(async () => (await getTopic('/r/x')).count === 0, 5000, 'topic removed');
    expect((await getTopic('/r/keep')).count).toBe(1);
    await a.close();
    await b.close();
  });
});

describe('WatchTopic', () => {
  it('sends the count now, then each change as WebSocket clients subscribe and leave', async () => {
    const watch = stack.client.serverStream('WatchTopic', { topic: '/w/room' });
    const counts: number[] = [];
    watch.on('data', (reply: TopicReply) => counts.push(reply.count));
    const ended = new Promise<grpc.ServiceError>((resolve) => watch.on('error', resolve));
    await waitFor(() => counts.length === 1, 5000, 'first count');
    expect(counts).toEqual([0]);

    const a = await subscriber(stack.node, ['/w/room']);
    await waitFor(() => counts.at(-1) === 1, 5000, 'count 1');
    const b = await subscriber(stack.node, ['/w/room']);
    await waitFor(() => counts.at(-1) === 2, 5000, 'count 2');
    await a.close();
    await waitFor(() => counts.at(-1) === 1, 5000, 'back to 1');
    // Only changes are sent: never the same count twice in a row.
    expect(counts.every((count, i) => i === 0 || count !== counts[i - 1])).toBe(true);

    watch.cancel();
    expect((await ended).code).toBe(grpc.status.CANCELLED);
    await b.close();
  });

  it('ends with DEADLINE_EXCEEDED at the call deadline', async () => {
    const watch = stack.client.serverStream('WatchTopic', { topic: '/w/deadline' }, { deadlineMs: 300 });
    const error = await new Promise<grpc.ServiceError>((resolve) => watch.on('error', resolve));
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
});

describe('Stats', () => {
  it("reports this node's counters and broker", async () => {
    const a = await subscriber(stack.node, ['/s/a', '/s/b']);
    await waitFor(() => stack.node.ft.stats().connections === 1, 5000, 'one connection');
    const stats = await stack.client.unary<Record<string, unknown>>('Stats', {});
    expect(stats).toMatchObject({
      nodeId: stack.node.ft.nodeId,
      connections: 1,
      broker: { kind: 'memory', connected: true },
    });
    expect(stats.subscriptions).toBeGreaterThanOrEqual(2);
    expect(stats.dropsTotal).toHaveProperty('duplicate');
    await a.close();
  });
});
