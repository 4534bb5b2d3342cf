/**
 * Credentials, presence and direct messages against the real server: a refused token ends closed
 * with the server's reason and no further attempt, a short expiry is refreshed automatically,
 * presence join/leave between two clients, `ft.sendToUser` on the message event, and a server that
 * does not take client publishes.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { FiretowerError, PresenceMember, TopicMessage } from '@firetower/client';
import { FiretowerRefusal, type FiretowerOptions as ServerOptions } from '@firetower/server';
import { closeClients, startTestServer, testClient, waitFor, type TestServer } from './support.js';

const servers: TestServer[] = [];
async function server(options: ServerOptions = {}): Promise<TestServer> {
  const started = await startTestServer(options);
  servers.push(started);
  return started;
}

afterEach(async () => {
  closeClients();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Tokens are `<user>:<valid|revoked|banned>`; a valid one lasts `lifetimeMs`. */
function authServer(lifetimeMs = 60_000, extra: ServerOptions = {}) {
  const attempts: string[] = [];
  const refreshed: string[] = [];
  const check = (token: string | undefined | null) => {
    const [user, status] = (token ?? '').split(':');
    if (status === 'banned') throw new FiretowerRefusal(`${user} is banned`, { status: 403 });
    if (status !== 'valid' || !user) throw new FiretowerRefusal(`token ${token ?? '(none)'} is not valid`);
    return user;
  };
  const started = server({
    presence: [{ match: '/room/*' }],
    ...extra,
    hooks: {
      authenticate: ({ query }) => {
        attempts.push(query.get('token') ?? '');
        const user = check(query.get('token'));
        return { userId: user, expiresAt: Date.now() + lifetimeMs, presence: { name: user.toUpperCase() } };
      },
      refresh: (_tower, credentials) => {
        refreshed.push(credentials.token ?? '');
        check(credentials.token);
        return { expiresAt: Date.now() + lifetimeMs };
      },
    },
  });
  return { started, attempts, refreshed };
}

