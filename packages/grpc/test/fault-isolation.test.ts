import type { FiretowerApi } from '@firetower/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcServer, type GrpcServer } from '../src/index.js';
import { createTestClient, grpc, rawUnary, refusal, type TestClient } from './client.js';
import { nextDelivery, startStack, subscriber, TOKEN, waitFor, type Stack } from './fixture.js';

type Faults = { count?: () => never; publish?: () => never; topics?: () => unknown };

/**
 * The real node's API with some operations replaced by ones that throw synchronously or answer
 * garbage: the shape a bug in a handler or in the server's API takes.
 */
function faulty(ft: FiretowerApi, faults: Faults, brokerKind?: string): FiretowerApi {
  // A broker that does not report every count change (as the topic service's): WatchTopic re-reads.
  const broker =
    brokerKind === undefined
      ? ft.broker
      : Object.create(ft.broker, { kind: { value: brokerKind }, capabilities: { value: { reportsEveryCountChange: false } } });
  return new Proxy(ft, {
    get(target, key, receiver) {
      if (key === 'broker') return broker;
      if (typeof key === 'string' && key in faults) return faults[key as keyof Faults];
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('fault isolation: a throwing handler path ends that call only', () => {
  let stack: Stack;
  let broken: GrpcServer;
  let client: TestClient;
  const reported: Array<{ message: string; method: string }> = [];
  let failCount = false;

  beforeAll(async () => {
    stack = await startStack();
    const ft = faulty(
      stack.node.ft,
      {
        count: (() => {
          if (failCount) throw new TypeError('count exploded');
          return Promise.resolve(0);
        }) as () => never,
        publish: () => {
          throw new TypeError('publish exploded');
        },
        topics: () => Promise.resolve(null),
      },
      // A broker whose count changes do not reach every node: WatchTopic re-reads on a timer.
      'topic-service',
    );
    broken = await createGrpcServer(ft, {
      port: 0,
      token: TOKEN,
      watchIntervalMs: 10,
      onError: (error, call) => {
        reported.push({ message: error.message, method: call.method });
        if (error.message === 'publish exploded') throw new Error('a throwing onError is ignored');
      },
    });
    client = createTestClient(broken.address, TOKEN);
  });
  afterAll(async () => {
    client.close();
    await broken.close();
    await stack.close();
  });

  it('answers INTERNAL for a synchronous throw and reports it to onError', async () => {
    failCount = true;
    const error = await refusal(client.unary('GetTopic', { topic: '/f/x' })).finally(() => (failCount = false));
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.metadata.get('firetower-error-code')).toEqual(['internal']);
    expect(reported).toContainEqual({ message: 'count exploded', method: '/firetower.v1.Firetower/GetTopic' });
    // The node counts it too: errorsTotal and the dashboard's recent issues.
    expect(stack.node.ft.stats().errorsTotal).toBeGreaterThan(0);
    expect(stack.node.ft.recentIssues()).toContainEqual(
      expect.objectContaining({ kind: 'error', source: 'grpc /firetower.v1.Firetower/GetTopic', message: 'count exploded' }),
    );
  });

  it('answers INTERNAL for garbage from the API (ListTopics over a null listing)', async () => {
    const error = await refusal(client.unary('ListTopics', {}));
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(reported.some((entry) => entry.method === '/firetower.v1.Firetower/ListTopics')).toBe(true);
  });

  it('counts a throwing publish as rejected in a PublishStream, reports it, and a throwing onError changes nothing', async () => {
    const { stream, reply } = client.clientStream('PublishStream');
    stream.write({ topic: '/f/s', dataJson: '1' });
    stream.write({ topic: '/f/s', dataJson: '2' });
    stream.end();
    expect(await reply).toMatchObject({ accepted: 0, rejected: 2, firstError: { index: 0, code: 'internal' } });
    expect((await refusal(client.unary('Publish', { topic: '/f/s', dataJson: '1' }))).code).toBe(grpc.status.INTERNAL);
    expect(reported.filter((entry) => entry.message === 'publish exploded').length).toBeGreaterThanOrEqual(1);
  });

  it("survives a count that throws inside WatchTopic's timer, and keeps the stream open", async () => {
    const watch = client.serverStream('WatchTopic', { topic: '/f/watch' });
    const counts: number[] = [];
    watch.on('data', (reply: { count: number }) => counts.push(reply.count));
    watch.on('error', () => {});
    await waitFor(() => counts.length > 0, 5000, 'the first count');
    const before = reported.length;
    failCount = true;
    try {
      await waitFor(() => reported.slice(before).some((entry) => entry.message === 'count exploded'), 5000, 'the timer fault reported');
    } finally {
      failCount = false;
    }
    expect(reported.at(-1)?.method).toBe('/firetower.v1.Firetower/WatchTopic');
    watch.cancel();
  });

  it('answers INVALID_ARGUMENT malformed_request for bytes that are not a PublishRequest', async () => {
    for (const bytes of [Buffer.from([0x7f]), Buffer.from([0x22, 0x05, 0x01])]) {
      const result = await rawUnary(broken.address, 'Publish', bytes, { token: TOKEN });
      expect(result.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(result.metadata.get('firetower-error-code')).toEqual(['malformed_request']);
    }
  });

  it('keeps serving the other calls and the node: a bystander still receives', async () => {
    const ws = await subscriber(stack.node, ['/f/alive']);
    await stack.client.unary('Publish', { topic: '/f/alive', dataJson: '"still here"' });
    expect(await nextDelivery(ws, '/f/alive')).toBe('still here');
    expect(await client.unary('GetTopic', { topic: '/f/alive' })).toMatchObject({ topic: '/f/alive' });
    ws.close();
  });
});
