import { describe, expect, it } from 'vitest';
import { FiretowerRefusal } from '@firetower/server';
import { connect, UpgradeRefused, waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

async function refusal(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await promise.then(
    () => {
      throw new Error('the upgrade was accepted');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpgradeRefused);
  const { status, body } = error as UpgradeRefused;
  return { status, body: JSON.parse(body) };
}

describe('origin check (cross-site WebSocket hijacking)', () => {
  it('refuses another origin with HTTP 403 before the upgrade', async () => {
    const server = await start();
    const result = await refusal(connect(server.wsUrl, {}, { origin: 'https://evil.example' }));
    expect(result).toEqual({ status: 403, body: { error: { code: 'origin_not_allowed', message: 'this origin may not connect' } } });
    expect(server.ft.stats().refusalsTotal.origin).toBe(1);
    expect(server.ft.stats().connections).toBe(0);
  });

  it('allows the same origin by default, and clients without an Origin header', async () => {
    const server = await start();
    await join(server, {}, { origin: server.url });
    await join(server);
    expect(server.ft.stats().connections).toBe(2);
    expect((await refusal(connect(server.wsUrl, {}, { origin: 'null' }))).status).toBe(403);
  });

  it("an allowedOrigins list is exclusive: DNS rebinding (Host and Origin both the attacker's name) is refused", async () => {
    const server = await start({ allowedOrigins: ['https://app.example'] });
    await join(server, {}, { origin: 'https://app.example' });
    await join(server);
    expect((await refusal(connect(server.wsUrl, {}, { origin: 'https://app.example.evil' }))).status).toBe(403);
    // The page's own host is no longer enough once a list is given.
    expect((await refusal(connect(server.wsUrl, {}, { origin: server.url }))).status).toBe(403);
    const rebound = `http://evil.example:${server.port}`;
    expect((await refusal(connect(server.wsUrl, {}, { origin: rebound, headers: { host: `evil.example:${server.port}` } }))).status).toBe(403);
  });

  it('without a list, DNS rebinding passes the origin check (documented) but allowedHosts refuses it', async () => {
    const rebound = { origin: 'http://evil.example', headers: { host: 'evil.example' } };
    const open = await start();
    await join(open, {}, rebound);
    const guarded = await start({ allowedHosts: ['127.0.0.1', 'localhost'] });
    await join(guarded, {}, { origin: guarded.url });
    const result = await refusal(connect(guarded.wsUrl, {}, rebound));
    expect(result).toEqual({ status: 403, body: { error: { code: 'host_not_allowed', message: 'this host name is not served here' } } });
    expect(guarded.ft.stats().refusalsTotal.origin).toBe(1);
  });

  it("allowedOrigins '*' allows any origin", async () => {
    const server = await start({ allowedOrigins: '*' });
    await join(server, {}, { origin: 'https://anywhere.example' });
  });
});

describe('authenticate', () => {
  const server = (authRefusal: 'close' | 'http' = 'http') =>
    start({
      authRefusal,
      hooks: {
        authenticate: async ({ query, cookies }) => {
          if (query.get('mode') === 'false') return false;
          if (query.get('mode') === 'forbidden') throw new FiretowerRefusal('not for you', { status: 403 });
          if (query.get('mode') === 'throw') throw new Error('database down');
          if (cookies.sid !== 'good') throw new FiretowerRefusal('log in first');
          return { userId: 'u1', data: { plan: 'pro' } };
        },
      },
    });

  it('by default refuses with a close the client can read: 4500 / 4503 and the reason', async () => {
    const s = await server('close');
    const closes = [];
    for (const mode of ['false', 'none', 'forbidden']) {
      const client = await connect(s.wsUrl, mode === 'none' ? {} : { mode });
      closes.push(await client.closed);
    }
    expect(closes).toEqual([
      { code: 4500, reason: 'authentication required' },
      { code: 4500, reason: 'log in first' },
      { code: 4503, reason: 'not for you' },
    ]);
    expect(s.ft.stats().refusalsTotal.authenticate).toBe(3);
    await waitFor(() => s.ft.stats().connections === 0, 5_000, 'no connection was made a tower');
    // A throwing hook is the server's fault, not a refusal: still an HTTP 500 (the client retries).
    expect((await refusal(connect(s.wsUrl, { mode: 'throw' }))).status).toBe(500);
  });

  it("with authRefusal: 'http', refuses with 401 / 403 JSON before the upgrade", async () => {
    const s = await server();
    expect(await refusal(connect(s.wsUrl, { mode: 'false' }))).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'authentication required' } },
    });
    expect(await refusal(connect(s.wsUrl))).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'log in first' } } });
    expect(await refusal(connect(s.wsUrl, { mode: 'forbidden' }))).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'not for you' } } });
    expect(s.ft.stats().refusalsTotal.authenticate).toBe(3);
    expect(s.ft.stats().connections).toBe(0);
  });

  it('answers a throwing authenticate with 500 and reports it, the process lives', async () => {
    const s = await server();
    expect((await refusal(connect(s.wsUrl, { mode: 'throw' }))).status).toBe(500);
    expect(s.ft.recentIssues().some((i) => i.kind === 'error' && i.message.includes('database down'))).toBe(true);
  });

  it('carries userId and data from authenticate to the connection', async () => {
    const s = await server();
    await join(s, { clientId: 'authed' }, { headers: { cookie: 'sid=good' } });
    const tower = s.ft.getTower('authed')!;
    expect(tower.userId).toBe('u1');
    expect(tower.data).toEqual({ plan: 'pro' });
    expect(tower.state).toBe('open');
  });
});
