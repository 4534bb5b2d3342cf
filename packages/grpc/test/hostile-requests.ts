/** fast-check arbitraries for hostile gRPC requests: field values and raw protobuf bytes. */
import fc from 'fast-check';

/** Strings a careless handler would trip on: every Unicode class, whitespace, 10 KB, prototype keys. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^\/[a-z0-9/_-]{1,24}$/) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\t/x',
      '/a,/b',
      '/x\u00a0',
      '\ufeff/x',
      '/x\u2028',
      '\ud800',
      '__proto__',
      'constructor',
      'toString',
      `/${'y'.repeat(300)}`,
    ),
  },
  { weight: 1, arbitrary: fc.constant(`/${'x'.repeat(10 * 1024)}`) },
);

/** Topics: mostly valid (to reach the deeper paths), often not. */
export const topic: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^\/[a-z0-9/_-]{1,24}$/) },
  { weight: 2, arbitrary: hostileString },
);

const nested = fc
  .tuple(fc.integer({ min: 1, max: 60_000 }), fc.constantFrom<[string, string, string]>(['[', '', ']'], ['{"a":', '0', '}'], ['[{"b":', 'null', '}]']))
  .map(([depth, [open, inner, close]]) => `${open.repeat(depth)}${inner}${close.repeat(depth)}`);

/** data_json text: valid JSON of every shape, deep nesting, huge numbers, not JSON at all. */
export const dataJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.json({ maxDepth: 6 }) },
  { weight: 2, arbitrary: nested },
  { weight: 1, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '1e999',
      '-0',
      '9'.repeat(400),
      '"\\ud800"',
      '{"__proto__":{"x":1}}',
      '{"toString":1,"valueOf":{}}',
      '{"a":1,"a":2}',
      '[',
      '\u0000',
    ),
  },
);

const data: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  dataJson.map((value) => ({ dataJson: value })),
  hostileString.map((value) => ({ dataText: value })),
  fc.uint8Array({ maxLength: 2048 }).map((value) => ({ dataBytes: Buffer.from(value) })),
  fc.constant({}),
);

export const publishRequest: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(topic, data, fc.option(hostileString, { nil: undefined }), fc.option(hostileString, { nil: undefined }))
  .map(([t, d, excludeClientId, idempotencyKey]) => ({
    topic: t,
    ...d,
    ...(excludeClientId === undefined ? {} : { excludeClientId }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  }));

const pageToken = fc.oneof(
  hostileString,
  fc.json().map((json) => Buffer.from(json).toString('base64url')),
);

/** A uint64: small, around 2^53, or anything up to 2^64 - 1 (as a decimal string, which the encoder takes). */
const uint64 = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.constantFrom(2 ** 53 - 1, 2 ** 53, '9007199254740993', '18446744073709551615'),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
);

/** History: limits across the whole uint32 range, positions with and without an epoch. */
const historyRequest = fc.record(
  {
    topic,
    limit: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(10_000, 10_001), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    sinceOffset: uint64,
    sinceEpoch: hostileString,
  },
  { requiredKeys: ['topic'] },
);

/** A send target: hostile strings, 10 KB and 257-character ids, and the user and client the fuzz node has connected. */
const target = fc.oneof(hostileString, fc.constantFrom('fuzz-user', 'fuzz-client', 'u'.repeat(257), 'u'.repeat(10 * 1024)));

/** SendToUser / SendTo: every topic and data_json shape, unset fields included. */
const sendFields = { topic, dataJson };

/** One unary call: a method and a request built by the proto's own encoder. */
export const unaryCall: fc.Arbitrary<{ method: string; request: Record<string, unknown> }> = fc.oneof(
  publishRequest.map((request) => ({ method: 'Publish', request })),
  fc.array(publishRequest, { maxLength: 6 }).map((messages) => ({ method: 'PublishBatch', request: { messages } })),
  fc.record({ userId: hostileString, reason: hostileString }).map((request) => ({ method: 'KickUser', request })),
  fc.record({ userId: hostileString, topic }).map((request) => ({ method: 'UnsubscribeUser', request })),
  topic.map((t) => ({ method: 'RemoveTopic', request: { topic: t } })),
  topic.map((t) => ({ method: 'GetTopic', request: { topic: t } })),
  fc.record({ pageSize: fc.integer({ min: 0, max: 2 ** 32 - 1 }), pageToken, prefix: hostileString }).map((request) => ({ method: 'ListTopics', request })),
  fc.constant({ method: 'Stats', request: {} }),
  historyRequest.map((request) => ({ method: 'History', request })),
  topic.map((t) => ({ method: 'GetPresence', request: { topic: t } })),
  fc.record({ userId: target, ...sendFields }, { requiredKeys: [] }).map((request) => ({ method: 'SendToUser', request })),
  fc.record({ clientId: target, ...sendFields }, { requiredKeys: [] }).map((request) => ({ method: 'SendTo', request })),
);

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

/**
 * Protobuf-shaped bytes with wrong wire types, wrong lengths and invalid UTF-8 in string fields:
 * what a client that does not use the proto can send.
 */
const protobufLike: fc.Arbitrary<Buffer> = fc
  .array(
    fc.record({
      field: fc.integer({ min: 1, max: 16 }),
      wireType: fc.integer({ min: 0, max: 7 }),
      payload: fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.constant(Uint8Array.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]))),
      lengthSkew: fc.integer({ min: -3, max: 3 }),
    }),
    { maxLength: 6 },
  )
  .map((fields) =>
    Buffer.from(
      fields.flatMap(({ field, wireType, payload, lengthSkew }) => [
        ...varint((field << 3) | wireType),
        ...(wireType === 2 ? varint(Math.max(0, payload.length + lengthSkew)) : []),
        ...payload,
      ]),
    ),
  );

/** A raw call: any Firetower method, bytes no proto encoder would produce. */
export const rawCall: fc.Arbitrary<{ method: string; bytes: Buffer }> = fc.record({
  method: fc.constantFrom(
    'Publish',
    'PublishBatch',
    'KickUser',
    'UnsubscribeUser',
    'RemoveTopic',
    'GetTopic',
    'ListTopics',
    'Stats',
    'History',
    'GetPresence',
    'SendToUser',
    'SendTo',
  ),
  bytes: fc.oneof(
    protobufLike,
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  ),
});

/**
 * fast-check parameters: a fixed seed in CI (reproducible), a random one elsewhere, always known
 * so it can be printed; FUZZ_RUNS scales a run up, FUZZ_SEED replays one. A failing property whose
 * calls hang would spend a deadline per shrinking step: the check is cut off 10 s before the
 * test's own timeout (`testTimeoutMs`, which grows with the runs) and counted as a failure, so the
 * seed is still printed.
 */
export function fuzzParameters(defaultRuns: number): {
  numRuns: number;
  seed: number;
  interruptAfterTimeLimit: number;
  markInterruptAsFailure: boolean;
  testTimeoutMs: number;
} {
  const numRuns = Number(process.env.FUZZ_RUNS) || defaultRuns;
  const fromEnv = Number(process.env.FUZZ_SEED);
  const seed = Number.isInteger(fromEnv) && process.env.FUZZ_SEED !== '' ? fromEnv : process.env.CI ? 20261130 : (Math.random() * 2 ** 31) | 0;
  // About 7 ms per run on a quiet machine; 30 ms leaves room for a loaded one.
  const testTimeoutMs = Math.max(60_000, numRuns * 30);
  return { numRuns, seed, interruptAfterTimeLimit: testTimeoutMs - 10_000, markInterruptAsFailure: true, testTimeoutMs };
}
