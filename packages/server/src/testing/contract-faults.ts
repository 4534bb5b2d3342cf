import { expect, it } from 'vitest';
import { BrokerOverflowError, type Broker } from '../broker/types.js';
import type { StartedServer } from './server.js';
import type { TestClient, TestFrame } from './client.js';
import { waitFor } from './client.js';

/**
 * One node's link to the cluster, disturbed on purpose (a fixture gives it with `link`): for a
 * shared service, a `LinkProxy` between the node's broker and the service; for the memory bus,
 * `MemoryBus.link`.
 */
export interface LinkFaults {
  /** Drop the link: the broker must notice (`status().connected` false) and keep serving locally. */
  cut(): void | Promise<void>;
  /** Bring it back: the broker must send what it buffered, in order, and rejoin. */
  restore(): void | Promise<void>;
  /** Hold everything on the link for `ms` (0: back to normal). */
  slow(ms: number): void | Promise<void>;
}

/** Make the next publishes of a node's broker fail, whatever its link does (socket.io-adapter's `shouldFailPublish`). */
export interface PublishFaults {
  /** The next `publish()` rejects with `error` (a `BrokerOverflowError` by default), before the broker sees it. */
  failNext(error?: Error): void;
}

/** Wrap a broker so a test can make its publishes fail; every other member is the broker's own. */
export function withPublishFaults(broker: Broker): { broker: Broker; faults: PublishFaults } {
  const failures: Error[] = [];
  const wrapped = new Proxy(broker, {
    get(target, property) {
      if (property === 'publish') {
        return (message: Parameters<Broker['publish']>[0]) => {
          const failure = failures.shift();
          return failure ? Promise.reject(failure) : target.publish(message);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { broker: wrapped, faults: { failNext: (error = new BrokerOverflowError('injected: the broker refused this publish')) => void failures.push(error) } };
}

/** What the fault tests need of the contract's per-test cluster. */
export interface FaultContext {
  size: number;
  timeoutMs: number;
  nodes(): Array<{ server: StartedServer; faults: PublishFaults }>;
  /** The link of node `index`, or undefined when the fixture cannot disturb it. */
  link(index: number): LinkFaults | undefined;
  join(node: { server: StartedServer }): Promise<TestClient>;
  subscribe(client: TestClient, topics: string[]): Promise<void>;
  countsSettle(topic: string, expected: number): Promise<void>;
}

const isDelivery = (topic: string, match: (data: unknown) => boolean) => (frame: TestFrame) =>
  frame.type === 'publish' && frame.topic === topic && match(frame.data);
const numbered = (data: unknown): boolean => typeof data === 'object' && data !== null && 'i' in data;

/** Fault injection: a publish that fails, a link that drops and returns, a slow link. */
export function describeFaultTests(ctx: FaultContext): void {
  const { size, timeoutMs } = ctx;

  it('a publish the broker refuses reaches nobody and is reported to its caller; the next ones go through, in order', async () => {
    const nodes = ctx.nodes();
    const topic = '/contract/fail';
    const subscribers = await Promise.all(nodes.map((node) => ctx.join(node)));
    for (const client of subscribers) await ctx.subscribe(client, [topic]);
    await ctx.countsSettle(topic, size);

    nodes[0]!.faults.failNext();
    await expect(nodes[0]!.server.ft.publish(topic, 'lost')).rejects.toMatchObject({ code: 'broker_overflow' });
    const publisher = await ctx.join(nodes[size - 1]!);
    nodes[size - 1]!.faults.failNext(new Error('injected: the link refused this publish'));
    expect(await publisher.request({ type: 'publish', topic, data: 'lost too' }, timeoutMs)).toMatchObject({ type: 'error' });

    for (let i = 0; i < 5; i++) publisher.send({ type: 'publish', topic, data: { i } });
    for (const client of subscribers) {
      for (let i = 0; i < 5; i++) expect((await client.nextDelivery(topic, timeoutMs)).data).toEqual({ i });
    }
    await nodes[0]!.server.ft.publish(topic, 'api');
    for (const client of subscribers) expect((await client.nextDelivery(topic, timeoutMs)).data).toBe('api');
  });

  it('a node whose link drops serves its own subscribers at once, and the cluster gets its publishes, in order, when the link returns', async (test) => {
    const last = size - 1;
    const link = ctx.link(last);
    if (!link) return test.skip();
    const nodes = ctx.nodes();
    const topic = '/contract/outage';
    const cutNode = nodes[last]!.server.ft;
    const local = await ctx.join(nodes[last]!);
    const remote = await ctx.join(nodes[0]!);
    for (const client of [local, remote]) await ctx.subscribe(client, [topic]);
    await ctx.countsSettle(topic, 2);

    await link.cut();
    await waitFor(async () => !(await cutNode.broker.status()).connected, timeoutMs, 'the cut node sees its link down');
    for (let i = 0; i < 5; i++) await cutNode.publish(topic, { i });
    for (let i = 0; i < 5; i++) expect((await local.next(isDelivery(topic, numbered), timeoutMs)).data).toEqual({ i });

    await link.restore();
    for (let i = 0; i < 5; i++) expect((await remote.next(isDelivery(topic, numbered), timeoutMs)).data).toEqual({ i });
    await waitFor(async () => (await cutNode.broker.status()).connected, timeoutMs, 'the node sees its link up again');
    // The node hears the cluster again (its subscriptions are back on the service).
    const deadline = Date.now() + timeoutMs;
    for (let heard = false; !heard;) {
      await nodes[0]!.server.ft.publish(topic, 'back');
      heard = await local
        .next(
          isDelivery(topic, (data) => data === 'back'),
          200,
        )
        .then(
          () => true,
          () => false,
        );
      if (!heard && Date.now() > deadline) throw new Error('the node whose link returned never heard the cluster again');
    }
    await ctx.countsSettle(topic, 2);
  });

  it('a slow link delays the cluster, never the publisher or its own node, and keeps the order', async (test) => {
    const link = ctx.link(0);
    if (!link) return test.skip();
    const nodes = ctx.nodes();
    const topic = '/contract/slow';
    const local = await ctx.join(nodes[0]!);
    const remotes = await Promise.all(nodes.slice(1).map((node) => ctx.join(node)));
    for (const client of [local, ...remotes]) await ctx.subscribe(client, [topic]);
    await ctx.countsSettle(topic, size);

    const delayMs = 300;
    await link.slow(delayMs);
    const started = performance.now();
    for (let i = 0; i < 20; i++) await nodes[0]!.server.ft.publish(topic, { i });
    const elapsed = performance.now() - started;
    for (let i = 0; i < 20; i++) expect((await local.nextDelivery(topic, timeoutMs)).data).toEqual({ i });
    expect(elapsed).toBeLessThan(delayMs);
    for (const client of remotes) {
      for (let i = 0; i < 20; i++) expect((await client.nextDelivery(topic, timeoutMs)).data).toEqual({ i });
    }
    // The other way too: another node's publishes reach the slow node, in order.
    for (let i = 0; i < 5; i++) await nodes[size - 1]!.server.ft.publish(topic, { i, from: 'last' });
    for (let i = 0; i < 5; i++) expect((await local.nextDelivery(topic, timeoutMs)).data).toEqual({ i, from: 'last' });
    await link.slow(0);
  });
}
