/**
 * fast-check arbitraries for what a hostile client can put in a text frame, shared by the codec's
 * property test and the live-server fuzzer. Structure-aware: most frames look like real ones
 * (a known `type`, a `topic`, `data`, `id`) with one or more fields made hostile, because purely
 * random text stops at JSON.parse and never reaches the code behind it.
 */
import fc from 'fast-check';

/** Keys that have bitten JavaScript parsers and mergers. */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'toJSON', 'then', 'hasOwnProperty', 'type', 'topic', 'data', 'id'];

/** Strings from every Unicode class: whitespace (tab, NBSP, BOM, U+2028), lone surrogates, controls. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\t/a', '/a\u00a0', '\ufeff/a', '/a\u2028', '/a,/b', ' /a, /b ', '\ud800', '/\u0000', 'a'.repeat(300), '/a b', 'heartbeat'),
);

const hostileKey = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 }));

/** Any JSON value, with hostile keys and strings, huge and odd numbers. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A value nested `depth` levels deep, as JSON text (arrays, objects or both). */
export const deepJsonText = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":', 'mix')).map(([depth, kind]) => {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const array = kind === '[' || (kind === 'mix' && i % 2 === 0);
    open += array ? '[' : '{"a":';
    close = (array ? ']' : '}') + close;
  }
  return open + '1' + close;
});

const field = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> => fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: hostileJson });

/** A frame object that mostly looks valid, as a JS value (serialise with JSON.stringify). */
export const hostileFrameObject = fc.record(
  {
    type: field(fc.constantFrom('subscribe', 'unSubscribe', 'unsubscribe', 'publish', 'refresh', 'presence', 'kick', 'ack')),
    topic: field(fc.oneof(fc.constantFrom('/fuzz/a', '/fuzz/b', '/fuzz/a,/fuzz/b'), nastyString, fc.array(nastyString, { maxLength: 5 }))),
    topics: hostileJson,
    data: hostileJson,
    id: field(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), nastyString)),
    excludeSelf: field(fc.boolean()),
    retry: field(fc.boolean()),
    // History: a position, a catch-up, or junk, per topic (mostly the fuzz topics).
    since: field(
      fc.dictionary(
        fc.oneof(fc.constantFrom('/fuzz/a', '/fuzz/b'), nastyString),
        fc.oneof(
          fc.record({ offset: field(fc.oneof(fc.nat(), fc.integer(), fc.double())), epoch: field(fc.oneof(fc.constant(''), nastyString)) }),
          fc.record({ limit: field(fc.oneof(fc.integer({ min: -5, max: 20_000 }), fc.double())) }),
          hostileJson,
        ),
        { maxKeys: 3 },
      ),
    ),
    presence: field(fc.boolean()),
    credentials: field(fc.dictionary(nastyString, fc.oneof(nastyString, hostileJson), { maxKeys: 20 })),
  },
  { requiredKeys: [] },
);

/** The text of one hostile frame: mostly structured, some deep, some raw garbage. */
export const hostileFrameText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileFrameObject.map((frame) => JSON.stringify(frame)) },
  { weight: 1, arbitrary: hostileJson.map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 1, arbitrary: deepJsonText.map((deep) => `{"type":"publish","topic":"/fuzz/a","data":${deep}}`) },
  { weight: 1, arbitrary: deepJsonText.map((deep) => `{"type":${deep}}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"type":{"toString":1}}',
      '{"type":{"valueOf":{},"toString":{}}}',
      '{"type":"publish","topic":"/fuzz/a","data":1e999}',
      '{"__proto__":{"type":"publish"}}',
    ),
  },
);

/** fast-check parameters: a fixed seed in CI (reproducible), a random one elsewhere; FUZZ_RUNS scales a run up. */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const runs = Number(process.env.FUZZ_RUNS) || defaultRuns;
  return process.env.CI ? { numRuns: runs, seed: 20261130 } : { numRuns: runs };
}
