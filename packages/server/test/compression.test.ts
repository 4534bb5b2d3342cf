import { constants, inflateRawSync } from 'node:zlib';
import WebSocket, { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '@firetower/protocol';
import { waitFor } from '@firetower/server/testing';
import { releaseInflater } from '../src/transport/message-inflater.js';
import { SharedFrame } from '../src/transport/writer.js';
import { useServers } from './helpers.js';

const { start } = useServers();

/** A chat-like JSON payload of about 1 KB: compressible as real feeds are. */
function chatMessage(n: number): Record<string, unknown> {
  return {
    n,
    room: '/chat/world',
    messages: Array.from({ length: 8 }, (_, i) => ({
      from: `user-${i}`,
      text: `hello number ${n} from user ${i}, how is everyone today?`,
      at: 1_700_000_000_000 + i,
    })),
  };
}

interface RawClient {
  ws: WebSocket;
  frames: Array<{ topic: string; data: unknown }>;
  /** The server's Sec-WebSocket-Extensions answer. */
  negotiated: string;
  /** Bytes the client's socket has read so far (what crossed the wire). */
  bytesRead(): number;
}

async function rawClient(url: string, deflate: boolean): Promise<RawClient> {
  const ws = new WebSocket(url, { perMessageDeflate: deflate });
  let negotiated = '';
  ws.once('upgrade', (response) => (negotiated = String(response.headers['sec-websocket-extensions'] ?? '')));
  const frames: RawClient['frames'] = [];
  ws.on('message', (data) => {
    const text = data.toString();
    if (text === 'heartbeat') return;
    const frame = JSON.parse(text) as { type: string; topic: string; data: unknown };
    if (frame.type === 'publish') frames.push({ topic: frame.topic, data: frame.data });
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const acked = new Promise<void>((resolve) => ws.on('message', (data) => data.toString().startsWith('{"type":"ack"') && resolve()));
  ws.send(JSON.stringify({ type: 'subscribe', topic: '/chat/world', id: 's' }));
  await acked;
  return { ws, frames, negotiated, bytesRead: () => (ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead };
}

describe('shared permessage-deflate (compression: true)', () => {
  it('sends compressed deliveries to clients that negotiated it and plain ones to the others, all intact and in order', async () => {
    const server = await start({ compression: true });
    const deflating = await rawClient(server.wsUrl, true);
    const plain = await rawClient(server.wsUrl, false);
    expect(deflating.negotiated).toMatch(/^permessage-deflate;.*server_no_context_takeover/);
    expect(plain.negotiated).toBe('');
    const before = { deflating: deflating.bytesRead(), plain: plain.bytesRead() };
    const sent: unknown[] = [];
    for (let n = 0; n < 50; n++) {
      // Small ones (under the threshold) mixed in: they go plain, in their place in the order.
      const data = n % 5 === 0 ? { n, short: true } : chatMessage(n);
      sent.push(data);
      await server.ft.publish('/chat/world', data);
    }
    await waitFor(() => deflating.frames.length === 50 && plain.frames.length === 50, 5_000, 'every delivery arrived');
    expect(deflating.frames.map((f) => f.data)).toEqual(sent);
    expect(plain.frames.map((f) => f.data)).toEqual(sent);
    const wire = { deflating: deflating.bytesRead() - before.deflating, plain: plain.bytesRead() - before.plain };
    // JSON chat compresses several times over; a loose bound keeps the test about correctness.
    expect(wire.deflating * 3).toBeLessThan(wire.plain);
    deflating.ws.terminate();
    plain.ws.terminate();
  });

  it('sends plain frames to a client that limited the server window (server_max_window_bits < 15)', async () => {
    const server = await start({ compression: true });
    const ws = new WebSocket(server.wsUrl, { perMessageDeflate: { serverMaxWindowBits: 10 } });
    let negotiated = '';
    ws.once('upgrade', (response) => (negotiated = String(response.headers['sec-websocket-extensions'] ?? '')));
    const got: unknown[] = [];
    ws.on('message', (data) => got.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    expect(negotiated).toContain('server_max_window_bits=10');
    ws.send(JSON.stringify({ type: 'subscribe', topic: '/chat/world', id: 's' }));
    await waitFor(() => got.length === 1, 5_000, 'ack');
    const before = (ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;
    await server.ft.publish('/chat/world', chatMessage(7));
    await waitFor(() => got.length === 2, 5_000, 'delivery');
    expect(got[1]).toMatchObject({ type: 'publish', data: chatMessage(7) });
    // Plain: at least the JSON's own size crossed the wire.
    expect((ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead - before).toBeGreaterThan(JSON.stringify(chatMessage(7)).length);
    ws.terminate();
  });

  it('asks clients for client_no_context_takeover, decodes every compressed client frame, and keeps no inflater between them', async () => {
    const server = await start({ compression: true });
    const publisher = await rawClient(server.wsUrl, true);
    const subscriber = await rawClient(server.wsUrl, false);
    expect(publisher.negotiated).toContain('client_no_context_takeover');
    const sent = Array.from({ length: 30 }, (_, n) => chatMessage(n));
    // Each frame repeats most of the one before: with context takeover the client would refer back to it.
    for (const data of sent) publisher.ws.send(JSON.stringify({ type: 'publish', topic: '/chat/world', data }), { compress: true });
    await waitFor(() => subscriber.frames.length === sent.length, 5_000, 'every publish delivered');
    expect(subscriber.frames.map((f) => f.data)).toEqual(sent);
    publisher.ws.terminate();
    subscriber.ws.terminate();
  });

  it('negotiates nothing when compression is off (the default)', async () => {
    const server = await start();
    const client = await rawClient(server.wsUrl, true);
    expect(client.negotiated).toBe('');
    await server.ft.publish('/chat/world', chatMessage(1));
    await waitFor(() => client.frames.length === 1, 5_000, 'delivery');
    client.ws.terminate();
  });

  it('closes a compressed client frame that would inflate past maxFrameBytes with 1009 (zip bomb)', async () => {
    const server = await start({ compression: true });
    const client = await rawClient(server.wsUrl, true);
    const bystander = await rawClient(server.wsUrl, true);
    // 4 MiB of one character compresses to about 4 KB: far past the 64 KiB frame limit once inflated.
    const bomb = JSON.stringify({ type: 'publish', topic: '/chat/world', data: 'a'.repeat(4 * 1024 * 1024) });
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    client.ws.send(bomb, { compress: true });
    expect(await closed).toBe(CloseCode.MessageTooBig);
    // The node carries on.
    await server.ft.publish('/chat/world', chatMessage(2));
    await waitFor(() => bystander.frames.length === 1, 5_000, 'bystander delivery');
    expect(server.ft.stats().errorsTotal).toBe(0);
    bystander.ws.terminate();
  });

  it("releaseInflater frees ws's inflater between messages, and later compressed messages still decode", async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { clientNoContextTakeover: true, serverNoContextTakeover: true } });
    await new Promise((resolve) => wss.once('listening', resolve));
    const received: string[] = [];
    const held: boolean[] = [];
    wss.on('connection', (ws) =>
      ws.on('message', (data) => {
        received.push(data.toString());
        releaseInflater(ws);
        // ws internals, read only here: the one module that touches them is under test.
        held.push((ws as unknown as { _extensions: Record<string, { _inflate: unknown }> })._extensions['permessage-deflate']!._inflate !== null);
      }),
    );
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { perMessageDeflate: true });
    await new Promise((resolve) => client.once('open', resolve));
    const messages = Array.from({ length: 5 }, (_, n) => JSON.stringify(chatMessage(n)));
    for (const message of messages) client.send(message, { compress: true });
    await waitFor(() => received.length === messages.length, 5_000, 'messages');
    expect(received).toEqual(messages);
    expect(held).toEqual(messages.map(() => false));
    client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  it('compresses a shared frame once, as one RFC 7692 message (RSV1, no sync-flush tail)', () => {
    const payload = Buffer.from(JSON.stringify({ type: 'publish', topic: '/t', data: chatMessage(3) }));
    const frame = new SharedFrame(payload);
    const wire = frame.deflatedWire(256);
    expect(frame.deflatedWire(256)).toBe(wire);
    expect(wire[0]).toBe(0xc1);
    const length = wire[1]! < 126 ? wire[1]! : wire.readUInt16BE(2);
    const body = wire.subarray(wire.length - length);
    const inflated = inflateRawSync(Buffer.concat([body, Buffer.from([0x00, 0x00, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH });
    expect(inflated.equals(payload)).toBe(true);
    // Under the threshold: the plain frame itself.
    const small = new SharedFrame(Buffer.from('{"type":"publish","topic":"/t","data":1}'));
    expect(small.deflatedWire(256)).toBe(small.wire);
  });
});
