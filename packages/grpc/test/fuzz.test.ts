import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpc, rawUnary, type TestClient } from './client.js';
import { nodeOptions, startStack, subscriber, type Stack, type WsClient } from './fixture.js';
import { dataJson, fuzzParameters, hostileString, publishRequest, rawCall, topic, unaryCall } from './hostile-requests.js';

// Every call must end with one of these: the request was fine, or it was the caller's mistake.
// (NOT_FOUND: a health check of an unknown service, History of a topic without history,
// GetPresence of a topic without presence.)
// INTERNAL, UNKNOWN or a deadline would mean a fault or a hang on the server.
const ANSWERS = new Set([grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED, grpc.status.NOT_FOUND]);
const DEADLINE_MS = 3000;
// Upper case: no topic the arbitraries generate can collide with it.
const BYSTANDER = '/FUZZ/bystander';

let stack: Stack;
let bystander: WsClient;
let member: WsClient;
const faults: string[] = [];
let marker = 0;

beforeAll(async () => {
  stack = await startStack(
    { maxDataBytes: 512 * 1024, onError: (error, call) => faults.push(`${call.method}: ${error.message}`) },
    // About half the generated topics keep history: History reads them while publishes append.
    // Some have presence too (GetPresence reads one with a member), and sends reach a known user
    // and client, the bystander's neighbour, while the bystander keeps receiving.
    nodeOptions({ history: [{ match: /^\/[a-m]/, size: 10 }], presence: [{ match: /^\/[g-t]/ }] }),
  );
  bystander = await subscriber(stack.node, [BYSTANDER]);
  member = await subscriber(stack.node, ['/presence-room'], { user: 'fuzz-user', clientId: 'fuzz-client' });
});
afterAll(async () => {
  bystander.close();
  member.close();
  await stack.close();
});

function statusOf(promise: Promise<unknown>): Promise<grpc.status> {
  return promise.then(
    () => grpc.status.OK,
    (error: grpc.ServiceError) => error.code,
  );
}

/** The end of a WatchTopic call: its first count (then cancelled) or its error status. */
function watchOutcome(client: TestClient, request: object): Promise<grpc.status> {
  const call = client.serverStream('WatchTopic', request, { deadlineMs: DEADLINE_MS });
  return new Promise((resolve) => {
    call.once('data', () => {
      call.cancel();
      resolve(grpc.status.OK);
    });
    call.on('error', (error: grpc.ServiceError) => resolve(error.code));
  });
}

function streamOutcome(client: TestClient, requests: object[]): Promise<grpc.status> {
  const { stream, reply } = client.clientStream('PublishStream');
  stream.on('error', () => {});
  for (const request of requests) stream.write(request);
  stream.end();
  return statusOf(reply);
}

/** A marker published through the gRPC door reaches the bystander WebSocket subscriber. */
async function bystanderStillReceives(): Promise<void> {
  const n = ++marker;
  await stack.client.unary('Publish', { topic: BYSTANDER, dataJson: JSON.stringify({ n }) }, { deadlineMs: DEADLINE_MS });
  await bystander.next((frame) => frame.topic === BYSTANDER && (frame.data as { n?: number } | null)?.n === n, DEADLINE_MS);
}

/** grpc.health.v1 Check with any service name: NOT_FOUND or SERVING, never a fault. */
function healthOutcome(client: TestClient, service: string): Promise<grpc.status> {
  type Check = (request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null) => void) => void;
  const check = (client.health as unknown as { Check: Check }).Check;
  return new Promise((resolve) => {
    check.call(client.health, { service }, { deadline: Date.now() + DEADLINE_MS }, (error) => resolve(error === null ? grpc.status.OK : error.code));
  });
}

const anyCall = fc.oneof(
  { weight: 4, arbitrary: unaryCall.map((call) => ({ kind: 'unary' as const, ...call })) },
  { weight: 2, arbitrary: rawCall.map((call) => ({ kind: 'raw' as const, ...call })) },
  { weight: 1, arbitrary: fc.array(publishRequest, { maxLength: 5 }).map((requests) => ({ kind: 'stream' as const, requests })) },
  { weight: 1, arbitrary: topic.map((t) => ({ kind: 'watch' as const, request: { topic: t } })) },
  { weight: 1, arbitrary: hostileString.map((service) => ({ kind: 'health' as const, service })) },
);
let callsSent = 0;

const CALLS = fuzzParameters(200);
const JSON_TEXTS = fuzzParameters(100);

describe('fuzzing the gRPC API (fast-check)', () => {
  it(
    'answers every hostile call with a status; the process, the other calls and a bystander carry on',
    async () => {
      const { testTimeoutMs: _, ...parameters } = CALLS;
      const property = fc.asyncProperty(fc.array(anyCall, { minLength: 1, maxLength: 4 }), async (calls) => {
        const { client } = stack;
        // Concurrent, so a fault in one call would show in the others.
        callsSent += calls.length;
        const statuses = await Promise.all(
          calls.map((call) => {
            switch (call.kind) {
              case 'unary':
                return statusOf(client.unary(call.method, call.request, { deadlineMs: DEADLINE_MS }));
              case 'raw':
                return rawUnary(stack.grpc.address, call.method, call.bytes, { token: 'test-token', deadlineMs: DEADLINE_MS }).then((result) => result.code);
              case 'stream':
                return streamOutcome(client, call.requests);
              case 'watch':
                return watchOutcome(client, call.request);
              case 'health':
                return healthOutcome(client, call.service);
            }
          }),
        );
        for (const status of statuses) expect(ANSWERS).toContain(status);
        expect(faults).toEqual([]);
        await bystanderStillReceives();
      });
      const details = await fc.check(property, parameters);
      if (details.failed) {
        throw new Error(`gRPC fuzz failed; rerun with FUZZ_SEED=${parameters.seed}\n${fc.defaultReportMessage(details) ?? ''}`);
      }
      console.info(`gRPC fuzz: ${details.numRuns} runs, ${callsSent} hostile calls, seed ${parameters.seed}, ${marker} bystander markers received`);
    },
    CALLS.testTimeoutMs,
  );

  it(
    'never throws on arbitrary data_json text alone (Publish into a subscribed topic)',
    async () => {
      const { testTimeoutMs: _, ...parameters } = JSON_TEXTS;
      const ws = await subscriber(stack.node, ['/fuzz/json']);
      const property = fc.asyncProperty(dataJson, async (text) => {
        const status = await statusOf(stack.client.unary('Publish', { topic: '/fuzz/json', dataJson: text }, { deadlineMs: DEADLINE_MS }));
        expect(ANSWERS).toContain(status);
      });
      const details = await fc.check(property, parameters);
      ws.close();
      if (details.failed) throw new Error(`gRPC data_json fuzz failed; rerun with FUZZ_SEED=${parameters.seed}\n${fc.defaultReportMessage(details) ?? ''}`);
      expect(faults).toEqual([]);
    },
    JSON_TEXTS.testTimeoutMs,
  );
});
