import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '@firetower/server';
import { waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

describe('bad input never crashes or touches another connection', () => {
  it.each([
    ['malformed JSON', '{"type":"subscribe",', ErrorCode.BadFrame],
    ['a JSON array', '["subscribe"]', ErrorCode.BadFrame],
    ['a JSON string', '"subscribe"', ErrorCode.BadFrame],
    ['an unknown type', '{"type":"removeTopic","topic":"/a"}', ErrorCode.UnknownType],
    ['a missing type', '{"topic":"/a"}', ErrorCode.UnknownType],
    ['a missing topic', '{"type":"subscribe"}', ErrorCode.InvalidTopic],
    ['a numeric topic', '{"type":"publish","topic":7,"data":1}', ErrorCode.InvalidTopic],
    ['an object topic', '{"type":"subscribe","topic":{"a":1}}', ErrorCode.InvalidTopic],
    ['a numeric id', '{"type":"subscribe","topic":"/a","id":1}', ErrorCode.InvalidField],
    ['a non-boolean excludeSelf', '{"type":"publish","topic":"/a","excludeSelf":1}', ErrorCode.InvalidField],
    ['a topic with spaces', '{"type":"subscribe","topic":"a b"}', ErrorCode.InvalidTopic],
    ['an empty topic list', '{"type":"subscribe","topic":[]}', ErrorCode.InvalidTopic],
    ['a __proto__ key', '{"__proto__":{"type":"subscribe"},"type":"subscribe"}', ErrorCode.InvalidTopic],
    ['a constructor type', '{"type":"constructor","topic":"/a"}', ErrorCode.UnknownType],
    ['a hasOwnProperty type', '{"type":"hasOwnProperty","topic":"/a"}', ErrorCode.UnknownType],
    // The frames that killed the process before: an unstringifiable type, and deep nesting.
    ['a type whose toString is not a function', '{"type":{"toString":1}}', ErrorCode.UnknownType],
    ['a type nested 6,000 deep', `{"type":${'['.repeat(6000)}${']'.repeat(6000)}}`, ErrorCode.BadFrame],
    ['publish data nested 6,000 deep', `{"type":"publish","topic":"/a","data":${'['.repeat(6000)}${']'.repeat(6000)}}`, ErrorCode.BadFrame],
    ['a subscribe topic with a tab', '{"type":"subscribe","topic":"\\t/a"}', ErrorCode.InvalidTopic],
    ['a subscribe topic with an NBSP', '{"type":"subscribe","topic":"/a\u00a0"}', ErrorCode.InvalidTopic],
    ['a subscribe topic with a BOM', '{"type":"subscribe","topic":"\ufeff/a"}', ErrorCode.InvalidTopic],
    ['a subscribe topic with U+2028', '{"type":"subscribe","topic":"/a\u2028"}', ErrorCode.InvalidTopic],
  ])('answers %s with an error frame', async (_name, text, code) => {
    const server = await start();
    const bystander = await join(server);
    await bystander.request({ type: 'subscribe', topic: '/fine' });
    const a = await join(server);
    a.send(text);
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ type: 'error', code });
    // Still connected and usable, and the other connection saw nothing.
    expect(await a.request({ type: 'subscribe', topic: '/after' })).toMatchObject({ type: 'ack' });
    await server.ft.publish('/fine', 'ok');
    expect((await bystander.nextDelivery('/fine')).data).toBe('ok');
    expect(bystander.received.filter((f) => f.type !== 'ack' && f.type !== 'publish')).toEqual([]);
    expect(Object.prototype).not.toHaveProperty('type');
  });

  it('closes a 10,000-topic subscribe over maxFrameBytes with 1009', async () => {
    const server = await start();
    const a = await join(server);
    const topics = Array.from({ length: 10_000 }, (_, i) => `/t/${i}`);
    a.send({ type: 'subscribe', topic: topics });
    expect((await a.closed).code).toBe(CloseCode.MessageTooBig);
    expect(server.ft.stats().topics).toBe(0);
  });

  it('refuses a subscribe with 10,000 topics within the frame limit with too_many_topics', async () => {
    const server = await start({ limits: { maxFrameBytes: 1024 * 1024 } });
    const a = await join(server);
    const topics = Array.from({ length: 10_000 }, (_, i) => `/t/${i}`);
    expect(await a.request({ type: 'subscribe', topic: topics })).toMatchObject({ type: 'error', code: ErrorCode.TooManyTopics });
    a.send({ type: 'subscribe', topic: topics.join(',') });
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.TooManyTopics });
    expect(server.ft.stats().topics).toBe(0);
  });

  it('closes with 1009 on a frame over maxFrameBytes', async () => {
    const server = await start({ limits: { maxFrameBytes: 1024 } });
    const other = await join(server);
    const a = await join(server);
    a.send({ type: 'publish', topic: '/a', data: 'x'.repeat(2000) });
    expect((await a.closed).code).toBe(CloseCode.MessageTooBig);
    expect(await other.request({ type: 'subscribe', topic: '/still' })).toMatchObject({ type: 'ack' });
  });

  it('closes with PolicyViolation (4502) on a binary frame', async () => {
    const server = await start();
    const a = await join(server);
    a.send(Buffer.from('{"type":"subscribe","topic":"/a"}'), { binary: true });
    expect(await a.closed).toEqual({ code: CloseCode.PolicyViolation, reason: 'binary frames are not supported' });
    await waitFor(() => server.ft.stats().connections === 0, 5000, 'connection gone');
  });

  it('closes with 1007 on a text frame that is not UTF-8', async () => {
    const server = await start();
    const a = await join(server);
    // ws validates UTF-8 itself; send a raw masked text frame with an invalid byte sequence.
    const payload = Buffer.from([0xc3, 0x28, 0xff]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
    (a.ws as unknown as { _socket: net.Socket })._socket.write(frame);
    expect((await a.closed).code).toBe(CloseCode.InvalidPayload);
    await waitFor(() => server.ft.stats().connections === 0, 5000, 'connection gone');
  });

  it('ignores a client heartbeat text frame', async () => {
    const server = await start();
    const a = await join(server);
    a.send('heartbeat');
    expect(await a.request({ type: 'subscribe', topic: '/hb' })).toMatchObject({ type: 'ack' });
    expect(a.received.filter((f) => f.type === 'error')).toEqual([]);
  });
});

