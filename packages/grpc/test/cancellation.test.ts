import { memoryBroker, type Broker } from '@firetower/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpc, refusal } from './client.js';
import { nextDelivery, nodeOptions, startStack, subscriber, waitFor, type Stack } from './fixture.js';

/**
 * A real memory broker whose publishes wait at a gate: it makes a publish slow, so a call's
 * deadline passes while the server is still working on it.
 */
function gatedBroker(): { broker: Broker; open(): void; close(): void; waiting(): number } {
  const inner = memoryBroker();
  let gate: Promise<void> | undefined;
  let waiting = 0;
  let release = (): void => {};
  const broker: Broker = {
    kind: inner.kind,
    start: (node) => inner.start(node),
    updateLocalCounts: (changes) => inner.updateLocalCounts(changes),
    publish: async (message) => {
      if (gate) {
        waiting += 1;
        await gate;
        waiting -= 1;
      }
      return inner.publish(message);
    },
    control: (command) => inner.control(command),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
  };
  return {
    broker,
    waiting: () => waiting,
    close: () => {
      gate = new Promise((resolve) => (release = resolve));
    },
    open: () => {
      gate = undefined;
      release();
    },
  };
}

let stack: Stack;
let gated: ReturnType<typeof gatedBroker>;
beforeAll(async () => {
  gated = gatedBroker();
  stack = await startStack({ shutdownGraceMs: 60_000 }, nodeOptions({ broker: gated.broker }));
});
afterAll(async () => {
  gated.open();
  await stack.close();
});

describe('deadlines and cancellation', () => {
  it('PublishBatch past its deadline is DEADLINE_EXCEEDED and publishes nothing after it', async () => {
    const ws = await subscriber(stack.node, ['/d/batch']);
    gated.close();
    const messages = [1, 2, 3].map((n) => ({ topic: '/d/batch', dataJson: String(n) }));
    const call = refusal(stack.client.unary('PublishBatch', { messages }, { deadlineMs: 1500 }));
    await waitFor(() => gated.waiting() === 1, 5000, 'message 1 handed to the broker');
    const error = await call;
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    // A round trip on the same connection: the server has read the client's RST_STREAM (sent at
    // the deadline) before it answers this, so the batch is known to be cancelled.
    await stack.client.unary('GetTopic', { topic: '/d/batch' });
    gated.open();
    // The message in flight at the deadline still goes out; the loop stops before the next one.
    await stack.client.unary('Publish', { topic: '/d/batch', dataJson: '"marker"' });
    expect(await nextDelivery(ws, '/d/batch')).toBe(1);
    expect(await nextDelivery(ws, '/d/batch')).toBe('marker');
    await ws.close();
  });

  it('a cancelled PublishStream ends on the server too; the server goes on serving', async () => {
    const ws = await subscriber(stack.node, ['/d/stream']);
    const { stream, reply } = stack.client.clientStream('PublishStream');
    stream.write({ topic: '/d/stream', dataJson: '1' });
    // Delivered: the call is established on the wire, so the cancel below is a real RST_STREAM.
    expect(await nextDelivery(ws, '/d/stream')).toBe(1);
    stream.cancel();
    expect((await refusal(reply)).code).toBe(grpc.status.CANCELLED);
    await stack.client.unary('Publish', { topic: '/d/stream', dataJson: '"after"' });
    expect(await nextDelivery(ws, '/d/stream')).toBe('after');
    await ws.close();
    // afterAll closes with a 60 s grace: had the server kept this call open, close() would
    // outlast the hook timeout and fail the file.
  });
});
