import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from '@firetower/protocol';
import type { Broker } from '../broker/types.js';
import type { FiretowerOptions } from '../types.js';
import { connect, waitFor, type TestClient } from './client.js';
import { describeFaultTests, withPublishFaults, type LinkFaults, type PublishFaults } from './contract-faults.js';
import { startServer, type StartedServer } from './server.js';
import { CONTRACT_HISTORY, describeHistoryTests } from './contract-history.js';
import { describeDirectTests } from './contract-direct.js';
import { CONTRACT_PRESENCE, describePresenceTests } from './contract-presence.js';

export type { LinkFaults, PublishFaults } from './contract-faults.js';

/** Creates the brokers of one cluster for a contract run, and removes whatever they used. */
export interface BrokerFixture {
  /** `count` brokers that form one cluster (one per firetower node). */
  create(count: number): Promise<Broker[]>;
  /** Called after the nodes closed (their brokers' close() already ran). */
  teardown(): Promise<void>;
  /**
   * Optional: the link of the broker `create` made at `index` (its node's id is `nodeId`), for the
   * link fault tests (a link that drops and returns, a slow link); without it they are skipped.
   * A shared service's fixture puts a `startLinkProxy` between each broker and the service.
   */
  link?(index: number, nodeId: string): LinkFaults;
  /**
   * Optional: make the history store forget every stream (a memory store's process restart, a
   * Redis restart with persistence off, a topic-service restart); resolves when the store is
   * back. Without it the epoch-change test is skipped.
   */
  restartHistory?(): Promise<void>;
}

export interface BrokerContractOptions {
  /** Deadline for eventually-consistent checks (counts, propagation). @default 10000 */
  timeoutMs?: number;
  /** Messages in the ordering test. @default 500 */
  orderingMessages?: number;
}

interface Node {
  server: StartedServer;
  systemRemoves: Array<{ clientId: string; topic: string }>;
  /** Makes the node's broker refuse its next publishes. */
  faults: PublishFaults;
}

/**
 * The Broker contract: one vitest `describe` that starts 2 and then 3 firetower nodes, each with one
 * broker from the fixture, and checks cross-node delivery, cluster-wide count / exists / topics,
 * kickUser / unsubscribeUser / removeTopic reaching every node, per-publisher per-topic ordering
 * across nodes, excludeSelf, idempotency keys that hold across nodes (`claimKey`), that
 * counts return to zero when clients leave, and fault injection: a publish the broker refuses,
 * a link that drops and returns, a slow link (the last two with the fixture's `link`).
 *
 * A fresh fixture is made for every test (call `fixture()`), so state never leaks between tests.
 *
 * @example
 * // packages/topic-service/test/broker-contract.test.ts
 * import { describeBrokerContract } from '@firetower/server/testing';
 * describeBrokerContract('topic-service', () => {
 *   let service: RunningService;
 *   return {
 *     async create(count) {
 *       service = await startTopicService({ port: 0 });
 *       return Array.from({ length: count }, () => topicServiceBroker({ url: service.url }));
 *     },
 *     async teardown() { await service.close(); },
 *   };
 * });
 */