describe('limits', () => {
  it('enforces maxTopicsPerConnection', async () => {
    const server = await start({ limits: { maxTopicsPerConnection: 3 } });
    const a = await join(server);
    expect(await a.request({ type: 'subscribe', topic: ['/1', '/2'] })).toMatchObject({ type: 'ack' });
    expect(await a.request({ type: 'subscribe', topic: ['/1', '/3'] })).toMatchObject({ type: 'ack' });
    expect(await a.request({ type: 'subscribe', topic: ['/4'] })).toMatchObject({ type: 'error', code: ErrorCode.TooManyTopics });
    expect(server.ft.stats().subscriptions).toBe(3);
    expect(server.ft.stats().refusalsTotal.limits).toBe(1);
  });

  it('enforces maxTopicsPerFrame and maxTopicLength', async () => {
    const server = await start({ limits: { maxTopicsPerFrame: 2, maxTopicLength: 8 } });
    const a = await join(server);
    expect(await a.request({ type: 'subscribe', topic: ['/1', '/2', '/3'] })).toMatchObject({ code: ErrorCode.TooManyTopics });
    expect(await a.request({ type: 'subscribe', topic: '/123456789' })).toMatchObject({ code: ErrorCode.InvalidTopic });
    expect(await a.request({ type: 'publish', topic: '/123456789', data: 1 })).toMatchObject({ code: ErrorCode.InvalidTopic });
    expect(await a.request({ type: 'subscribe', topic: '/1234567' })).toMatchObject({ type: 'ack' });
  });

  it('rate limits: one rate_limited error, then close RateLimited (4001) if it continues', async () => {
    const server = await start({ limits: { maxMessagesPerSecond: 5 } });
    const other = await join(server);
    const a = await join(server);
    for (let i = 0; i < 200; i++) a.send({ type: 'subscribe', topic: `/r/${i}` });
    expect(await a.next((f) => f.type === 'error')).toMatchObject({ code: ErrorCode.RateLimited });
    expect((await a.closed).code).toBe(CloseCode.RateLimited);
    expect(a.received.filter((f) => f.code === ErrorCode.RateLimited)).toHaveLength(1);
    expect(server.ft.stats().refusalsTotal.rate).toBeGreaterThan(5);
    expect(await other.request({ type: 'subscribe', topic: '/ok' })).toMatchObject({ type: 'ack' });
  });

  it('rate limits: a dropped frame with an id gets a rate_limited error with that id', async () => {
    const server = await start({ limits: { maxMessagesPerSecond: 5 } });
    const a = await join(server);
    // A burst of 10 passes, then p10 (the warning) and p11–p13 (drops) are refused, each by id.
    for (let i = 0; i < 14; i++) a.send({ type: 'publish', topic: '/r', data: i, id: `p${i}` });
    await a.next((f) => f.type === 'error' && f.id === 'p13');
    const refused = a.received.filter((f) => f.code === ErrorCode.RateLimited).map((f) => f.id);
    expect(refused).toEqual(['p10', 'p11', 'p12', 'p13']);
  });

  it('read timeout: a full inbound queue fires onReadTimeout and closes with 4003', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const timeouts: unknown[][] = [];
    const server = await start({
      maxInboundQueue: 4,
      readTimeoutMs: 50,
      hooks: {
        onMessage: () => blocked,
        onReadTimeout: (tower, pending) => void timeouts.push([tower.clientId, pending.map((p) => p.data)]),
      },
    });
    const a = await join(server, { clientId: 'slow-reader' });
    for (let i = 0; i < 10; i++) a.send({ type: 'publish', topic: '/q', data: i });
    expect((await a.closed).code).toBe(CloseCode.ReadTimeout);
    release();
    expect(timeouts).toHaveLength(1);
    const [clientId, pending] = timeouts[0] as [string, number[]];
    expect(clientId).toBe('slow-reader');
    expect(pending.length).toBeGreaterThanOrEqual(3);
    expect(pending[0]).toBe(1);
  });
});
