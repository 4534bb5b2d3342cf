import { describe, expect, it } from 'vitest';
import { decodeClientFrame, encodeDelivery, ErrorCode, DEFAULT_LIMITS } from '@firetower/protocol';

describe('decodeClientFrame', () => {
  it('reads the original client frames exactly', () => {
    expect(decodeClientFrame('{"type":"subscribe","topic":"/chat/world,/chat/news","data":""}')).toEqual({
      ok: true,
      frame: { type: 'subscribe', topics: ['/chat/world', '/chat/news'] },
    });
    expect(decodeClientFrame('{"type":"unSubscribe","topic":"/chat/world","data":""}')).toEqual({
      ok: true,
      frame: { type: 'unsubscribe', topics: ['/chat/world'] },
    });
    expect(decodeClientFrame('{"type":"publish","topic":"/chat/world","data":{"from":"ann","text":"hi"}}')).toEqual({
      ok: true,
      frame: { type: 'publish', topic: '/chat/world', data: { from: 'ann', text: 'hi' } },
    });
  });

  it('accepts topics as a JSON array and an id', () => {
    expect(decodeClientFrame('{"type":"subscribe","topic":["/a","/b","/a"],"id":"7"}')).toEqual({
      ok: true,
      frame: { type: 'subscribe', topics: ['/a', '/b'], id: '7' },
    });
  });

  it.each([
    ['not json', ErrorCode.BadFrame],
    ['[1,2]', ErrorCode.BadFrame],
    ['null', ErrorCode.BadFrame],
    ['{"type":"kick","topic":"/a"}', ErrorCode.UnknownType],
    ['{"type":"subscribe"}', ErrorCode.InvalidTopic],
    ['{"type":"subscribe","topic":42}', ErrorCode.InvalidTopic],
    ['{"type":"subscribe","topic":[1]}', ErrorCode.InvalidTopic],
    ['{"type":"subscribe","topic":"a b"}', ErrorCode.InvalidTopic],
    ['{"type":"subscribe","topic":""}', ErrorCode.InvalidTopic],
    ['{"type":"publish","topic":"/a","id":5}', ErrorCode.InvalidField],
    ['{"type":"publish","topic":"/a","excludeSelf":"yes"}', ErrorCode.InvalidField],
    ['{"type":"publish","topic":"/a","retry":1}', ErrorCode.InvalidField],
  ])('rejects %s with %s', (text, code) => {
    const result = decodeClientFrame(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('rejects 10,000 topics in one frame before looking at them', () => {
    const topics = Array.from({ length: 10_000 }, (_, i) => `/t/${i}`);
    const result = decodeClientFrame(JSON.stringify({ type: 'subscribe', topic: topics }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(ErrorCode.TooManyTopics);
  });

  it('keeps hostile keys inert', () => {
    const result = decodeClientFrame('{"type":"subscribe","topic":["__proto__","constructor","hasOwnProperty"],"__proto__":{"polluted":1}}');
    expect(result).toEqual({ ok: true, frame: { type: 'subscribe', topics: ['__proto__', 'constructor', 'hasOwnProperty'] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits topic length', () => {
    const long = '/' + 'x'.repeat(DEFAULT_LIMITS.maxTopicLength);
    const result = decodeClientFrame(JSON.stringify({ type: 'publish', topic: long, data: 1 }));
    expect(result.ok).toBe(false);
  });
});

describe('encodeDelivery', () => {
  it('wraps JSON text without re-serialising it', () => {
    const text = encodeDelivery('/chat/"x"', '{"a":1}');
    expect(JSON.parse(text)).toEqual({ type: 'publish', topic: '/chat/"x"', data: { a: 1 } });
  });
});
