import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { encodeTextFrame } from '../src/transport/writer.js';
import { useServers } from './helpers.js';

const { start, join } = useServers();

describe('pre-encoded fan-out frames', () => {
  it.each([
    [0, 2],
    [125, 2],
    [126, 4],
    [65_535, 4],
    [65_536, 10],
  ])('frames a %i-byte payload with a %i-byte header', (size, header) => {
    const frame = encodeTextFrame(Buffer.alloc(size, 0x61));
    expect(frame.length).toBe(size + header);
    expect(frame[0]).toBe(0x81);
    const declared = header === 2 ? frame[1] : header === 4 ? frame.readUInt16BE(2) : frame.readUInt32BE(6);
    expect(declared).toBe(size);
  });

  it('every length class reaches real ws clients intact, interleaved with replies', async () => {
    const server = await start();
    const a = await join(server);
    const b = await join(server);
    for (const client of [a, b]) expect(await client.request({ type: 'subscribe', topic: '/big' })).toMatchObject({ type: 'ack' });
    const texts = [0, 100, 125, 126, 300, 65_000, 70_000].map((n) => 'é'.repeat(n));
    for (const text of texts) {
      await server.ft.publish('/big', text);
      // An ack (a plain ws.send) between two pre-encoded frames must not corrupt the stream.
      expect(await a.request({ type: 'publish', topic: '/other', data: 1 })).toMatchObject({ type: 'ack' });
    }
    for (const client of [a, b]) {
      await waitFor(() => client.received.filter((f) => f.topic === '/big').length === texts.length, 10_000, 'all frames');
      expect(client.received.filter((f) => f.topic === '/big').map((f) => f.data)).toEqual(texts);
    }
  });
});
