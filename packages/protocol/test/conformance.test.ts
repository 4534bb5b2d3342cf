import { describe, expect, it } from 'vitest';
import {
  checkTopic,
  CloseCode,
  decodeClientFrame,
  encodeAck,
  encodeError,
  ErrorCode,
  formatRetryAfter,
  isErrorCode,
  isTerminalCloseCode,
  parseRetryAfter,
} from '@firetower/protocol';

/** The protocol spec of README.md, frame by frame. */
describe('protocol conformance', () => {
  it('accepts both unsubscribe spellings and the topics alias', () => {
    expect(decodeClientFrame('{"type":"unsubscribe","topic":"/a"}')).toEqual({ ok: true, frame: { type: 'unsubscribe', topics: ['/a'] } });
    expect(decodeClientFrame('{"type":"subscribe","topics":["/a"]}')).toEqual({ ok: true, frame: { type: 'subscribe', topics: ['/a'] } });
  });

  it('drops duplicate comma-separated topics and never rewrites one (a space around a comma is refused)', () => {
    expect(decodeClientFrame('{"type":"subscribe","topic":"/a,/b,/a"}')).toEqual({ ok: true, frame: { type: 'subscribe', topics: ['/a', '/b'] } });
    expect(decodeClientFrame('{"type":"subscribe","topic":"/a, /b"}')).toMatchObject({ ok: false, error: { code: 'invalid_topic', topic: ' /b' } });
  });

  it('treats a missing publish data as null and keeps excludeSelf only when true', () => {
    expect(decodeClientFrame('{"type":"publish","topic":"/a","excludeSelf":false}')).toEqual({ ok: true, frame: { type: 'publish', topic: '/a', data: null } });
    expect(decodeClientFrame('{"type":"publish","topic":"/a","data":0,"id":"x","excludeSelf":true}')).toEqual({
      ok: true,
      frame: { type: 'publish', topic: '/a', data: 0, id: 'x', excludeSelf: true },
    });
  });

  it('keeps a publish retry flag only when true', () => {
    expect(decodeClientFrame('{"type":"publish","topic":"/a","id":"x","retry":true}')).toEqual({
      ok: true,
      frame: { type: 'publish', topic: '/a', data: null, id: 'x', retry: true },
    });
    expect(decodeClientFrame('{"type":"publish","topic":"/a","retry":false}')).toEqual({ ok: true, frame: { type: 'publish', topic: '/a', data: null } });
  });

  it('echoes the id in error frames and bounds the id length', () => {
    const bad = decodeClientFrame('{"type":"publish","topic":"a b","id":"7"}');
    expect(bad).toEqual({ ok: false, error: { type: 'error', code: ErrorCode.InvalidTopic, message: expect.any(String), id: '7', topic: 'a b' } });
    expect(decodeClientFrame(JSON.stringify({ type: 'subscribe', topic: '/a', id: 'x'.repeat(129) })).ok).toBe(false);
    expect(decodeClientFrame('{"type":"subscribe","topic":"/a","id":""}').ok).toBe(false);
  });

  it('rejects a comma inside an array topic and non-ASCII topics', () => {
    expect(decodeClientFrame('{"type":"subscribe","topic":["/a,b"]}').ok).toBe(false);
    expect(checkTopic('/café')).toMatchObject({ ok: false });
    expect(checkTopic('/a/b-c_d.e:f@g')).toEqual({ ok: true });
  });

  it('encodes acks and errors as the spec shows', () => {
    expect(JSON.parse(encodeAck('1', { topics: ['/a'], refused: [] }))).toEqual({ type: 'ack', id: '1', topics: ['/a'], refused: [] });
    expect(JSON.parse(encodeAck('2', { duplicate: true }))).toEqual({ type: 'ack', id: '2', duplicate: true });
    expect(JSON.parse(encodeError({ type: 'error', code: ErrorCode.Refused, message: 'no', topic: '/x' }))).toEqual({
      type: 'error',
      code: 'refused',
      message: 'no',
      topic: '/x',
    });
  });

  it('encodes the retry policy in close code ranges', () => {
    expect(isTerminalCloseCode(CloseCode.ServerShutdown)).toBe(false);
    expect(isTerminalCloseCode(CloseCode.SlowConsumer)).toBe(false);
    expect(isTerminalCloseCode(CloseCode.Unauthorized)).toBe(true);
    expect(isTerminalCloseCode(CloseCode.Kicked)).toBe(true);
    expect(isTerminalCloseCode(CloseCode.PolicyViolation)).toBe(true);
    expect(parseRetryAfter(formatRetryAfter(1234.4))).toBe(1234);
    expect(parseRetryAfter('retry-after=abc')).toBeUndefined();
    expect(isErrorCode('rate_limited')).toBe(true);
    expect(isErrorCode('constructor')).toBe(false);
  });
});
