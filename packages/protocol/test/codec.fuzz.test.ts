import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTopic, decodeClientFrame, DEFAULT_LIMITS, encodeError, ErrorCode, jsonDepthExceeds } from '@firetower/protocol';
import { deepJsonText, fuzzParameters, hostileFrameText, hostileJson } from './hostile-frames.js';

/** The codec's promise: whatever a client sends, an answer and never an exception. */
describe('decodeClientFrame under fuzzing', () => {
  it('never throws, and every answer is a valid frame or an encodable error frame', () => {
    fc.assert(
      fc.property(hostileFrameText, (text) => {
        const result = decodeClientFrame(text);
        if (!result.ok) {
          expect(typeof result.error.message).toBe('string');
          expect(result.error.message.length).toBeLessThan(400);
          JSON.parse(encodeError(result.error));
          return;
        }
        const { frame } = result;
        if (frame.type === 'publish') {
          expect(checkTopic(frame.topic)).toEqual({ ok: true });
          // Data that decoded can always be serialised again (no hidden depth or cycles).
          expect(typeof JSON.stringify(frame.data)).toBe('string');
        } else if (frame.type === 'presence') {
          expect(checkTopic(frame.topic)).toEqual({ ok: true });
        } else if (frame.type === 'refresh') {
          for (const value of Object.values(frame.credentials)) expect(typeof value).toBe('string');
        } else {
          for (const topic of frame.topics) expect(checkTopic(topic)).toEqual({ ok: true });
          // A since entry only for a subscribed topic, with a valid position or limit.
          if (frame.type === 'subscribe' && frame.since !== undefined) {
            for (const [topic, since] of Object.entries(frame.since)) {
              expect(frame.topics).toContain(topic);
              if ('limit' in since) expect(Number.isSafeInteger(since.limit) && since.limit >= 1).toBe(true);
              else expect(Number.isSafeInteger(since.offset) && since.offset >= 0 && typeof since.epoch === 'string').toBe(true);
            }
          }
        }
      }),
      fuzzParameters(3_000),
    );
  });

  it('refuses frames nested deeper than maxJsonDepth before parsing, and accepts exactly the limit', () => {
    fc.assert(
      fc.property(deepJsonText, (deep) => {
        const text = `{"type":"publish","topic":"/a","data":${deep}}`;
        const result = decodeClientFrame(text);
        const depth = openingRun(deep) + 1;
        if (depth > DEFAULT_LIMITS.maxJsonDepth) expect(result).toMatchObject({ ok: false, error: { code: ErrorCode.BadFrame } });
        else expect(result.ok).toBe(true);
      }),
      fuzzParameters(300),
    );
    const atLimit = '['.repeat(63) + ']'.repeat(63);
    expect(decodeClientFrame(`{"type":"publish","topic":"/a","data":${atLimit}}`).ok).toBe(true);
    expect(decodeClientFrame(`{"type":"publish","topic":"/a","data":[${atLimit}]}`)).toMatchObject({
      ok: false,
      error: { code: 'bad_frame', message: 'frame is nested deeper than 64 levels' },
    });
  });

  it('counts depth outside strings only', () => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const text = JSON.stringify(value) ?? 'null';
        expect(jsonDepthExceeds(text, 10_000)).toBe(false);
        expect(jsonDepthExceeds(text, jsonDepth(text))).toBe(false);
        if (jsonDepth(text) > 0) expect(jsonDepthExceeds(text, jsonDepth(text) - 1)).toBe(true);
      }),
      fuzzParameters(1_000),
    );
    expect(jsonDepthExceeds('["[[[[\\"[["]', 1)).toBe(false);
  });

  // The frames the attack run found: each threw out of the codec before the fix.
  it.each([
    ['an object type with a non-callable toString', '{"type":{"toString":1}}', ErrorCode.UnknownType],
    ['an array type nested 6,000 deep', `{"type":${'['.repeat(6000)}${']'.repeat(6000)}}`, ErrorCode.BadFrame],
    ['publish data nested 6,000 deep', `{"type":"publish","topic":"/a","data":${'['.repeat(6000)}${']'.repeat(6000)}}`, ErrorCode.BadFrame],
  ])('answers %s with an error frame', (_name, text, code) => {
    expect(decodeClientFrame(text)).toMatchObject({ ok: false, error: { code } });
  });

  it.each(['\t/a', '/a\u00a0', '\ufeff/a', '/a\u2028', ' /a', '/a, /b'])('refuses the topic %j on subscribe as on publish (never trimmed)', (topic) => {
    const subscribe = decodeClientFrame(JSON.stringify({ type: 'subscribe', topic }));
    const publish = decodeClientFrame(JSON.stringify({ type: 'publish', topic }));
    expect(subscribe).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidTopic } });
    if (!topic.includes(',')) expect(publish).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidTopic } });
  });
});

/** Reference depth of a small value: a straightforward walk (the test may recurse; the codec may not). */
function jsonDepth(text: string): number {
  const walk = (value: unknown): number => {
    if (typeof value !== 'object' || value === null) return 0;
    let max = 0;
    for (const child of Object.values(value)) max = Math.max(max, walk(child));
    return max + 1;
  };
  return walk(JSON.parse(text));
}

/** Depth of a generated deep value: the length of its opening run of `[` and `{"a":`. */
function openingRun(text: string): number {
  return (/^(\[|\{"a":)+/.exec(text)?.[0].match(/\[|\{/g) ?? []).length;
}
