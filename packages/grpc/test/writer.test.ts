import { Writable } from 'node:stream';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { LatestValueWriter } from '../src/watch.js';

/** A real object-mode Writable that completes writes only when told: a reader that stalls. */
function stalledStream(highWaterMark: number) {
  const written: number[] = [];
  const pending: Array<() => void> = [];
  const stream = new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk: number, _encoding, callback) {
      written.push(chunk);
      pending.push(() => callback());
    },
  });
  return {
    stream: Object.assign(stream, { cancelled: false }) as unknown as ServerWritableStream<unknown, number>,
    written,
    buffered: () => stream.writableLength,
    releaseAll: () => {
      while (pending.length > 0) pending.shift()!();
    },
  };
}

describe('LatestValueWriter (the bound on a slow WatchTopic reader)', () => {
  it('keeps only the newest value while the stream is full, then writes it on drain', async () => {
    const target = stalledStream(2);
    const writer = new LatestValueWriter<number>(target.stream);
    for (let count = 1; count <= 10_000; count += 1) writer.offer(count);
    // 1 in the sink, 1 buffered up to the high-water mark; 9,998 offers collapsed into one pending.
    expect(target.buffered()).toBeLessThanOrEqual(2);
    const drained = new Promise((resolve) => target.stream.once('drain', resolve));
    target.releaseAll();
    await drained;
    target.releaseAll();
    await new Promise((resolve) => setImmediate(resolve));
    target.releaseAll();
    expect(target.written.at(-1)).toBe(10_000);
    expect(target.written.length).toBeLessThanOrEqual(3);
  });

  it('ignores offers after end()', () => {
    const target = stalledStream(4);
    const writer = new LatestValueWriter<number>(target.stream);
    writer.offer(1);
    writer.end();
    writer.offer(2);
    expect(target.written).toEqual([1]);
  });
});
