import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { grpc } from './client.js';
import { nextDelivery, subscriber, TOKEN, useStack } from './fixture.js';

const stack = useStack();

describe('Publish', () => {
  it('delivers data_json parsed, data_text as a string, data_bytes as base64 and no data as null', async () => {
    const ws = await subscriber(stack.node, ['/p/kinds']);
    await stack.client.unary('Publish', { topic: '/p/kinds', dataJson: '{"text":"hi","n":[1,2]}' });
    expect(await nextDelivery(ws, '/p/kinds')).toEqual({ text: 'hi', n: [1, 2] });
    await stack.client.unary('Publish', { topic: '/p/kinds', dataText: 'plain words' });
    expect(await nextDelivery(ws, '/p/kinds')).toBe('plain words');
    await stack.client.unary('Publish', { topic: '/p/kinds', dataBytes: Buffer.from([0, 1, 2, 255]) });
    expect(await nextDelivery(ws, '/p/kinds')).toBe('AAEC/w==');
    await stack.client.unary('Publish', { topic: '/p/kinds' });
    expect(await nextDelivery(ws, '/p/kinds')).toBeNull();
    ws.close();
  });

  it('skips the excluded client and delivers to the others', async () => {
    const me = await subscriber(stack.node, ['/p/exclude'], { clientId: 'me-1' });
    const other = await subscriber(stack.node, ['/p/exclude'], { clientId: 'other-1' });
    await stack.client.unary('Publish', { topic: '/p/exclude', dataJson: '"first"', excludeClientId: 'me-1' });
    await stack.client.unary('Publish', { topic: '/p/exclude', dataJson: '"second"' });
    expect(await nextDelivery(other, '/p/exclude')).toBe('first');
    expect(await nextDelivery(other, '/p/exclude')).toBe('second');
    // Deliveries on one topic keep their order, so "second" first means "first" was skipped.
    expect(await nextDelivery(me, '/p/exclude')).toBe('second');
    me.close();
    other.close();
  });

  it('delivers a retried idempotency key once, and the reply says which publish was the duplicate', async () => {
    const ws = await subscriber(stack.node, ['/p/idem']);
    expect(await stack.client.unary('Publish', { topic: '/p/idem', dataJson: '1', idempotencyKey: 'k-1' })).toEqual({ duplicate: false });
    expect(await stack.client.unary('Publish', { topic: '/p/idem', dataJson: '1', idempotencyKey: 'k-1' })).toEqual({ duplicate: true });
    expect(await stack.client.unary('Publish', { topic: '/p/idem', dataJson: '2' })).toEqual({ duplicate: false });
    expect(await nextDelivery(ws, '/p/idem')).toBe(1);
    expect(await nextDelivery(ws, '/p/idem')).toBe(2);
    ws.close();
  });
});

describe('PublishBatch', () => {
  it('publishes every message in order and answers a summary', async () => {
    const ws = await subscriber(stack.node, ['/p/batch-a', '/p/batch-b']);
    const summary = await stack.client.unary('PublishBatch', {
      messages: [
        { topic: '/p/batch-a', dataJson: '1' },
        { topic: '/p/batch-b', dataText: 'b' },
        { topic: '/p/batch-a', dataJson: '2' },
      ],
    });
    expect(summary).toMatchObject({ accepted: 3, rejected: 0 });
    expect(await nextDelivery(ws, '/p/batch-a')).toBe(1);
    expect(await nextDelivery(ws, '/p/batch-b')).toBe('b');
    expect(await nextDelivery(ws, '/p/batch-a')).toBe(2);
    ws.close();
  });
});

describe('duplicates in PublishBatch and PublishStream', () => {
  it('counts the publishes an idempotency key suppressed among the accepted', async () => {
    const ws = await subscriber(stack.node, ['/p/dup']);
    const messages = [
      { topic: '/p/dup', dataJson: '1', idempotencyKey: 'dup-a' },
      { topic: '/p/dup', dataJson: '1', idempotencyKey: 'dup-a' },
      { topic: '/p/dup', dataJson: '2', idempotencyKey: 'dup-b' },
    ];
    expect(await stack.client.unary('PublishBatch', { messages })).toMatchObject({ accepted: 3, rejected: 0, duplicates: 1 });
    const { stream, reply } = stack.client.clientStream('PublishStream');
    for (const message of messages) stream.write(message);
    stream.write({ topic: '/p/dup', dataJson: '3' });
    stream.end();
    expect(await reply).toMatchObject({ accepted: 4, rejected: 0, duplicates: 3 });
    expect(await nextDelivery(ws, '/p/dup')).toBe(1);
    expect(await nextDelivery(ws, '/p/dup')).toBe(2);
    expect(await nextDelivery(ws, '/p/dup')).toBe(3);
    ws.close();
  });
});