describe('credentials against the real server', () => {
  test('a refused token: one retry with fresh params, then closed with the reason, and no further attempt', async () => {
    const { started, attempts } = authServer();
    const s = await started;
    let calls = 0;
    const client = testClient(s.wsUrl, { params: () => ({ token: `ann:revoked${++calls}` }) });
    const errors: FiretowerError[] = [];
    client.on('error', (error) => errors.push(error));
    await waitFor(() => client.state === 'closed', 5_000, 'closed');
    expect(attempts).toEqual(['ann:revoked1', 'ann:revoked2']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'closed', closeCode: 4500, reason: 'token ann:revoked2 is not valid' });
    // Nothing more: wait well past several backoff windows (20–200 ms).
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(attempts).toHaveLength(2);
    expect(calls).toBe(2);
  });

  test('the retry with fresh params succeeds when the provider has a new token', async () => {
    const { started, attempts } = authServer();
    const s = await started;
    const tokens = ['ann:stale', 'ann:valid'];
    const client = testClient(s.wsUrl, { params: async () => ({ token: tokens.shift() ?? 'ann:valid' }) });
    // The refused connection opened for an instant too (the server accepts the upgrade to close it
    // with a reason the page can read): wait for the second one.
    await waitFor(() => attempts.length === 2 && client.state === 'open', 5_000, 'the second connection');
    expect(attempts).toEqual(['ann:stale', 'ann:valid']);
    const room = client.subscribe('/room/a');
    await expect(room.ready).resolves.toBeUndefined();
  });

  test('a 403 refusal (4503) is never retried', async () => {
    const { started, attempts } = authServer();
    const s = await started;
    const client = testClient(s.wsUrl, { params: () => ({ token: 'eve:banned' }) });
    const errors: FiretowerError[] = [];
    client.on('error', (error) => errors.push(error));
    await waitFor(() => client.state === 'closed', 5_000, 'closed');
    expect(errors).toEqual([expect.objectContaining({ code: 'closed', closeCode: 4503, reason: 'eve is banned' })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(attempts).toEqual(['eve:banned']);
  });

  test('a 1.5 s session is refreshed automatically and the connection outlives it', async () => {
    const { started, refreshed } = authServer(1_500);
    const s = await started;
    let calls = 0;
    const client = testClient(s.wsUrl, { params: () => ({ token: 'ann:valid', n: String(++calls) }) });
    const closes: unknown[] = [];
    client.on('close', (event) => closes.push(event));
    await client.ready(5_000);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(closes).toEqual([]);
    expect(client.state).toBe('open');
    // Refreshed at 80 % of each 1.5 s session: 1.2 s, 2.4 s, 3.6 s.
    expect(refreshed.length).toBeGreaterThanOrEqual(2);
    expect(s.ft.getTower(client.clientId)).toBeDefined();
  }, 10_000);

  test('a refused refresh is reported; the server closes with 4005 at expiry and the client reconnects', async () => {
    const { started } = authServer(1_500);
    const s = await started;
    let calls = 0;
    // Connect with a valid token; the refresh sends a revoked one; the reconnect a valid one again.
    const client = testClient(s.wsUrl, { params: () => ({ token: ++calls === 2 ? 'ann:revoked' : 'ann:valid' }) });
    const errors: FiretowerError[] = [];
    const closes: Array<{ code: number }> = [];
    client.on('error', (error) => errors.push(error));
    client.on('close', (event) => closes.push(event));
    await client.ready(5_000);
    await waitFor(() => errors.length > 0, 5_000, 'the refused refresh');
    expect(errors[0]).toMatchObject({ code: 'refused', serverCode: 'refused' });
    expect(client.state).toBe('open');
    await waitFor(() => closes.length > 0, 5_000, 'the expiry');
    expect(closes[0]).toMatchObject({ code: 4005, willReconnect: true });
    await waitFor(() => client.state === 'open', 5_000, 'reconnected');
  }, 10_000);
});

describe('presence against the real server', () => {
  test('join and leave between two clients, and presence()', async () => {
    const { started } = authServer();
    const s = await started;
    const ann = testClient(s.wsUrl, { params: { token: 'ann:valid' } });
    const watcher = ann.subscribe('/room/a', undefined, { presence: true });
    const seen: Array<[string, PresenceMember]> = [];
    watcher.on('join', (member) => seen.push(['join', member]));
    watcher.on('leave', (member) => seen.push(['leave', member]));
    await watcher.ready;
    await waitFor(() => seen.length === 1, 5_000, 'ann’s own join');
    expect(seen[0]).toEqual(['join', { id: 'ann', info: { name: 'ANN' } }]);

    const bob = testClient(s.wsUrl, { params: { token: 'bob:valid' } });
    const bobRoom = bob.subscribe('/room/a');
    await bobRoom.ready;
    await waitFor(() => seen.length === 2, 5_000, 'bob’s join');
    expect(seen[1]).toEqual(['join', { id: 'bob', info: { name: 'BOB' } }]);

    const list = await bobRoom.presence();
    expect(list.total).toBe(2);
    expect(list.truncated).toBe(false);
    expect(list.members.map((m) => [m.id, m.info, m.connections]).sort()).toEqual([
      ['ann', { name: 'ANN' }, 1],
      ['bob', { name: 'BOB' }, 1],
    ]);

    bob.close();
    await waitFor(() => seen.length === 3, 5_000, 'bob’s leave');
    expect(seen[2]).toEqual(['leave', { id: 'bob', info: { name: 'BOB' } }]);
  });

  test('presence() of a topic without presence rejects with invalid (no_presence)', async () => {
    const { started } = authServer();
    const s = await started;
    const client = testClient(s.wsUrl, { params: { token: 'ann:valid' } });
    const plain = client.subscribe('/plain');
    await expect(plain.presence()).rejects.toMatchObject({ code: 'invalid', serverCode: 'no_presence' });
  });
});

describe('direct messages and publish permissions against the real server', () => {
  test('ft.sendToUser and ft.sendTo reach the client’s message event without a subscription', async () => {
    const { started } = authServer();
    const s = await started;
    const client = testClient(s.wsUrl, { params: { token: 'ann:valid' } });
    const messages: TopicMessage[] = [];
    client.on('message', (message) => messages.push(message));
    await client.ready(5_000);
    await s.ft.sendToUser('ann', '/inbox/ann', { text: 'hello Ann' });
    await s.ft.sendTo(client.clientId, '/inbox/tab', 42);
    await waitFor(() => messages.length === 2, 5_000, 'the direct messages');
    expect(messages).toEqual([
      { topic: '/inbox/ann', data: { text: 'hello Ann' } },
      { topic: '/inbox/tab', data: 42 },
    ]);
    expect(client.topics).toEqual([]);
  });

  test('a server that does not take client publishes rejects them with refused / publish_not_allowed', async () => {
    const s = await server({ publish: 'deny' });
    const client = testClient(s.wsUrl);
    await expect(client.publish('/chat/a', 'hi')).rejects.toMatchObject({ code: 'refused', serverCode: 'publish_not_allowed', topic: '/chat/a' });
    expect(client.state).toBe('open');
  });
});
