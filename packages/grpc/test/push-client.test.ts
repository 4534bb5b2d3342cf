import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushClient, type PushClient } from '../src/index.js';
import { grpc, refusal } from './client.js';
import { nextDelivery, startStack, subscriber, TOKEN, type Stack } from './fixture.js';

let stack: Stack;
let push: PushClient;
beforeAll(async () => {
  stack = await startStack();
  push = createPushClient(stack.grpc.address, { token: TOKEN });
});
afterAll(async () => {
  push.close();
  await stack.close();
});

describe('createPushClient (what the CLI and the bench use)', () => {
  it('publishes json, text and bytes, and reads a topic', async () => {
    const ws = await subscriber(stack.node, ['/pc/a']);
    await push.publish({ topic: '/pc/a', json: '{"a":1}' });
    await push.publish({ topic: '/pc/a', text: 'two' });
    await push.publish({ topic: '/pc/a', bytes: new Uint8Array([104, 105]) });
    expect(await nextDelivery(ws, '/pc/a')).toEqual({ a: 1 });
    expect(await nextDelivery(ws, '/pc/a')).toBe('two');
    expect(await nextDelivery(ws, '/pc/a')).toBe('aGk=');
    expect(await push.getTopic('/pc/a')).toEqual({ topic: '/pc/a', count: 1, exists: true });
    await ws.close();
  });

  it('streams with publishStream() and returns the summary', async () => {
    const ws = await subscriber(stack.node, ['/pc/stream']);
    const writer = push.publishStream();
    for (let i = 0; i < 500; i += 1) {
      if (!writer.write({ topic: '/pc/stream', json: String(i) })) await writer.drained();
    }
    expect(await writer.end()).toMatchObject({ accepted: 500, rejected: 0 });
    for (let i = 0; i < 500; i += 1) expect(await nextDelivery(ws, '/pc/stream')).toBe(i);
    await ws.close();
  });

  it('resolves publish() with { duplicate }', async () => {
    expect(await push.publish({ topic: '/pc/dup', json: '1', idempotencyKey: 'pc-1' })).toEqual({ duplicate: false });
    expect(await push.publish({ topic: '/pc/dup', json: '1', idempotencyKey: 'pc-1' })).toEqual({ duplicate: true });
  });

  it('rejects with the gRPC status', async () => {
    const wrong = createPushClient(stack.grpc.address, { token: 'nope' });
    expect((await refusal(wrong.publish({ topic: '/pc/a', json: '1' }))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await refusal(wrong.publishStream().end())).code).toBe(grpc.status.UNAUTHENTICATED);
    wrong.close();
  });
});
