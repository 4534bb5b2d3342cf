/** History: a topic's kept publications over gRPC, from a real node with the history option. */
import { BrokerLifecycleError, memoryBroker, type Broker, type FiretowerApi } from '@firetower/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcServer, createPushClient, type GrpcServer } from '../src/index.js';
import { createTestClient, grpc, refusal, type TestClient } from './client.js';
import { nodeOptions, startStack, TOKEN, useStack, type Stack } from './fixture.js';

interface Reply {
  publications: Array<{ offset: number; dataJson: string }>;
  offset: number;
  epoch: string;
}

const stack = useStack({}, nodeOptions({ history: [{ match: '/h/*', size: 5 }] }));
const history = (request: object) => stack.client.unary<Reply>('History', request);

describe('History', () => {
  it('answers the kept publications, oldest first, as JSON text, with the stream position', async () => {
    await stack.node.ft.publish('/h/a', { n: 1 });
    await stack.client.unary('Publish', { topic: '/h/a', dataText: 'two' });
    await stack.node.ft.publish('/h/a', null);
    const { epoch } = await stack.node.ft.history('/h/a');
    expect(epoch).not.toBe('');
    expect(await history({ topic: '/h/a' })).toEqual({
      publications: [
        { offset: 1, dataJson: '{"n":1}' },
        { offset: 2, dataJson: '"two"' },
        { offset: 3, dataJson: 'null' },
      ],
      offset: 3,
      epoch,
    });
  });

  it('limit takes the newest; 0 means the topic size, which caps what is kept', async () => {
    for (let n = 1; n <= 8; n++) await stack.node.ft.publish('/h/limit', n);
    expect((await history({ topic: '/h/limit', limit: 2 })).publications).toEqual([
      { offset: 7, dataJson: '7' },
      { offset: 8, dataJson: '8' },
    ]);
    for (const limit of [0, 10_000]) {
      const reply = await history({ topic: '/h/limit', limit });
      expect(reply.publications.map((p) => p.offset)).toEqual([4, 5, 6, 7, 8]);
      expect(reply.offset).toBe(8);
    }
  });

  it('since answers what came after a position; a position of another epoch reads everything kept', async () => {
    for (let n = 1; n <= 4; n++) await stack.node.ft.publish('/h/since', n);
    const { epoch } = await history({ topic: '/h/since', limit: 1 });
    expect((await history({ topic: '/h/since', sinceOffset: 2, sinceEpoch: epoch })).publications.map((p) => p.offset)).toEqual([3, 4]);
    expect((await history({ topic: '/h/since', sinceOffset: 4, sinceEpoch: epoch })).publications).toEqual([]);
    expect((await history({ topic: '/h/since', sinceOffset: 3, sinceEpoch: 'another' })).publications.map((p) => p.offset)).toEqual([1, 2, 3, 4]);
  });

  it('a history topic never published to is an empty stream at offset 0', async () => {
    expect(await history({ topic: '/h/quiet' })).toEqual({ publications: [], offset: 0, epoch: '' });
  });

  it('a topic without history is NOT_FOUND no_history', async () => {
    await stack.node.ft.publish('/plain', 1);
    const error = await refusal(history({ topic: '/plain' }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toContain('/plain');
    expect(error.metadata.get('firetower-error-code')).toEqual(['no_history']);
  });

  it.each([
    [{ topic: '' }, 'invalid_topic'],
    [{ topic: '/bad topic' }, 'invalid_topic'],
    [{ topic: `/${'x'.repeat(300)}` }, 'invalid_topic'],
    [{ topic: '/h/a', limit: 10_001 }, 'invalid_field'],
    [{ topic: '/h/a', limit: 2 ** 32 - 1 }, 'invalid_field'],
    [{ topic: '/h/a', sinceOffset: 3 }, 'invalid_field'],
    [{ topic: '/h/a', sinceOffset: 1, sinceEpoch: 'e'.repeat(65) }, 'invalid_field'],
    [{ topic: '/h/a', sinceOffset: '18446744073709551615', sinceEpoch: 'e' }, 'invalid_field'],
    [{ topic: '/h/a', sinceOffset: '9007199254740992', sinceEpoch: 'e' }, 'invalid_field'],
  ])('%o is INVALID_ARGUMENT %s', async (request, code) => {
    const error = await refusal(history(request));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.metadata.get('firetower-error-code')).toEqual([code]);
  });

  it('createPushClient().history() reads it too', async () => {
    const push = createPushClient(stack.grpc.address, { token: TOKEN });
    try {
      await stack.node.ft.publish('/h/push', 'a');
      await stack.node.ft.publish('/h/push', 'b');
      const all = await push.history('/h/push');
      expect(all.publications.map((p) => JSON.parse(p.dataJson) as unknown)).toEqual(['a', 'b']);
      const after = await push.history('/h/push', { since: { offset: 1, epoch: all.epoch }, limit: 10 });
      expect(after).toEqual({ publications: [{ offset: 2, dataJson: '"b"' }], offset: 2, epoch: all.epoch });
      expect((await refusal(push.history('/plain'))).code).toBe(grpc.status.NOT_FOUND);
    } finally {
      push.close();
    }
  });
});

/** A memory broker whose history reads fail with `error()` (what a broker whose link is down answers). */
function failingHistoryBroker(error: () => unknown): Broker {
  const inner = memoryBroker();
  return {
    kind: 'failing-history',
    start: (node) => inner.start(node),
    updateLocalCounts: (changes) => inner.updateLocalCounts(changes),
    publish: (message) => inner.publish(message),
    control: (command) => inner.control(command),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
    history: () => Promise.reject(error()),
  };
}

describe('History when the store fails', () => {
  const reported: string[] = [];
  const failures: Array<{ error: unknown }> = [{ error: undefined }];
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(
      { onError: (error) => reported.push(error.message) },
      nodeOptions({
        history: [{ match: '/h/*', size: 5 }],
        broker: failingHistoryBroker(() => failures[0]!.error),
        // Quiet: the uncoded failure below also reaches the node's onError (through ft.reportError).
        hooks: { onError: () => {} },
      }),
    );
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each([
    ['a coded read failure (Redis not connected)', Object.assign(new Error('history: not connected'), { code: 'not_connected' })],
    ['the server saying history_unavailable', Object.assign(new Error('history unavailable'), { code: 'history_unavailable' })],
    ['a broker outside start..close', new BrokerLifecycleError('broker_closed', 'history: the broker is closed')],
  ])('%s is UNAVAILABLE, not a reported fault', async (_name, error) => {
    failures[0]!.error = error;
    const status = await refusal(stack.client.unary('History', { topic: '/h/a' }));
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.metadata.get('firetower-error-code')).toEqual(['unavailable']);
    expect(reported).toEqual([]);
  });

  it('an uncoded failure (a bug) is INTERNAL and reported', async () => {
    failures[0]!.error = new Error('history exploded');
    const status = await refusal(stack.client.unary('History', { topic: '/h/a' }));
    expect(status.code).toBe(grpc.status.INTERNAL);
    expect(reported).toEqual(['history exploded']);
  });
});

describe('History on an API without history()', () => {
  let grpcServer: GrpcServer;
  let client: TestClient;
  const bare = useStack();
  beforeAll(async () => {
    // A wrapping API that leaves history out (or a server older than it).
    const ft = new Proxy(bare.node.ft as FiretowerApi, {
      get(target, key) {
        if (key === 'history') return undefined;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    grpcServer = await createGrpcServer(ft, { port: 0, token: TOKEN });
    client = createTestClient(grpcServer.address, TOKEN);
  });
  afterAll(async () => {
    client.close();
    await grpcServer.close();
  });

  it('answers NOT_FOUND no_history', async () => {
    const error = await refusal(client.unary('History', { topic: '/h/a' }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.metadata.get('firetower-error-code')).toEqual(['no_history']);
  });
});
