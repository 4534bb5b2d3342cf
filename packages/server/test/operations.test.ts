import { describe, expect, it } from 'vitest';
import { CloseCode, memoryBroker } from '@firetower/server';
import { waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

function withUsers(extra: Record<string, unknown> = {}) {
  const calls: string[] = [];
  return {
    calls,
    options: {
      hooks: {
        authenticate: ({ query }: { query: URLSearchParams }) => ({ userId: query.get('user') ?? undefined }),
        onUnsubscribe: (t: { clientId: string }, topics: string[], reason: string) => void calls.push(`unsub ${t.clientId} ${topics.join(',')} ${reason}`),
        onSystemRemove: (t: { clientId: string }, topic: string) => void calls.push(`system ${t.clientId} ${topic}`),
        onSubscribe: (t: { clientId: string }, topics: string[]) => void calls.push(`sub ${t.clientId} ${topics.join(',')}`),
      },
      ...extra,
    },
  };
}

describe('server-side operations', () => {
  it('count, exists and topics', async () => {
    const server = await start();
    const a = await join(server);
    const b = await join(server);
    await a.request({ type: 'subscribe', topic: ['/x', '/y'] });
    await b.request({ type: 'subscribe', topic: ['/x'] });
    expect(await server.ft.count('/x')).toBe(2);
    expect(await server.ft.exists('/y')).toBe(true);
    expect(await server.ft.exists('/z')).toBe(false);
    expect(await server.ft.topics()).toEqual([
      { topic: '/x', count: 2 },
      { topic: '/y', count: 1 },
    ]);
    expect(server.ft.stats()).toMatchObject({ connections: 2, topics: 2, subscriptions: 3 });
  });

  it('kickUser closes every connection of the user with Kicked (4501)', async () => {
    const server = await start(withUsers().options);
    const m1 = await join(server, { user: 'mallory' });
    const m2 = await join(server, { user: 'mallory' });
    const other = await join(server, { user: 'alice' });
    await server.ft.kickUser('mallory', 'spam');
    expect(await m1.closed).toEqual({ code: CloseCode.Kicked, reason: 'spam' });
    expect((await m2.closed).code).toBe(CloseCode.Kicked);
    expect(await other.request({ type: 'subscribe', topic: '/ok' })).toMatchObject({ type: 'ack' });
  });

  it('unsubscribeUser removes one user from one topic (onUnsubscribe server, onSystemRemove)', async () => {
    const { calls, options } = withUsers();
    const server = await start(options);
    const bob = await join(server, { user: 'bob', clientId: 'bob1' });
    const carol = await join(server, { user: 'carol', clientId: 'carol1' });
    await bob.request({ type: 'subscribe', topic: ['/t', '/keep'] });
    await carol.request({ type: 'subscribe', topic: '/t' });
    await server.ft.unsubscribeUser('bob', '/t');
    expect(await server.ft.count('/t')).toBe(1);
    expect(await server.ft.count('/keep')).toBe(1);
    await waitFor(() => calls.includes('system bob1 /t'), 5000, 'onSystemRemove');
    expect(calls.slice(-2)).toEqual(['unsub bob1 /t server', 'system bob1 /t']);
    await server.ft.publish('/t', 'carol only');
    expect((await carol.nextDelivery('/t')).data).toBe('carol only');
    await server.ft.publish('/keep', 'bob');
    expect((await bob.nextDelivery()).topic).toBe('/keep');
  });

  it('removeTopic removes every subscriber and fires onSystemRemove for each', async () => {
    const { calls, options } = withUsers();
    const server = await start(options);
    const a = await join(server, { clientId: 'a' });
    const b = await join(server, { clientId: 'b' });
    await a.request({ type: 'subscribe', topic: '/gone' });
    await b.request({ type: 'subscribe', topic: '/gone' });
    await server.ft.removeTopic('/gone');
    expect(await server.ft.exists('/gone')).toBe(false);
    await waitFor(() => calls.filter((c) => c.startsWith('system')).length === 2, 5000, 'two onSystemRemove');
    expect(calls.filter((c) => c.startsWith('system')).sort()).toEqual(['system a /gone', 'system b /gone']);
    expect(server.ft.stats().topics).toBe(0);
  });

  it('tower.subscribe / unsubscribe / publish act on the server side', async () => {
    const { calls, options } = withUsers();
    const server = await start(options);
    const a = await join(server, { clientId: 'a' });
    const tower = server.ft.getTower('a')!;
    tower.subscribe(['/pushed', '/also']);
    expect([...tower.topics]).toEqual(['/pushed', '/also']);
    await tower.publish('/pushed', 'from the server');
    expect((await a.nextDelivery('/pushed')).data).toBe('from the server');
    tower.unsubscribe('/also');
    await waitFor(() => calls.includes('system a /also'), 5000, 'onSystemRemove');
    expect(calls).toEqual(['sub a /pushed,/also', 'unsub a /also server', 'system a /also']);
    expect(() => tower.subscribe('bad topic')).toThrow(/invalid topic/);
    expect(tower.send('/direct', 1)).toBe(true);
    expect((await a.nextDelivery('/direct')).data).toBe(1);
  });

  it('tower.subscribe keeps to maxTopicsPerConnection and subscribes nothing when it would pass it', async () => {
    const server = await start({ limits: { maxTopicsPerConnection: 3 } });
    await join(server, { clientId: 'a' });
    const tower = server.ft.getTower('a')!;
    tower.subscribe(['/one', '/two']);
    // Topics it already has and repeats in the list do not count twice.
    tower.subscribe(['/two', '/three', '/three']);
    expect([...tower.topics]).toEqual(['/one', '/two', '/three']);
    expect(() => tower.subscribe(['/three', '/four'])).toThrow(expect.objectContaining({ code: 'too_many_topics' }));
    expect([...tower.topics]).toEqual(['/one', '/two', '/three']);
    expect(server.ft.stats().topics).toBe(3);
  });

  it('publish with an idempotencyKey delivers once within the window', async () => {
    const server = await start();
    const a = await join(server);
    await a.request({ type: 'subscribe', topic: '/idem' });
    await server.ft.publish('/idem', 1, { idempotencyKey: 'k' });
    await server.ft.publish('/idem', 1, { idempotencyKey: 'k' });
    await server.ft.publish('/idem', 2);
    expect((await a.nextDelivery('/idem')).data).toBe(1);
    expect((await a.nextDelivery('/idem')).data).toBe(2);
    expect(server.ft.stats().dropsTotal.duplicate).toBe(1);
  });

  it('publish with excludeClientId skips that connection', async () => {
    const server = await start();
    const a = await join(server, { clientId: 'skip-me' });
    const b = await join(server);
    await a.request({ type: 'subscribe', topic: '/ex' });
    await b.request({ type: 'subscribe', topic: '/ex' });
    await server.ft.publish('/ex', 'not a', { excludeClientId: 'skip-me' });
    await server.ft.publish('/ex', 'both');
    expect((await a.nextDelivery('/ex')).data).toBe('both');
    expect((await b.nextDelivery('/ex')).data).toBe('not a');
  });

  it('stats and recentIssues keep the last 100 issues', async () => {
    const server = await start();
    const a = await join(server);
    for (let i = 0; i < 120; i++) a.send('not json');
    await waitFor(() => a.received.length === 120, 5000, 'all error frames');
    const issues = server.ft.recentIssues();
    expect(issues).toHaveLength(100);
    expect(issues[0]).toMatchObject({ kind: 'refusal', source: 'limits' });
    const stats = server.ft.stats();
    expect(stats.messagesInTotal).toBe(120);
    expect(stats.messagesOutTotal).toBe(120);
    expect(stats.bytesOutTotal).toBeGreaterThan(120 * 20);
  });
});

describe('idempotency keys when the cluster cannot answer', () => {
  /** A memory broker whose cluster-wide key store is unreachable. */
  function brokerWithoutClaims() {
    const broker = memoryBroker();
    broker.claimKey = async () => {
      throw new Error('key store unreachable');
    };
    return broker;
  }

  it('publishes anyway (at least once): a client re-send, then a server-side keyed publish', async () => {
    const server = await start({ broker: brokerWithoutClaims() });
    const listener = await join(server);
    await listener.request({ type: 'subscribe', topic: '/k' });
    const publisher = await join(server, { clientId: 'p' });
    expect(await publisher.request({ type: 'publish', topic: '/k', data: 'resent', id: 'x1', retry: true })).toEqual({ type: 'ack', id: 'x1' });
    expect((await listener.nextDelivery('/k')).data).toBe('resent');
    await server.ft.publish('/k', 'keyed', { idempotencyKey: 'job' });
    expect((await listener.nextDelivery('/k')).data).toBe('keyed');
    // This node still remembers both keys itself.
    expect(await publisher.request({ type: 'publish', topic: '/k', data: 'resent', id: 'x1', retry: true })).toMatchObject({ duplicate: true });
    await server.ft.publish('/k', 'keyed', { idempotencyKey: 'job' });
    await server.ft.publish('/k', 'marker');
    expect((await listener.nextDelivery('/k')).data).toBe('marker');
  });
});
