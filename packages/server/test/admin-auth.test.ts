import { describe, expect, test } from 'vitest';
import type { StartedServer } from '@firetower/server/testing';
import type { AdminOptions } from '@firetower/server';
import { useServers } from './helpers.js';

const TOKEN = 'right-token';

const servers = useServers();

function start(admin: AdminOptions): Promise<StartedServer> {
  return servers.start({ admin });
}

async function status(server: StartedServer, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(`${server.url}/firetower${path}`, { method, headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, headers: res.headers };
}

const PROTECTED: Array<[string, string]> = [
  ['GET', '/api/topics'],
  ['GET', '/api/topics/x'],
  ['DELETE', '/api/topics/x'],
  ['GET', '/api/connections'],
  ['GET', '/api/stats'],
  ['POST', '/api/publish'],
  ['POST', '/api/users/u/kick'],
  ['POST', '/api/users/u/unsubscribe'],
  ['DELETE', '/api/users/u/topics/x'],
  ['GET', '/api/does-not-exist'],
  ['GET', '/metrics'],
  ['GET', '/dashboard'],
];

describe('admin auth', () => {
  test.each(PROTECTED)('%s %s refuses a missing or wrong token with 401 JSON', async (method, path) => {
    const server = await start({ token: TOKEN });
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer wrong-token' },
      { Authorization: `Basic ${TOKEN}` },
      { Authorization: `Bearer ${TOKEN}x` },
    ];
    for (const headers of attempts) {
      const res = await status(server, path, headers, method);
      expect(res.status).toBe(401);
      expect(res.type).toMatch(/^application\/json/);
      expect(JSON.parse(res.text)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  test('the right Bearer token is accepted (scheme case-insensitive)', async () => {
    const server = await start({ token: TOKEN });
    expect((await status(server, '/api/topics', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await status(server, '/api/topics', { Authorization: `bearer ${TOKEN}` })).status).toBe(200);
    expect((await status(server, '/metrics', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  test('?token= opens the dashboard page only, never the API or metrics', async () => {
    const server = await start({ token: TOKEN });
    expect((await status(server, `/dashboard?token=${TOKEN}`)).status).toBe(200);
    expect((await status(server, '/dashboard?token=nope')).status).toBe(401);
    expect((await status(server, `/api/topics?token=${TOKEN}`)).status).toBe(401);
    expect((await status(server, `/metrics?token=${TOKEN}`)).status).toBe(401);
  });

  test('a dashboard opened with ?token= sets a strict HttpOnly cookie for its own path, good for reloads only', async () => {
    const server = await start({ token: TOKEN });
    const opened = await status(server, `/dashboard?token=${TOKEN}`);
    const cookie = opened.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^firetower_dashboard=right-token;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/firetower\/dashboard/);
    const jar = cookie.split(';')[0]!;
    expect((await status(server, '/dashboard', { Cookie: jar })).status).toBe(200);
    expect((await status(server, '/dashboard', { Cookie: 'firetower_dashboard=wrong' })).status).toBe(401);
    // The cookie opens the page, never the API.
    expect((await status(server, '/api/topics', { Cookie: jar })).status).toBe(401);
    expect(opened.text).toContain('history.replaceState');
  });

  test('authorize(req) decides when given, alone or next to a token', async () => {
    const authorize = (req: { headers: Record<string, string | string[] | undefined> }) => req.headers['x-admin'] === 'yes';
    const alone = await start({ authorize });
    expect((await status(alone, '/api/topics', { 'X-Admin': 'yes' })).status).toBe(200);
    expect((await status(alone, '/api/topics', { 'X-Admin': 'no' })).status).toBe(401);
    expect((await status(alone, '/dashboard', { 'X-Admin': 'yes' })).status).toBe(200);

    const both = await start({ token: TOKEN, authorize: async (req) => req.headers['x-admin'] === 'yes' });
    expect((await status(both, '/api/topics', { 'X-Admin': 'yes' })).status).toBe(200);
    expect((await status(both, '/api/topics', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await status(both, '/api/topics', { Authorization: 'Bearer wrong' })).status).toBe(401);
  });

  test('an authorize() that throws denies with a JSON 500', async () => {
    const server = await start({
      authorize: () => {
        throw new Error('session store down');
      },
    });
    const res = await status(server, '/api/topics');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ error: { code: 'internal', message: 'authorize() failed' } });
  });

  test('admin: {} with no credential configured refuses everything', async () => {
    const server = await start({});
    expect((await status(server, '/api/topics')).status).toBe(401);
    expect((await status(server, '/dashboard?token=')).status).toBe(401);
    expect((await status(server, '/metrics')).status).toBe(401);
  });

  test('openMetrics serves /metrics without auth and nothing else', async () => {
    const server = await start({ token: TOKEN, openMetrics: true });
    const metrics = await status(server, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain/);
    expect((await status(server, '/api/topics')).status).toBe(401);
    expect((await status(server, '/dashboard')).status).toBe(401);
  });
});
