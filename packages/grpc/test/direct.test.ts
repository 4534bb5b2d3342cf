/** GetPresence, SendToUser and SendTo over gRPC, against a real node with presence and ws connections. */
import { BrokerLifecycleError, BrokerOverflowError, memoryBroker, type Broker, type FiretowerApi } from '@firetower/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcServer, createPushClient, type GrpcServer } from '../src/index.js';
import { createTestClient, grpc, refusal, type TestClient } from './client.js';
import { nextDelivery, startStack, subscriber, TOKEN, useStack, waitFor, type Stack, type WsClient } from './fixture.js';
import { connect } from '@firetower/server/testing';

interface PresenceReply {
  members: Array<{ id: string; infoJson: string; connections: number }>;
  total: number;
  truncated: boolean;
}
interface SendReply {
  connections: number;
  complete: boolean;
}

const PRESENCE_OPTIONS = {
  presence: [{ match: '/room/*' }, { match: '/small/*', maxMembers: 1 }],
  hooks: {
    authenticate: ({ query }: { query: URLSearchParams }) => ({ userId: query.get('user') ?? undefined, presence: { name: query.get('name') } }),
  },
};

const stack = useStack({}, PRESENCE_OPTIONS);
const opened: WsClient[] = [];
afterAll(() => {
  for (const ws of opened) ws.close();
});

async function join(query: Record<string, string>, topics: string[] = []): Promise<WsClient> {
  const ws = topics.length > 0 ? await subscriber(stack.node, topics, query) : await connect(stack.node.wsUrl, query);
  opened.push(ws);
  return ws;
}

const presence = (topic: string) => stack.client.unary<PresenceReply>('GetPresence', { topic });
const sendToUser = (request: object) => stack.client.unary<SendReply>('SendToUser', request);
const sendTo = (request: object) => stack.client.unary<SendReply>('SendTo', request);

describe('GetPresence', () => {
  it('answers the members of a topic with their info as JSON text and their connections', async () => {
    await join({ user: 'ada', name: 'Ada' }, ['/room/a']);
    await join({ user: 'ada', name: 'Ada' }, ['/room/a']);
    await join({ user: 'bob', name: 'Bob' }, ['/room/a']);
    await waitFor(() => stack.node.ft.presence('/room/a').then((list) => list.total === 2), 5_000, 'two members');
    const reply = await presence('/room/a');
    expect({ ...reply, members: [...reply.members].sort((a, b) => (a.id < b.id ? -1 : 1)) }).toEqual({
      members: [
        { id: 'ada', infoJson: '{"name":"Ada"}', connections: 2 },
        { id: 'bob', infoJson: '{"name":"Bob"}', connections: 1 },
      ],
      total: 2,
      truncated: false,
    });
  });

  it('an empty presence topic has no members; above max_members only the count', async () => {
    expect(await presence('/room/empty')).toEqual({ members: [], total: 0, truncated: false });
    await join({ user: 's1' }, ['/small/x']);
    await join({ user: 's2' }, ['/small/x']);
    await waitFor(() => stack.node.ft.presence('/small/x').then((list) => list.total === 2), 5_000, 'two members');
    expect(await presence('/small/x')).toEqual({ members: [], total: 2, truncated: true });
  });

  it('a topic without presence is NOT_FOUND no_presence', async () => {
    const error = await refusal(presence('/plain'));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toContain('/plain');
    expect(error.metadata.get('firetower-error-code')).toEqual(['no_presence']);
  });

  it.each(['', '/bad topic', '/a,/b', `/${'x'.repeat(10 * 1024)}`])('topic %j is INVALID_ARGUMENT invalid_topic', async (topic) => {
    const error = await refusal(presence(topic));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.metadata.get('firetower-error-code')).toEqual(['invalid_topic']);
  });
});

