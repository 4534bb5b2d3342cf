import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.js';
import { createTestClient, grpc, refusal, type TestClient } from './client.js';
import { nextDelivery, startStack, subscriber, TOKEN, useStack, type Stack } from './fixture.js';
import { countingProxy, type CountingProxy } from './proxy.js';

const MiB = 1024 * 1024;

// Issue 15 item 6: the token must be checked before the message is read, so an unauthenticated
// caller cannot make the server buffer a large message. The proxy counts what reached the
// server's socket: HTTP/2 flow control holds the rest at the caller while the call is unread.
describe('authentication before the message is read', () => {
  let stack: Stack;
  let proxy: CountingProxy;
  let client: TestClient;
  beforeAll(async () => {
    // The receive cap raised on purpose: what protects the server here is admission, not the cap.
    stack = await startStack({ maxReceiveMessageBytes: 64 * MiB, maxDataBytes: 48 * MiB });
    proxy = await countingProxy(stack.grpc.port);
    client = createTestClient(proxy.address, 'wrong-token');
  });
  afterAll(async () => {
    client.close();
    await proxy.close();
    await stack.close();
  });

  it('refuses a 32 MiB unauthenticated Publish with UNAUTHENTICATED before reading it', async () => {
    const before = proxy.upstreamBytes;
    const request = { topic: '/adm/big', dataBytes: Buffer.alloc(32 * MiB, 1) };
    const missing = await refusal(client.unary('Publish', request, { token: null }));
    expect(missing.code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = await refusal(client.unary('Publish', request));
    expect(wrong.code).toBe(grpc.status.UNAUTHENTICATED);
    // Two 32 MiB messages were offered; the server's socket received at most a few flow-control
    // windows of them (64 KiB each by default).
    const received = proxy.upstreamBytes - before;
    expect(received).toBeLessThan(4 * MiB);
  });

  it('refuses an unauthenticated PublishStream before reading its messages', async () => {
    const before = proxy.upstreamBytes;
    const { stream, reply } = client.clientStream('PublishStream', { token: null });
    stream.on('error', () => {});
    for (let i = 0; i < 4; i += 1) stream.write({ topic: '/adm/big', dataBytes: Buffer.alloc(8 * MiB, 2) });
    stream.end();
    expect((await refusal(reply)).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(proxy.upstreamBytes - before).toBeLessThan(4 * MiB);
  });

  it('still serves a caller with the right token through the same path', async () => {
    const ws = await subscriber(stack.node, ['/adm/ok']);
    await stack.client.unary('Publish', { topic: '/adm/ok', dataJson: '"small"' });
    expect(await nextDelivery(ws, '/adm/ok')).toBe('small');
    const authed = createTestClient(proxy.address, TOKEN);
    await authed.unary('Publish', { topic: '/adm/ok', dataBytes: Buffer.alloc(2 * MiB, 3) });
    expect(await nextDelivery(ws, '/adm/ok')).toBe(Buffer.alloc(2 * MiB, 3).toString('base64'));
    authed.close();
    ws.close();
  });
});

describe('the default receive cap fits a publish, not 64 MiB', () => {
  const stack = useStack();

  it('is max(4 MiB, maxDataBytes + 64 KiB)', () => {
    expect(resolveOptions({ port: 0 }).maxReceiveMessageBytes).toBe(4 * MiB);
    expect(resolveOptions({ port: 0, maxDataBytes: 8 * MiB }).maxReceiveMessageBytes).toBe(8 * MiB + 64 * 1024);
    expect(resolveOptions({ port: 0, maxReceiveMessageBytes: 1234 }).maxReceiveMessageBytes).toBe(1234);
  });

  it('takes a Publish with the largest data and refuses a larger message with RESOURCE_EXHAUSTED', async () => {
    const ws = await subscriber(stack.node, ['/adm/cap']);
    const largest = Buffer.alloc(64 * 1024, 7);
    await stack.client.unary('Publish', { topic: '/adm/cap', dataBytes: largest, idempotencyKey: 'k'.repeat(128) });
    expect(await nextDelivery(ws, '/adm/cap')).toBe(largest.toString('base64'));
    const messages = Array.from({ length: 80 }, () => ({ topic: '/adm/cap', dataBytes: largest }));
    const error = await refusal(stack.client.unary('PublishBatch', { messages }));
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    ws.close();
  });
});
