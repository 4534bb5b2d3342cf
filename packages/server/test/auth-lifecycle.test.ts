import { describe, expect, it } from 'vitest';
import { FiretowerRefusal } from '@firetower/server';
import { connect, startServer } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

/** Tokens are `ok-<ms>`: valid for that many ms from when authenticate or refresh sees them. */
const expiringAuth = {
  authenticate: ({ query }: { query: URLSearchParams }) => {
    const token = query.get('token') ?? '';
    if (!token.startsWith('ok-')) return false;
    return { userId: 'u1', expiresAt: Date.now() + Number(token.slice(3)) };
  },
  refresh: (_tower: unknown, credentials: Record<string, string>) => {
    const token = credentials.token ?? '';
    if (token === 'throw') throw new Error('token service down');
    if (!token.startsWith('ok-')) throw new FiretowerRefusal('token rejected');
    return { expiresAt: Date.now() + Number(token.slice(3)) };
  },
};

describe('credentials expiry and refresh', () => {
  it('tells the client when its credentials expire, and closes with 4005 when they do', async () => {
    const server = await start({ hooks: expiringAuth });
    const client = await join(server, { token: 'ok-300' });
    const session = await client.next((frame) => frame.type === 'session');
    expect(session.expiresInMs).toBeGreaterThan(0);
    expect(session.expiresInMs).toBeLessThanOrEqual(300);
    expect(await client.closed).toEqual({ code: 4005, reason: 'credentials expired' });
  });

  it('a refresh frame renews the expiry (acked with expiresInMs); a refused one keeps the old expiry', async () => {
    const server = await start({ hooks: expiringAuth });
    const client = await join(server, { token: 'ok-400' });
    await client.next((frame) => frame.type === 'session');
    const ack = await client.request({ type: 'refresh', credentials: { token: 'ok-60000' } });
    expect(ack.type).toBe('ack');
    expect(ack.expiresInMs).toBeGreaterThan(59_000);
    // Renewed: the connection outlives the first expiry (a publish round trip after it still works).
    const refused = await client.request({ type: 'refresh', credentials: { token: 'bad' } });
    expect(refused).toMatchObject({ type: 'error', code: 'refused', message: 'token rejected' });
    const renewed = await join(server, { token: 'ok-200' });
    await renewed.next((frame) => frame.type === 'session');
    expect(await renewed.closed).toMatchObject({ code: 4005 });
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('answers garbage and hook failures with error frames, and nothing expires without expiresAt', async () => {
    const server = await start({ hooks: expiringAuth });
    const client = await join(server, { token: 'ok-60000' });
    for (const credentials of [
      undefined,
      'token',
      ['a'],
      { token: 1 },
      { token: 'x'.repeat(9000) },
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])),
    ]) {
      expect(await client.request({ type: 'refresh', credentials })).toMatchObject({ type: 'error', code: 'invalid_field' });
    }
    expect(await client.request({ type: 'refresh', credentials: { token: 'throw' } })).toMatchObject({ type: 'error', code: 'internal' });
    expect(server.ft.recentIssues().some((issue) => issue.message.includes('refresh threw'))).toBe(true);
    // No expiresAt from refresh: the credentials no longer expire.
    const open = await start({ hooks: { authenticate: () => ({ userId: 'u2' }), refresh: () => true } });
    const forever = await join(open);
    const ack = await forever.request({ type: 'refresh', credentials: {} });
    expect(ack).not.toHaveProperty('expiresInMs');
  });

  it('refuses refresh frames when the app has no refresh hook', async () => {
    const server = await start();
    const client = await join(server);
    expect(await client.request({ type: 'refresh', credentials: { token: 't' } })).toMatchObject({ type: 'error', code: 'refused' });
  });

  it('closes at once when the credentials already expired', async () => {
    const server = await start({ hooks: { authenticate: () => ({ expiresAt: Date.now() - 1 }) } });
    const client = await connect(server.wsUrl);
    expect(await client.closed).toEqual({ code: 4005, reason: 'credentials expired' });
  });
});

describe('client publishes are opt-in', () => {
  it('refuses client publishes by default (no publish option, no canPublish hook)', async () => {
    const server = await startServer({ heartbeatIntervalMs: 0 });
    try {
      const client = await connect(server.wsUrl);
      expect(await client.request({ type: 'publish', topic: '/t', data: 1 })).toMatchObject({ type: 'error', code: 'publish_not_allowed' });
      client.ws.terminate();
    } finally {
      await server.close();
    }
  });

  it("refuses client publishes with publish_not_allowed without publish: 'allow' or canPublish", async () => {
    const server = await start({ publish: 'deny' });
    const client = await join(server);
    await client.request({ type: 'subscribe', topic: ['/t'] });
    const reply = await client.request({ type: 'publish', topic: '/t', data: 1 });
    expect(reply).toMatchObject({ type: 'error', code: 'publish_not_allowed', topic: '/t' });
    expect(reply.message).toContain("publish: 'allow'");
    // Server-side publishes are not affected.
    await server.ft.publish('/t', 2);
    expect((await client.nextDelivery('/t')).data).toBe(2);
  });

  it('canPublish decides per topic, sync or async, and a throwing one is reported', async () => {
    const server = await start({
      hooks: {
        canPublish: async (_tower, topic) => {
          if (topic === '/boom') throw new Error('policy store down');
          return topic.startsWith('/chat/');
        },
      },
    });
    const client = await join(server);
    await client.request({ type: 'subscribe', topic: ['/chat/a'] });
    expect(await client.request({ type: 'publish', topic: '/chat/a', data: 'hi' })).toMatchObject({ type: 'ack' });
    expect((await client.nextDelivery('/chat/a')).data).toBe('hi');
    expect(await client.request({ type: 'publish', topic: '/news', data: 'x' })).toMatchObject({ type: 'error', code: 'publish_not_allowed' });
    expect(await client.request({ type: 'publish', topic: '/boom', data: 'x' })).toMatchObject({ type: 'error', code: 'internal' });
    expect(server.ft.stats().refusalsTotal.message).toBe(1);
  });
});