describe('SendToUser and SendTo', () => {
  it('an unknown user or client is OK with 0 connections', async () => {
    expect(await sendToUser({ userId: 'nobody', topic: '/inbox', dataJson: '1' })).toEqual({ connections: 0, complete: true });
    expect(await sendTo({ clientId: 'no-such-client', topic: '/inbox', dataJson: '1' })).toEqual({ connections: 0, complete: true });
  });

  it('a user with two connections gets it on both (2), and nobody else', async () => {
    const tabs = [await join({ user: 'two-tabs' }), await join({ user: 'two-tabs' })];
    const bystander = await join({ user: 'someone-else' });
    expect(await sendToUser({ userId: 'two-tabs', topic: '/inbox', dataJson: '{"note":"hi"}' })).toEqual({ connections: 2, complete: true });
    for (const tab of tabs) expect(await nextDelivery(tab, '/inbox')).toEqual({ note: 'hi' });
    // A marker to the bystander arrives alone: it got nothing before it.
    await sendToUser({ userId: 'someone-else', topic: '/inbox', dataJson: '"marker"' });
    expect(await nextDelivery(bystander, '/inbox')).toBe('marker');
    expect(bystander.received.filter((frame) => frame.type === 'publish')).toHaveLength(1);
  });

  it('SendTo reaches one connection; an unset data_json is null', async () => {
    const target = await join({ user: 'sibling', clientId: 'grpc-target' });
    const sibling = await join({ user: 'sibling' });
    expect(await sendTo({ clientId: 'grpc-target', topic: '/inbox' })).toEqual({ connections: 1, complete: true });
    expect(await target.nextDelivery('/inbox')).toEqual({ type: 'publish', topic: '/inbox', data: null });
    await sendToUser({ userId: 'sibling', topic: '/inbox', dataJson: '"marker"' });
    expect(await nextDelivery(sibling, '/inbox')).toBe('marker');
  });

  it.each([
    ['SendToUser', { userId: '', topic: '/inbox', dataJson: '1' }, 'invalid_target'],
    ['SendToUser', { userId: 'u'.repeat(10 * 1024), topic: '/inbox', dataJson: '1' }, 'invalid_target'],
    ['SendTo', { clientId: '', topic: '/inbox', dataJson: '1' }, 'invalid_target'],
    ['SendTo', { clientId: 'c'.repeat(257), topic: '/inbox', dataJson: '1' }, 'invalid_target'],
    ['SendToUser', { userId: 'u', topic: '', dataJson: '1' }, 'invalid_topic'],
    ['SendTo', { clientId: 'c', topic: '/bad topic', dataJson: '1' }, 'invalid_topic'],
    ['SendToUser', { userId: 'u', topic: '/inbox', dataJson: '{"a":' }, 'invalid_json'],
    ['SendTo', { clientId: 'c', topic: '/inbox', dataJson: 'not json' }, 'invalid_json'],
    ['SendToUser', { userId: 'u', topic: '/inbox', dataJson: `${'['.repeat(64)}${']'.repeat(64)}` }, 'data_too_deep'],
    ['SendToUser', { userId: 'u', topic: '/inbox', dataJson: `"${'x'.repeat(70 * 1024)}"` }, 'data_too_large'],
  ])('%s %j is INVALID_ARGUMENT %s', async (method, request, code) => {
    const error = await refusal(stack.client.unary(method, request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.metadata.get('firetower-error-code')).toEqual([code]);
  });

  it('createPushClient() has getPresence, sendToUser and sendTo', async () => {
    const push = createPushClient(stack.grpc.address, { token: TOKEN });
    try {
      const ws = await join({ user: 'push-user', name: 'P', clientId: 'push-client' }, ['/room/push']);
      await waitFor(() => stack.node.ft.presence('/room/push').then((list) => list.total === 1), 5_000, 'a member');
      expect(await push.getPresence('/room/push')).toEqual({
        members: [{ id: 'push-user', infoJson: '{"name":"P"}', connections: 1 }],
        total: 1,
        truncated: false,
      });
      expect(await push.sendToUser('push-user', '/inbox', '{"n":1}')).toEqual({ connections: 1, complete: true });
      expect(await nextDelivery(ws, '/inbox')).toEqual({ n: 1 });
      expect(await push.sendTo('push-client', '/inbox')).toEqual({ connections: 1, complete: true });
      expect(await nextDelivery(ws, '/inbox')).toBeNull();
      expect((await refusal(push.sendToUser('', '/inbox'))).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect((await refusal(push.getPresence('/plain'))).code).toBe(grpc.status.NOT_FOUND);
    } finally {
      push.close();
    }
  });
});

/** A memory broker whose control commands and presence reads fail with `error()` (a broker whose link is down). */
function failingBroker(error: () => unknown): Broker {
  const inner = memoryBroker();
  return {
    kind: 'failing',
    start: (node) => inner.start(node),
    updateLocalCounts: (changes) => inner.updateLocalCounts(changes),
    publish: (message) => inner.publish(message),
    control: () => Promise.reject(error()),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
    updatePresence: (updates) => inner.updatePresence!(updates),
    presence: () => Promise.reject(error()),
  };
}

describe('when the broker fails', () => {
  const reported: string[] = [];
  const failures: Array<{ error: unknown }> = [{ error: undefined }];
  let failing: Stack;
  beforeAll(async () => {
    failing = await startStack(
      { onError: (error) => reported.push(error.message) },
      // Quiet: the uncoded failure below also reaches the node's onError (through ft.reportError).
      { ...PRESENCE_OPTIONS, broker: failingBroker(() => failures[0]!.error), hooks: { ...PRESENCE_OPTIONS.hooks, onError: () => {} } },
    );
  });
  afterAll(async () => {
    await failing.close();
  });

  const calls: Array<[string, object]> = [
    ['SendToUser', { userId: 'u', topic: '/inbox', dataJson: '1' }],
    ['SendTo', { clientId: 'c', topic: '/inbox', dataJson: '1' }],
    ['GetPresence', { topic: '/room/a' }],
  ];

  it.each(calls)('%s: a broker outside start..close or a coded link failure is UNAVAILABLE, not a reported fault', async (method, request) => {
    for (const error of [new BrokerLifecycleError('broker_closed', 'closed'), Object.assign(new Error('not connected'), { code: 'not_connected' })]) {
      failures[0]!.error = error;
      const status = await refusal(failing.client.unary(method, request));
      expect(status.code).toBe(grpc.status.UNAVAILABLE);
      expect(status.metadata.get('firetower-error-code')).toEqual(['unavailable']);
    }
    expect(reported).toEqual([]);
  });

  it('a full broker buffer on a send is RESOURCE_EXHAUSTED broker_overflow, as for a publish', async () => {
    failures[0]!.error = new BrokerOverflowError();
    const status = await refusal(failing.client.unary('SendToUser', { userId: 'u', topic: '/inbox', dataJson: '1' }));
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(status.metadata.get('firetower-error-code')).toEqual(['broker_overflow']);
  });

  it('an uncoded failure (a bug) is INTERNAL and reported', async () => {
    reported.length = 0;
    failures[0]!.error = new Error('send exploded');
    const status = await refusal(failing.client.unary('SendTo', { clientId: 'c', topic: '/inbox', dataJson: '1' }));
    expect(status.code).toBe(grpc.status.INTERNAL);
    expect(reported).toEqual(['send exploded']);
  });
});

describe('GetPresence on an API without presence()', () => {
  let grpcServer: GrpcServer;
  let client: TestClient;
  const bare = useStack();
  beforeAll(async () => {
    // A wrapping API that leaves presence out (or a server older than it).
    const ft = new Proxy(bare.node.ft as FiretowerApi, {
      get(target, key) {
        if (key === 'presence') return undefined;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    grpcServer = await createGrpcServer(ft, { port: 0, token: TOKEN });
    client = createTestClient(grpcServer.address, TOKEN);
  });
  afterAll(async () => {
    client.close();
    await grpcServer.close();
  });

  it('answers NOT_FOUND no_presence; so does a server without the presence option', async () => {
    for (const target of [client, bare.client]) {
      const error = await refusal(target.unary('GetPresence', { topic: '/room/a' }));
      expect(error.code).toBe(grpc.status.NOT_FOUND);
      expect(error.metadata.get('firetower-error-code')).toEqual(['no_presence']);
    }
  });
});