export function describeBrokerContract(name: string, fixture: () => BrokerFixture, options: BrokerContractOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const orderingMessages = options.orderingMessages ?? 500;

  describe(`broker contract: ${name}`, () => {
    describe.each([2, 3])('%i nodes', (size) => {
      let current: BrokerFixture;
      let nodes: Node[] = [];
      let clients: TestClient[] = [];

      beforeEach(async () => {
        current = fixture();
        const brokers = await current.create(size);
        expect(brokers).toHaveLength(size);
        nodes = await Promise.all(
          brokers.map(async (original) => {
            const systemRemoves: Node['systemRemoves'] = [];
            const { broker, faults } = withPublishFaults(original);
            const nodeOptions: FiretowerOptions = {
              broker,
              publish: 'allow',
              // Only brokers that keep history get the option (the node refuses it otherwise).
              ...(original.history !== undefined && { history: CONTRACT_HISTORY }),
              ...(original.updatePresence !== undefined && { presence: CONTRACT_PRESENCE }),
              heartbeatIntervalMs: 0,
              limits: { maxMessagesPerSecond: 1_000_000 },
              maxInboundQueue: 100_000,
              hooks: {
                authenticate: ({ query }) => ({
                  userId: query.get('user') ?? undefined,
                  presence: query.has('name') ? { name: query.get('name') } : undefined,
                }),
                onSystemRemove: (tower, topic) => void systemRemoves.push({ clientId: tower.clientId, topic }),
              },
            };
            return { server: await startServer(nodeOptions), systemRemoves, faults };
          }),
        );
      });

      afterEach(async () => {
        for (const client of clients) client.ws.terminate();
        clients = [];
        await Promise.all(nodes.map((node) => node.server.close()));
        nodes = [];
        await current.teardown();
      });

      const join = async (node: Node, query: Record<string, string> = {}): Promise<TestClient> => {
        const client = await connect(node.server.wsUrl, query);
        clients.push(client);
        return client;
      };
      const subscribe = async (client: TestClient, topics: string[]): Promise<void> => {
        const ack = await client.request({ type: 'subscribe', topic: topics }, timeoutMs);
        expect(ack.type).toBe('ack');
      };
      const countsSettle = (topic: string, expected: number): Promise<void> =>
        waitFor(
          async () => (await Promise.all(nodes.map((n) => n.server.ft.count(topic)))).every((c) => c === expected),
          timeoutMs,
          `count(${topic}) === ${expected} on every node`,
        );

      describeFaultTests({
        size,
        timeoutMs,
        nodes: () => nodes,
        link: (index) => current.link?.(index, nodes[index]!.server.ft.nodeId),
        join: (node) => join(node as Node),
        subscribe,
        countsSettle,
      });

      describeHistoryTests({
        size,
        timeoutMs,
        nodes: () => nodes,
        join: (node) => join(node as Node),
        restartHistory: () => current.restartHistory?.bind(current),
      });

      describePresenceTests({ size, timeoutMs, nodes: () => nodes, join: (node, query) => join(node as Node, query) });
      describeDirectTests({ size, timeoutMs, nodes: () => nodes, join: (node, query) => join(node as Node, query) });

      it('delivers a publish from any node to subscribers on every node', async () => {
        const subscribers = await Promise.all(nodes.map((node) => join(node)));
        for (const client of subscribers) await subscribe(client, ['/contract/room']);
        await countsSettle('/contract/room', size);

        const publisher = subscribers[0]!;
        publisher.send({ type: 'publish', topic: '/contract/room', data: { from: 'client', n: 1 } });
        for (const client of subscribers) expect((await client.nextDelivery('/contract/room', timeoutMs)).data).toEqual({ from: 'client', n: 1 });

        await nodes[size - 1]!.server.ft.publish('/contract/room', { from: 'api' });
        for (const client of subscribers) expect((await client.nextDelivery('/contract/room', timeoutMs)).data).toEqual({ from: 'api' });
      });

      it('reports cluster-wide count, exists and topics on every node', async () => {
        for (const [index, node] of nodes.entries()) {
          const client = await join(node);
          await subscribe(client, ['/contract/all', `/contract/node-${index}`]);
        }
        await countsSettle('/contract/all', size);
        await countsSettle('/contract/node-0', 1);
        for (const node of nodes) {
          expect(await node.server.ft.exists('/contract/all')).toBe(true);
          expect(await node.server.ft.exists('/contract/nobody')).toBe(false);
          expect(await node.server.ft.count('/contract/nobody')).toBe(0);
          await waitFor(
            async () => {
              const topics = await node.server.ft.topics();
              return topics[0]?.topic === '/contract/all' && topics[0].count === size && topics.length === size + 1;
            },
            timeoutMs,
            'topics() lists every topic, largest first',
          );
        }
      });

      it('kickUser closes the user on every node and nobody else', async () => {
        const kicked = await Promise.all(nodes.map((node) => join(node, { user: 'mallory' })));
        const bystander = await join(nodes[size - 1]!, { user: 'alice' });
        await subscribe(bystander, ['/contract/kick']);
        await nodes[0]!.server.ft.kickUser('mallory', 'bye');
        for (const client of kicked) expect((await client.closed).code).toBe(CloseCode.Kicked);
        await nodes[0]!.server.ft.publish('/contract/kick', 'still here');
        await countsSettle('/contract/kick', 1);
        expect((await bystander.nextDelivery('/contract/kick', timeoutMs)).data).toBe('still here');
      });

      it('unsubscribeUser removes the user from the topic on every node (onSystemRemove)', async () => {
        const mine = await Promise.all(nodes.map((node) => join(node, { user: 'bob' })));
        const other = await join(nodes[0]!, { user: 'carol' });
        for (const client of [...mine, other]) await subscribe(client, ['/contract/unsub', '/contract/keep']);
        await countsSettle('/contract/unsub', size + 1);

        await nodes[size - 1]!.server.ft.unsubscribeUser('bob', '/contract/unsub');
        await countsSettle('/contract/unsub', 1);
        await countsSettle('/contract/keep', size + 1);
        await waitFor(() => nodes.every((n) => n.systemRemoves.length === 1), timeoutMs, 'onSystemRemove on every node');
        for (const node of nodes) expect(node.systemRemoves[0]!.topic).toBe('/contract/unsub');

        await nodes[0]!.server.ft.publish('/contract/unsub', 'only carol');
        expect((await other.nextDelivery('/contract/unsub', timeoutMs)).data).toBe('only carol');
        await nodes[0]!.server.ft.publish('/contract/keep', 'everyone');
        for (const client of mine) expect((await client.nextDelivery(undefined, timeoutMs)).topic).toBe('/contract/keep');
      });

      it('removeTopic removes every subscriber on every node', async () => {
        const subscribers = await Promise.all(nodes.map((node) => join(node)));
        for (const client of subscribers) await subscribe(client, ['/contract/gone']);
        await countsSettle('/contract/gone', size);
        await nodes[0]!.server.ft.removeTopic('/contract/gone');
        await countsSettle('/contract/gone', 0);
        await waitFor(() => nodes.every((n) => n.systemRemoves.length === 1), timeoutMs, 'onSystemRemove for each subscriber');
        for (const node of nodes) expect(await node.server.ft.exists('/contract/gone')).toBe(false);
      });

      it(`keeps each publisher's order per topic across nodes (${orderingMessages} messages)`, async () => {
        const subscribers = await Promise.all(nodes.map((node) => join(node)));
        for (const client of subscribers) await subscribe(client, ['/contract/order']);
        await countsSettle('/contract/order', size);
        const publishers = [await join(nodes[0]!), await join(nodes[size - 1]!)];
        for (let i = 0; i < orderingMessages; i++) {
          for (const [p, publisher] of publishers.entries()) publisher.send({ type: 'publish', topic: '/contract/order', data: { p, i } });
        }
        for (const client of subscribers) {
          const seen = [-1, -1];
          for (let n = 0; n < orderingMessages * 2; n++) {
            const frame = await client.nextDelivery('/contract/order', timeoutMs);
            const { p, i } = frame.data as { p: number; i: number };
            expect(i).toBe(seen[p]! + 1);
            seen[p] = i;
          }
        }
      });

      it('excludeSelf skips the publishing connection only', async () => {
        const publisher = await join(nodes[0]!);
        const others = await Promise.all(nodes.map((node) => join(node)));
        for (const client of [publisher, ...others]) await subscribe(client, ['/contract/self']);
        await countsSettle('/contract/self', size + 1);
        const ack = await publisher.request({ type: 'publish', topic: '/contract/self', data: 'not me', excludeSelf: true }, timeoutMs);
        expect(ack).toMatchObject({ type: 'ack' });
        for (const client of others) expect((await client.nextDelivery('/contract/self', timeoutMs)).data).toBe('not me');
        publisher.send({ type: 'publish', topic: '/contract/self', data: 'me too' });
        expect((await publisher.nextDelivery('/contract/self', timeoutMs)).data).toBe('me too');
      });

      it('dedupes a publish re-sent on another node (retry), and lets a fresh key through', async () => {
        const subscribers = await Promise.all(nodes.map((node) => join(node)));
        for (const client of subscribers) await subscribe(client, ['/contract/once']);
        await countsSettle('/contract/once', size);
        // The first send on node 0; the key travels with the publish.
        const first = await join(nodes[0]!, { clientId: 'resender' });
        expect(await first.request({ type: 'publish', topic: '/contract/once', data: 'once', id: 'p1' }, timeoutMs)).toMatchObject({ type: 'ack' });
        for (const client of subscribers) expect((await client.nextDelivery('/contract/once', timeoutMs)).data).toBe('once');
        // The client reconnected to the last node and sends it again, marked as a re-send.
        const again = await join(nodes[size - 1]!, { clientId: 'resender' });
        const duplicate = await again.request({ type: 'publish', topic: '/contract/once', data: 'once', id: 'p1', retry: true }, timeoutMs);
        expect(duplicate).toMatchObject({ type: 'ack', duplicate: true });
        // A re-send of a publish that never arrived anywhere is delivered, once.
        const fresh = await again.request({ type: 'publish', topic: '/contract/once', data: 'fresh', id: 'p2', retry: true }, timeoutMs);
        expect(fresh).toMatchObject({ type: 'ack' });
        expect(fresh).not.toHaveProperty('duplicate');
        expect(await again.request({ type: 'publish', topic: '/contract/once', data: 'fresh', id: 'p2', retry: true }, timeoutMs)).toMatchObject({
          type: 'ack',
          duplicate: true,
        });
        // Nothing was delivered twice: the next message each subscriber gets is 'fresh', then the marker.
        await again.request({ type: 'publish', topic: '/contract/once', data: 'marker', id: 'p3' }, timeoutMs);
        for (const client of subscribers) {
          expect((await client.nextDelivery('/contract/once', timeoutMs)).data).toBe('fresh');
          expect((await client.nextDelivery('/contract/once', timeoutMs)).data).toBe('marker');
        }
      });

      it('dedupes a server-side publish with an idempotencyKey across nodes', async () => {
        const subscribers = await Promise.all(nodes.map((node) => join(node)));
        for (const client of subscribers) await subscribe(client, ['/contract/keyed']);
        await countsSettle('/contract/keyed', size);
        await nodes[0]!.server.ft.publish('/contract/keyed', 'keyed', { idempotencyKey: 'job-1' });
        for (const client of subscribers) expect((await client.nextDelivery('/contract/keyed', timeoutMs)).data).toBe('keyed');
        // The same job retried against another node (a load balancer picked it) is not delivered again.
        for (const node of nodes.slice(1)) await node.server.ft.publish('/contract/keyed', 'keyed', { idempotencyKey: 'job-1' });
        await nodes[size - 1]!.server.ft.publish('/contract/keyed', 'marker');
        for (const client of subscribers) expect((await client.nextDelivery('/contract/keyed', timeoutMs)).data).toBe('marker');
      });

      it('returns counts to zero and empties topics when clients leave', async () => {
        const all: TestClient[] = [];
        for (const node of nodes) {
          for (let i = 0; i < 3; i++) {
            const client = await join(node, { user: `u${i}` });
            await subscribe(client, ['/contract/leak', `/contract/leak-${i}`, '__proto__', 'constructor']);
            all.push(client);
          }
        }
        await countsSettle('/contract/leak', size * 3);
        await countsSettle('__proto__', size * 3);
        await Promise.all(all.map((client) => client.close()));
        for (const topic of ['/contract/leak', '/contract/leak-0', '__proto__', 'constructor']) await countsSettle(topic, 0);
        for (const node of nodes) {
          await waitFor(async () => (await node.server.ft.topics()).length === 0, timeoutMs, 'topics() empty');
          await waitFor(() => node.server.ft.stats().connections === 0, timeoutMs, 'connections gone');
          expect(node.server.ft.stats()).toMatchObject({ topics: 0, subscriptions: 0 });
        }
      });
    });
  });
}