describe('PublishStream', () => {
  it('delivers 10,000 streamed messages to a WebSocket subscriber in order', async () => {
    const total = 10_000;
    const ws = await subscriber(stack.node, ['/p/stream']);
    const { stream, reply } = stack.client.clientStream('PublishStream');
    for (let i = 0; i < total; i += 1) {
      // Respect the client's own backpressure, as a real producer would.
      if (!stream.write({ topic: '/p/stream', dataJson: `{"i":${i}}` })) {
        await new Promise((resolve) => stream.once('drain', resolve));
      }
    }
    stream.end();
    const received: number[] = [];
    // Generous deadlines: the shared test machine may be far slower than a real one.
    for (let i = 0; i < total; i += 1) received.push(((await nextDelivery(ws, '/p/stream', 20_000)) as { i: number }).i);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(await reply).toMatchObject({ accepted: total, rejected: 0 });
    ws.close();
  }, 60_000);

  it('counts bad messages as rejected, reports the first, and publishes the rest', async () => {
    const ws = await subscriber(stack.node, ['/p/mixed']);
    const { stream, reply } = stack.client.clientStream('PublishStream');
    stream.write({ topic: '/p/mixed', dataJson: '1' });
    stream.write({ topic: '/p/mixed', dataJson: '{oops' });
    stream.write({ topic: 'has space', dataJson: '3' });
    stream.write({ topic: '/p/mixed', dataJson: '4' });
    stream.end();
    expect(await reply).toEqual({
      accepted: 2,
      rejected: 2,
      duplicates: 0,
      firstError: { index: 1, code: 'invalid_json', message: expect.stringContaining('data_json is not valid JSON') },
    });
    expect(await nextDelivery(ws, '/p/mixed')).toBe(1);
    expect(await nextDelivery(ws, '/p/mixed')).toBe(4);
    ws.close();
  });

  it('answers an empty stream with an empty summary', async () => {
    const { stream, reply } = stack.client.clientStream('PublishStream');
    stream.end();
    expect(await reply).toMatchObject({ accepted: 0, rejected: 0 });
  });
});

describe('wire compatibility of the duplicate fields', () => {
  it('a client generated from the v0.1 proto (empty PublishReply, no duplicates) still publishes and reads summaries', async () => {
    const current = readFileSync(new URL('../proto/firetower.proto', import.meta.url), 'utf8');
    const v01 = current.replace(/message PublishReply \{[^}]*\}/, 'message PublishReply {}').replace(/\n[^\n]*\n[^\n]*\n\s*uint32 duplicates = 4;/, '');
    expect(v01).not.toMatch(/bool duplicate|uint32 duplicates/);
    const dir = mkdtempSync(join(tmpdir(), 'firetower-proto-'));
    writeFileSync(join(dir, 'firetower.proto'), v01);
    const definition = protoLoader.loadSync('firetower.proto', { includeDirs: [dir], defaults: true, oneofs: true });
    const Firetower = (grpc.loadPackageDefinition(definition).firetower as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const Client = Firetower.Firetower as grpc.ServiceClientConstructor;
    const old = new Client(stack.grpc.address, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    const call = (method: string, request: object): Promise<unknown> =>
      new Promise((resolve, reject) => {
        (old[method] as (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, v: unknown) => void) => void).call(
          old,
          request,
          metadata,
          (error, value) => (error ? reject(error) : resolve(value)),
        );
      });
    const ws = await subscriber(stack.node, ['/p/v01']);
    expect(await call('Publish', { topic: '/p/v01', dataJson: '1', idempotencyKey: 'v01' })).toEqual({});
    expect(await call('Publish', { topic: '/p/v01', dataJson: '1', idempotencyKey: 'v01' })).toEqual({});
    expect(await call('PublishBatch', { messages: [{ topic: '/p/v01', dataJson: '2', idempotencyKey: 'v01' }] })).toEqual({
      accepted: 1,
      rejected: 0,
      firstError: null,
    });
    expect(await nextDelivery(ws, '/p/v01')).toBe(1);
    old.close();
    ws.close();
  });
});
