import { afterAll, describe, expect, it } from 'vitest';
import { createGrpcServer, type GrpcServer } from '../src/index.js';
import { createTestClient, grpc, refusal } from './client.js';
import { nextDelivery, subscriber, TOKEN, useStack } from './fixture.js';

const stack = useStack();

const UNARY_CALLS: Array<[string, object]> = [
  ['Publish', { topic: '/a/x', dataJson: '1' }],
  ['PublishBatch', { messages: [{ topic: '/a/x', dataJson: '1' }] }],
  ['KickUser', { userId: 'ann' }],
  ['UnsubscribeUser', { userId: 'ann', topic: '/a/x' }],
  ['RemoveTopic', { topic: '/a/x' }],
  ['GetTopic', { topic: '/a/x' }],
  ['ListTopics', {}],
  ['Stats', {}],
  ['History', { topic: '/a/x' }],
  ['GetPresence', { topic: '/a/x' }],
  ['SendToUser', { userId: 'ann', topic: '/a/x', dataJson: '1' }],
  ['SendTo', { clientId: 'c1', topic: '/a/x', dataJson: '1' }],
];

describe('bearer token', () => {
  it.each(UNARY_CALLS)('%s without a token is UNAUTHENTICATED', async (method, request) => {
    const error = await refusal(stack.client.unary(method, request, { token: null }));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error.details).toMatch(/missing authorization/);
    expect(error.metadata.get('firetower-error-code')).toEqual(['unauthenticated']);
  });

  it.each(UNARY_CALLS)('%s with a wrong token is UNAUTHENTICATED', async (method, request) => {
    const error = await refusal(stack.client.unary(method, request, { token: 'wrong' }));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('refuses PublishStream and WatchTopic without a token, and publishes nothing', async () => {
    const ws = await subscriber(stack.node, ['/a/stream']);
    const { stream, reply } = stack.client.clientStream('PublishStream', { token: 'wrong' });
    stream.write({ topic: '/a/stream', dataJson: '"refused"' });
    stream.end();
    expect((await refusal(reply)).code).toBe(grpc.status.UNAUTHENTICATED);

    const watch = stack.client.serverStream('WatchTopic', { topic: '/a/stream' }, { token: null });
    const watchError = await new Promise<grpc.ServiceError>((resolve) => watch.on('error', resolve));
    expect(watchError.code).toBe(grpc.status.UNAUTHENTICATED);

    await stack.client.unary('Publish', { topic: '/a/stream', dataJson: '"allowed"' });
    expect(await nextDelivery(ws, '/a/stream')).toBe('allowed');
    ws.close();
  });

  it('accepts the token whatever the case of "Bearer"', async () => {
    const reply = await stack.client.unary('GetTopic', { topic: '/a/x' }, { token: null, headers: { authorization: `bEaReR ${TOKEN}` } });
    expect(reply).toMatchObject({ topic: '/a/x' });
  });
});

describe('authorize() and unconfigured servers', () => {
  const extra: GrpcServer[] = [];
  afterAll(async () => {
    await Promise.all(extra.map((server) => server.close()));
  });

  async function serve(options: Omit<Parameters<typeof createGrpcServer>[1], 'port'>): Promise<string> {
    const server = await createGrpcServer(stack.node.ft, { port: 0, ...options });
    extra.push(server);
    return server.address;
  }

  it('lets the app decide from metadata; the token still works beside it; a throw refuses', async () => {
    const seen: string[] = [];
    const address = await serve({
      token: TOKEN,
      authorize: ({ metadata, method }) => {
        seen.push(method);
        const key = metadata.get('x-api-key')[0];
        if (key === 'boom') throw new Error('app bug');
        return key === 'good';
      },
    });
    const client = createTestClient(address);
    const get = (options: { token?: string | null; headers?: Record<string, string> }) => client.unary('GetTopic', { topic: '/a/x' }, options);
    expect(await get({ token: null, headers: { 'x-api-key': 'good' } })).toMatchObject({ topic: '/a/x' });
    expect(await get({ token: TOKEN })).toMatchObject({ topic: '/a/x' });
    expect((await refusal(get({ token: null, headers: { 'x-api-key': 'bad' } }))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await refusal(get({ token: null, headers: { 'x-api-key': 'boom' } }))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await refusal(get({ token: 'wrong' }))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(seen).toContain('/firetower.v1.Firetower/GetTopic');
    client.close();
  });

  it('refuses every call when neither token nor authorize is set', async () => {
    const address = await serve({});
    const client = createTestClient(address);
    const error = await refusal(client.unary('GetTopic', { topic: '/a/x' }));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error.details).toMatch(/no token or authorize/);
    client.close();
  });

  it('serves an open API with allowUnauthenticated', async () => {
    const address = await serve({ allowUnauthenticated: true });
    const client = createTestClient(address);
    expect(await client.unary('GetTopic', { topic: '/a/x' })).toMatchObject({ topic: '/a/x', count: 0, exists: false });
    client.close();
  });
});
