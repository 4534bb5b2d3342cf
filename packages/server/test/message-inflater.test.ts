import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '@firetower/protocol';
import { waitFor } from '@firetower/server/testing';
import { fuzzParameters } from '../../protocol/test/hostile-frames.js';
import { shareInflation } from '../src/transport/message-inflater.js';

const MAX_PAYLOAD = 64 * 1024;

interface Received {
  text: string;
  /** Whether ws held an inflater of the connection's own when the message was handed over. */
  ownInflater: boolean;
}

/** Counts the inflaters ws makes for a connection of its own (it assigns each to `_inflate`). */
function countOwnInflaters(extension: { _inflate: unknown }, made: { count: number }): void {
  let current = extension._inflate;
  Object.defineProperty(extension, '_inflate', {
    get: () => current,
    set: (value: unknown) => {
      if (value !== null) made.count++;
      current = value;
    },
  });
}

/** A ws server negotiating deflate as Firetower does, with shared inflation on every connection. */
async function server(): Promise<{ url: string; received: Received[]; shared: boolean[]; ownInflaters: { count: number }; close(): Promise<void> }> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: { clientNoContextTakeover: true, serverNoContextTakeover: true, threshold: Number.MAX_SAFE_INTEGER },
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  const received: Received[] = [];
  const shared: boolean[] = [];
  const ownInflaters = { count: 0 };
  wss.on('connection', (ws) => {
    shared.push(shareInflation(ws));
    countOwnInflaters((ws as unknown as { _extensions: Record<string, { _inflate: unknown }> })._extensions['permessage-deflate']!, ownInflaters);
    // ws reports a refused frame (1007, 1009) as an 'error' on the socket before it closes.
    ws.on('error', () => {});
    ws.on('message', (data) => {
      // ws internals, read only here: the module under test is the one that touches them.
      const extension = (ws as unknown as { _extensions: Record<string, { _inflate: unknown }> })._extensions['permessage-deflate']!;
      received.push({ text: data.toString(), ownInflater: extension._inflate !== null });
    });
  });
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  return {
    url,
    received,
    shared,
    ownInflaters,
    close: () => {
      for (const socket of wss.clients) socket.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A client that compresses every frame it is asked to, as browsers do. */
async function client(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

const closes = (ws: WebSocket): Promise<number> => new Promise((resolve) => ws.once('close', (code) => resolve(code)));

/** A masked client text frame with RSV1 set (compressed), written past ws's sender. */
function compressedFrame(payload: Buffer): Buffer {
  if (payload.length >= 126) throw new Error('short frames only');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0xc1, 0x80 | payload.length]), mask, masked]);
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('shared inflation (message-inflater.ts)', () => {
  it('decodes any sequence of messages, whole, fragmented or plain, and keeps no inflater of the connection’s own', async () => {
    const srv = await server();
    open.push(srv);
    const ws = await client(srv.url);
    expect(srv.shared).toEqual([true]);
    const message = fc.record({
      text: fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.string({ maxLength: 20 }).map((s) => s.repeat(1 + (s.length % 50) * 40)),
      ),
      how: fc.constantFrom('whole', 'plain', 'fragments'),
      pieces: fc.integer({ min: 2, max: 4 }),
    });
    let sent = 0;
    let fragmented = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 8 }), async (messages) => {
        for (const { text, how, pieces } of messages) {
          if (how !== 'fragments') ws.send(text, { compress: how === 'whole' });
          else {
            const bytes = Buffer.from(text);
            const size = Math.ceil(bytes.length / pieces) || 1;
            if (bytes.length > size) fragmented++;
            for (let at = 0; at < Math.max(bytes.length, 1); at += size) {
              ws.send(bytes.subarray(at, at + size), { binary: false, compress: true, fin: at + size >= bytes.length });
            }
          }
        }
        sent += messages.length;
        await waitFor(() => srv.received.length === sent, 5_000, 'every message');
        expect(srv.received.slice(-messages.length).map((r) => r.text)).toEqual(messages.map((m) => m.text));
      }),
      fuzzParameters(40),
    );
    // Whole messages went through the shared stream; a fragmented one through an inflater ws made
    // for it, closed once the message was complete.
    expect(srv.ownInflaters.count).toBe(fragmented);
    expect(srv.received.filter((r) => r.ownInflater)).toEqual([]);
    ws.terminate();
  });

  it('closes a compressed frame that would inflate past maxPayload with 1009, and the shared stream serves the next connection', async () => {
    const srv = await server();
    open.push(srv);
    const bomber = await client(srv.url);
    const code = closes(bomber);
    // 4 MiB of one character deflates to about 4 KB.
    bomber.send('a'.repeat(4 * 1024 * 1024), { compress: true });
    expect(await code).toBe(CloseCode.MessageTooBig);
    const next = await client(srv.url);
    next.send('still fine', { compress: true });
    await waitFor(() => srv.received.length === 1, 5_000, 'next message');
    expect(srv.received[0]).toEqual({ text: 'still fine', ownInflater: false });
    next.terminate();
  });

  it('closes a frame of invalid DEFLATE data with 1007, and the shared stream serves the next connection', async () => {
    const srv = await server();
    open.push(srv);
    const hostile = await client(srv.url);
    const code = closes(hostile);
    (hostile as unknown as { _socket: { write(b: Buffer): void } })._socket.write(compressedFrame(Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02])));
    expect(await code).toBe(1007);
    const next = await client(srv.url);
    next.send('after the garbage', { compress: true });
    await waitFor(() => srv.received.length === 1, 5_000, 'next message');
    expect(srv.received[0]!.text).toBe('after the garbage');
    next.terminate();
  });
});
