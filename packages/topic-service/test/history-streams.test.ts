/**
 * The service's history streams on a chosen clock (no HTTP, no waiting): trims, expiry, eviction
 * order and the byte accounting that `maxHistoryBytes` relies on.
 */
import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES, HistoryStreams, STREAM_OVERHEAD_BYTES } from '../src/service/streams.js';

const policy = { size: 5, ttlMs: 100, metaTtlMs: 1000 };
const limits = { maxStreams: 1000, maxBytes: Number.MAX_SAFE_INTEGER, maxReadBytes: Number.MAX_SAFE_INTEGER };

function numbered() {
  let n = 0;
  return () => `epoch-${++n}`;
}

describe('history streams', () => {
  it('numbers from 1 per topic, keeps the newest `size`, and reads by offset', () => {
    const streams = new HistoryStreams(limits, numbered());
    for (let i = 1; i <= 7; i++) expect(streams.append('t', String(i), policy, 0)).toEqual({ offset: i, epoch: 'epoch-1' });
    expect(streams.append('u', 'x', policy, 0)).toEqual({ offset: 1, epoch: 'epoch-2' });
    expect(streams.read('t', 0, 10, undefined, 0).publications.map((p) => p.offset)).toEqual([3, 4, 5, 6, 7]);
    expect(streams.read('t', 5, 10, undefined, 0).publications.map((p) => p.data)).toEqual(['6', '7']);
    expect(streams.read('t', 0, 2, undefined, 0).publications.map((p) => p.offset)).toEqual([6, 7]);
    expect(streams.read('t', 0, 10, { ...policy, size: 1 }, 0).publications.map((p) => p.offset)).toEqual([7]);
    expect(streams.read('t', 0, 0, undefined, 0)).toEqual({ publications: [], offset: 7, epoch: 'epoch-1' });
    expect(streams.read('t', Number.MAX_SAFE_INTEGER, 10, undefined, 0).publications).toEqual([]);
  });

  it('drops publications after ttlMs and the stream metaTtlMs after its last publish; a read never creates one', () => {
    const streams = new HistoryStreams(limits, numbered());
    streams.append('t', '1', policy, 0);
    streams.append('t', '2', policy, 60);
    expect(streams.read('t', 0, 10, undefined, 100).publications.map((p) => p.data)).toEqual(['1', '2']);
    expect(streams.read('t', 0, 10, undefined, 101).publications.map((p) => p.data)).toEqual(['2']);
    expect(streams.read('t', 0, 10, { ...policy, ttlMs: 10 }, 101).publications).toEqual([]); // a read's own ttl narrows
    streams.sweep(161);
    expect(streams.stats()).toMatchObject({ streams: 1, publications: 0 });
    expect(streams.read('t', 0, 10, undefined, 1060)).toEqual({ publications: [], offset: 2, epoch: 'epoch-1' });
    expect(streams.read('t', 0, 10, undefined, 1061)).toEqual({ publications: [], offset: 0, epoch: '' });
    expect(streams.read('never', 0, 10, policy, 0)).toEqual({ publications: [], offset: 0, epoch: '' });
    expect(streams.stats()).toEqual({ streams: 0, publications: 0, bytes: 0, evicted: 0 });
    expect(streams.append('t', '3', policy, 2000)).toEqual({ offset: 1, epoch: 'epoch-2' });
  });

  it('accounts data plus overheads, returns to zero when everything expires, and evicts the least recently published stream', () => {
    const streams = new HistoryStreams({ ...limits, maxStreams: 2 }, numbered());
    streams.append('a', 'xx', policy, 0);
    streams.append('b', 'yyy', policy, 0);
    expect(streams.stats().bytes).toBe(2 * STREAM_OVERHEAD_BYTES + 5 + 2 * ENTRY_OVERHEAD_BYTES);
    streams.append('a', 'z', policy, 1); // a is now the most recently published
    streams.append('c', 'w', policy, 2);
    expect(streams.read('b', 0, 10, undefined, 2).offset).toBe(0);
    expect(streams.read('a', 0, 10, undefined, 2).offset).toBe(2);
    expect(streams.stats()).toMatchObject({ streams: 2, publications: 3, evicted: 1 });
    streams.sweep(5000);
    expect(streams.stats()).toEqual({ streams: 0, publications: 0, bytes: 0, evicted: 1 });
  });

  it('under maxBytes, other streams go first, then the oldest publications of the one published to', () => {
    const cost = 100 + ENTRY_OVERHEAD_BYTES;
    const streams = new HistoryStreams({ ...limits, maxBytes: STREAM_OVERHEAD_BYTES + 3 * cost }, numbered());
    const data = 'x'.repeat(100);
    streams.append('old', data, policy, 0);
    for (let i = 0; i < 3; i++) streams.append('big', data, policy, 1);
    expect(streams.stats()).toMatchObject({ streams: 1, publications: 3, evicted: 1 });
    streams.append('big', data, policy, 2);
    expect(streams.read('big', 0, 10, undefined, 2).publications.map((p) => p.offset)).toEqual([2, 3, 4]);
    expect(streams.stats().bytes).toBe(STREAM_OVERHEAD_BYTES + 3 * cost);
  });

  it('caps a read at maxReadBytes, keeping the newest without a gap (at least one)', () => {
    const streams = new HistoryStreams({ ...limits, maxReadBytes: 25 }, numbered());
    for (let i = 1; i <= 5; i++) streams.append('t', 'x'.repeat(10), policy, 0);
    const answer = streams.read('t', 0, 10, undefined, 0);
    expect(answer.publications.map((p) => p.offset)).toEqual([4, 5]);
    expect(answer.truncated).toBe(true);
    streams.append('huge', 'x'.repeat(100), policy, 0);
    expect(streams.read('huge', 0, 10, undefined, 0).publications).toHaveLength(1);
  });
});
