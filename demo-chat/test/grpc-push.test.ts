import { afterEach, describe, expect, it } from 'vitest';
import { createPushClient } from '@firetower/grpc';
import { connect, type TestClient, type TestFrame } from '@firetower/server/testing';
import { createChatServer, startChatCluster } from '../src/index.js';

const TOKEN = 'demo-test-token';

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A raw WebSocket member of a room, as the page would be. */
async function member(baseUrl: string, topic: string): Promise<TestClient> {
  const ws = await connect(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  cleanup.push(() => ws.ws.terminate());
  const ack = await ws.request({ type: 'subscribe', topic });
  expect(ack.type).toBe('ack');
  return ws;
}

/** The next chat message (not a count announcement) delivered on a topic. */
function nextChat(ws: TestClient, topic: string): Promise<TestFrame> {
  return ws.next((frame) => frame.type === 'publish' && frame.topic === topic && frame.data?.type === 'chat', 5000);
}

describe('the demo with the gRPC push API', () => {
  it('a back end publishes through gRPC and a room member sees the message', async () => {
    const chat = await createChatServer({ adminToken: TOKEN, grpcPort: 0 });
    cleanup.push(() => chat.close({ batchIntervalMs: 0, maxRetryAfterMs: 0 }));
    expect(chat.grpc?.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const ws = await member(chat.url, '/chat/world');

    const push = createPushClient(chat.grpc!.address, { token: TOKEN });
    cleanup.push(() => push.close());
    await push.publish({ topic: '/chat/world', json: '{"type":"chat","from":"ops","text":"hi"}' });
    expect((await nextChat(ws, '/chat/world')).data).toEqual({ type: 'chat', from: 'ops', text: 'hi' });

    // The token is the admin token: without it the door stays shut.
    const anonymous = createPushClient(chat.grpc!.address);
    cleanup.push(() => anonymous.close());
    await expect(anonymous.publish({ topic: '/chat/world', json: '{}' })).rejects.toMatchObject({ code: 16 });
  });

  it('is off without a port, and refuses to start without a token', async () => {
    const chat = await createChatServer({ adminToken: TOKEN });
    cleanup.push(() => chat.close({ batchIntervalMs: 0, maxRetryAfterMs: 0 }));
    expect(chat.grpc).toBeUndefined();
    await expect(createChatServer({ grpcPort: 0 })).rejects.toThrow(/admin token/);
  });

  it('in the cluster, node A serves it and a publish reaches a member on node B', async () => {
    const cluster = await startChatCluster({ node: { adminToken: TOKEN }, grpcPort: 0 });
    cleanup.push(() => cluster.close());
    const [a, b] = cluster.nodes;
    expect(a.grpc).toBeDefined();
    expect(b.grpc).toBeUndefined();
    const ws = await member(b.url, '/chat/world');

    const push = createPushClient(a.grpc!.address, { token: TOKEN });
    cleanup.push(() => push.close());
    await push.publish({ topic: '/chat/world', json: '{"type":"chat","from":"ops","text":"to B"}' });
    expect((await nextChat(ws, '/chat/world')).data).toMatchObject({ from: 'ops', text: 'to B' });
  });
});
