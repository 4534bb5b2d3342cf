import { describe, expect, it } from 'vitest';
import { CloseCode, type SlowConsumerEvent, type SlowConsumerPolicy } from '@firetower/server';
import { waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

const MESSAGE = 'x'.repeat(32 * 1024);

/**
 * A slow consumer is a client whose socket stopped reading: the kernel buffers fill, then ws
 * buffers, then the server's own queue. Publishing continues until the policy acts.
 */
async function scenario(policy: SlowConsumerPolicy) {
  const events: SlowConsumerEvent[] = [];
  const server = await start({
    slowConsumerPolicy: policy,
    maxQueueBytes: 256 * 1024,
    hooks: { onSlowConsumer: (_tower, event) => void events.push(event) },
  });
  const fast = await join(server);
  const slow = await join(server);
  await fast.request({ type: 'subscribe', topic: '/flood' });
  await slow.request({ type: 'subscribe', topic: '/flood' });
  slow.pause();
  let sent = 0;
  // Publish a few frames per turn (well under half of maxQueueBytes, so a socket that keeps
  // reading is never backed up) until the policy has acted on the paused one.
  await waitFor(
    async () => {
      for (let i = 0; i < 3; i++) await server.ft.publish('/flood', { n: sent++, pad: MESSAGE });
      await new Promise((resolve) => setImmediate(resolve));
      return events.length > 0;
    },
    15_000,
    'slow consumer policy acted',
  );
  // The fast consumer received everything, in order, while the slow one was stuck.
  for (let n = 0; n < sent; n++) expect((await fast.nextDelivery('/flood')).data.n).toBe(n);
  return { server, fast, slow, events, sent };
}

describe('slow consumers', () => {
  it('drop-oldest: drops the oldest queued frames, keeps the newest', async () => {
    const { server, slow, events, sent } = await scenario('drop-oldest');
    expect(events[0]).toMatchObject({ policy: 'drop-oldest' });
    expect(events[0]!.droppedFrames).toBeGreaterThan(0);
    await server.ft.publish('/flood', { n: 'last' });
    slow.resume();
    const last = await slow.next((f) => f.type === 'publish' && f.data.n === 'last', 15_000);
    expect(last.data.n).toBe('last');
    const numbers = slow.received.filter((f) => f.type === 'publish' && typeof f.data.n === 'number').map((f) => f.data.n as number);
    expect(numbers.length).toBeLessThan(sent);
    // What arrived is still in order.
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]!);
    expect(server.ft.stats().dropsTotal.slow_consumer).toBeGreaterThan(0);
  });

  it('drop-newest: keeps what was queued, drops new frames', async () => {
    const { server, slow, events, sent } = await scenario('drop-newest');
    expect(events[0]).toMatchObject({ policy: 'drop-newest', droppedFrames: 1 });
    slow.resume();
    // The first message made it; the numbers that arrive are a gap-free prefix.
    const first = await slow.nextDelivery('/flood', 15_000);
    expect(first.data.n).toBe(0);
    await server.ft.publish('/flood', { n: 'marker' });
    await slow.next((f) => f.type === 'publish' && f.data.n === 'marker', 15_000);
    const numbers = slow.received.filter((f) => f.type === 'publish' && typeof f.data.n === 'number').map((f) => f.data.n as number);
    expect(numbers.length).toBeLessThan(sent);
    numbers.forEach((n, i) => expect(n).toBe(i));
  });

  it('close: closes the slow consumer with SlowConsumer (4002)', async () => {
    const { server, fast, slow, events } = await scenario('close');
    expect(events[0]).toMatchObject({ policy: 'close', droppedFrames: 0 });
    slow.resume();
    expect((await slow.closed).code).toBe(CloseCode.SlowConsumer);
    await server.ft.publish('/flood', { n: 'after' });
    expect((await fast.next((f) => f.type === 'publish' && f.data.n === 'after')).data.n).toBe('after');
    await waitFor(async () => (await server.ft.count('/flood')) === 1, 5000, 'slow consumer unsubscribed');
  });
});
