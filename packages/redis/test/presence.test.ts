/**
 * Redis presence at the broker seam, on a real redis-server: cluster-wide transitions from
 * per-node shares, a dead node's members leaving within the lease, a Redis that lost everything
 * (SIGKILL without persistence, FLUSHALL) converging back to the nodes' truth, and no key left
 * once every member is gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceChange, PresenceUpdate } from '@firetower/server';
import { RecordingNode, uniqueNodeId, waitFor } from '@firetower/server/testing';
import { type RedisBroker, redisBroker } from '@firetower/redis';
import { adminClient, RedisServer, redisServerPath, SKIP_REASON } from './redis-server.js';
import { TcpProxy } from './tcp-proxy.js';

const LEASE_MS = 600;
const CHILD_NODE = fileURLToPath(new URL('./fixtures/presence-node.mjs', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

/** Starts `fixtures/presence-node.mjs` (a broker node in its own process) and resolves once its members are in Redis. */
async function startChildNode(args: string[], timeoutMs = 10_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD_NODE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child node not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready ')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child node exited with ${String(code)}:\n${output}`));
    });
  });
  await ready;
  return child;
}

/** A recording node that also keeps presence the way a server does, and records the transitions it hears. */
class PresenceNode extends RecordingNode {
  readonly changes: PresenceChange[] = [];
  /** topic → member → { info, connections } on this node. */
  readonly members = new Map<string, Map<string, { info: string; connections: number }>>();
  presenceBroker: RedisBroker | undefined;

  presenceChanged(change: PresenceChange): void {
    this.changes.push(change);
  }

  localPresence(): PresenceUpdate[] {
    const all: PresenceUpdate[] = [];
    for (const [topic, members] of this.members) for (const [memberId, m] of members) all.push({ topic, memberId, ...m });
    return all;
  }

  /** This node now holds `connections` of the member on the topic (0: none), told to the broker. */
  hold(topic: string, memberId: string, connections: number, info = JSON.stringify({ name: memberId })): void {
    let members = this.members.get(topic);
    if (members === undefined) this.members.set(topic, (members = new Map()));
    if (connections > 0) members.set(memberId, { info, connections });
    else members.delete(memberId);
    if (members.size === 0) this.members.delete(topic);
    this.presenceBroker?.updatePresence([{ topic, memberId, info, connections }]);
  }

  joinedIds(topic: string): string[] {
    return this.changes.filter((c) => c.topic === topic).flatMap((c) => c.joined.map((m) => m.memberId));
  }

  leftIds(topic: string): string[] {
    return this.changes.filter((c) => c.topic === topic).flatMap((c) => c.left.map((m) => m.memberId));
  }
}

describe.skipIf(!redisServerPath)(`redis broker presence${redisServerPath ? '' : ` (${SKIP_REASON})`}`, () => {
  let redis: RedisServer;
  let prefixSeq = 0;
  const open: RedisBroker[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  /** Nodes on one fresh prefix, each with a local subscriber of `topic` (so it listens on its channel). */
  async function cluster(
    names: string[],
    topic: string,
    urls: Record<string, string> = {},
    leaseMs = LEASE_MS,
  ): Promise<{ prefix: string; nodes: PresenceNode[]; brokers: RedisBroker[] }> {
    const prefix = `p${++prefixSeq}:`;
    const nodes: PresenceNode[] = [];
    const brokers: RedisBroker[] = [];
    for (const name of names) {
      const node = new PresenceNode(uniqueNodeId(name));
      const broker = redisBroker({ url: urls[name] ?? redis.url, keyPrefix: prefix, leaseMs, maxReconnectDelayMs: 100 });
      open.push(broker);
      await node.start(broker);
      node.presenceBroker = broker;
      node.setCounts({ [topic]: 1 });
      await broker.count(topic); // the SUBSCRIBE is confirmed once the count write settled
      nodes.push(node);
      brokers.push(broker);
    }
    return { prefix, nodes, brokers };
  }

  /** Every presence key under the prefix (topic hashes and node shares). */
  async function presenceKeys(prefix: string): Promise<string[]> {
    const admin = await adminClient(redis.url);
    try {
      return [...(await admin.keys(`${prefix}pres:*`)), ...(await admin.keys(`${prefix}pshare:*`))];
    } finally {
      admin.destroy();
    }
  }

  const listed = async (broker: RedisBroker, topic: string) => {
    const { members, total } = await broker.presence(topic, 2_000);
    const sorted = members.map((m): [string, number] => [m.memberId, m.connections]).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return { total, members: Object.fromEntries(sorted) };
  };
  /** The list on `broker` becomes `expected` (other nodes' writes land on their own connections, a moment later). */
  const listSettles = async (broker: RedisBroker, topic: string, expected: { total: number; members: Record<string, number> }, timeoutMs = 5_000) => {
    const want = JSON.stringify({
      total: expected.total,
      members: Object.fromEntries(Object.entries(expected.members).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
    });
    await waitFor(async () => JSON.stringify(await listed(broker, topic)) === want, timeoutMs, `presence(${topic}) = ${want}`).catch(() => undefined);
    expect(await listed(broker, topic)).toEqual(expected);
  };

  it('a member on two nodes joins once and leaves after its last connection anywhere; every listening node hears it', async () => {
    const { prefix, nodes, brokers } = await cluster(['a', 'b'], 'room');
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    a.hold('room', 'ada', 1);
    await waitFor(() => a.joinedIds('room').length === 1 && b.joinedIds('room').length === 1, 5_000, 'join heard on both nodes');
    expect(b.changes[0]).toEqual({ topic: 'room', joined: [{ memberId: 'ada', info: '{"name":"ada"}' }], left: [], members: 1 });

    b.hold('room', 'ada', 2);
    a.hold('room', 'bob', 1, 'null');
    await waitFor(() => b.joinedIds('room').includes('bob'), 5_000, 'bob joined');
    for (const broker of brokers) await listSettles(broker, 'room', { total: 2, members: { ada: 3, bob: 1 } });
    expect(a.joinedIds('room')).toEqual(['ada', 'bob']); // ada's second node was no join

    a.hold('room', 'ada', 0);
    b.hold('room', 'ada', 1);
    for (const broker of brokers) await listSettles(broker, 'room', { total: 2, members: { ada: 1, bob: 1 } });
    b.hold('room', 'ada', 0);
    await waitFor(() => a.leftIds('room').includes('ada') && b.leftIds('room').includes('ada'), 5_000, 'ada left, heard on both');
    expect(a.changes.at(-1)).toEqual({ topic: 'room', joined: [], left: [{ memberId: 'ada', info: '{"name":"ada"}' }], members: 1 });
    expect(a.leftIds('room')).toEqual(['ada']);

    a.hold('room', 'bob', 0);
    await waitFor(() => b.leftIds('room').includes('bob'), 5_000, 'bob left');
    await listSettles(brokers[0]!, 'room', { total: 0, members: {} });
    expect(await presenceKeys(prefix)).toEqual([]);
  });

  it('a node hears the join of its own member on a topic its SUBSCRIBE is still on the way for', async () => {
    const { nodes } = await cluster(['a'], 'warm');
    const [a] = nodes as [PresenceNode];
    // A round starts for 'other'; 'fresh' arrives while it runs, so its channel comes a round later.
    a.setCounts({ other: 1 });
    a.setCounts({ fresh: 1 });
    a.hold('fresh', 'ada', 1);
    await waitFor(() => a.joinedIds('fresh').includes('ada'), 5_000, 'a heard ada join');
  });

  it('updates within one turn are coalesced per member, and a limit caps the list but not the total', async () => {
    const { nodes, brokers } = await cluster(['a', 'b'], 'big');
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    // One batch: ada's flicker (1 → 0 → 2) is written as its latest count only.
    a.presenceBroker!.updatePresence([
      { topic: 'big', memberId: 'ada', info: 'null', connections: 1 },
      { topic: 'big', memberId: 'ada', info: 'null', connections: 0 },
      ...Array.from({ length: 250 }, (_, i) => ({ topic: 'big', memberId: `m${i}`, info: `{"i":${i}}`, connections: 1 })),
      { topic: 'big', memberId: 'ada', info: '"back"', connections: 2 },
    ]);
    // a's read waits for a's own writes.
    const { members, total } = await brokers[0]!.presence('big', 10);
    expect(total).toBe(251);
    expect(members).toHaveLength(10);
    await waitFor(() => b.joinedIds('big').length === 251, 5_000, 'one join per member on b');
    expect(b.leftIds('big')).toEqual([]);
    expect(b.changes.at(-1)!.members).toBe(251);
    const all = await brokers[0]!.presence('big', 1000);
    expect(all.members.find((m) => m.memberId === 'ada')).toEqual({ memberId: 'ada', info: '"back"', connections: 2 });
    expect(a.joinedIds('big')).toHaveLength(251);
  });

  it('a node that dies without leaving: its members leave within the lease; one still on a live node stays', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const { prefix, nodes, brokers } = await cluster(['a', 'dead'], 'lease', { dead: proxy.url });
    const [a, dead] = nodes as [PresenceNode, PresenceNode];
    a.hold('lease', 'ada', 1);
    dead.hold('lease', 'ada', 1);
    dead.hold('lease', 'bob', 2);
    await waitFor(() => a.joinedIds('lease').length === 2, 5_000, 'both joined');

    // Its link is gone (as a SIGKILLed process's is): no leave script, no heartbeat.
    proxy.cut();
    const cutAt = Date.now();
    await waitFor(() => a.leftIds('lease').includes('bob'), 4 * LEASE_MS, 'bob left within the lease');
    const tookMs = Date.now() - cutAt;
    expect(a.leftIds('lease')).toEqual(['bob']);
    await listSettles(brokers[0]!, 'lease', { total: 1, members: { ada: 1 } });
    const keys = await presenceKeys(prefix);
    expect(keys.sort()).toEqual([`${prefix}pres:lease`, `${prefix}pshare:${a.nodeId}`]);
    console.log(`presence: a dead node's member left ${tookMs} ms after its link was cut (lease ${LEASE_MS} ms)`);

    // It comes back (a partition healed): its members join again from its full rewrite.
    proxy.restore();
    await waitFor(() => a.joinedIds('lease').filter((id) => id === 'bob').length === 2, 5_000, 'bob joined again');
    await listSettles(brokers[0]!, 'lease', { total: 2, members: { ada: 2, bob: 2 } });
  });

  // A real process death: the built dist in a child process, SIGKILLed.
  it.skipIf(!BUILT)('a node process SIGKILLed: its members leave within the lease (needs the built dist)', async () => {
    const { prefix, nodes, brokers } = await cluster(['a'], 'killed');
    const [a] = nodes as [PresenceNode];
    a.hold('killed', 'ada', 1);
    const child = await startChildNode([redis.url, prefix, String(LEASE_MS), 'killed', 'ada', 'bob', 'cy']);
    try {
      await waitFor(() => a.joinedIds('killed').length === 3, 5_000, 'ada, bob and cy joined');
      await listSettles(brokers[0]!, 'killed', { total: 3, members: { ada: 2, bob: 1, cy: 1 } });
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      const killedAt = Date.now();
      await waitFor(() => a.leftIds('killed').length === 2, 4 * LEASE_MS, 'bob and cy left within the lease');
      console.log(`presence: a SIGKILLed node's members left ${Date.now() - killedAt} ms after the kill (lease ${LEASE_MS} ms)`);
      expect(a.leftIds('killed').sort()).toEqual(['bob', 'cy']);
      expect(await listed(brokers[0]!, 'killed')).toEqual({ total: 1, members: { ada: 1 } });
      expect((await presenceKeys(prefix)).sort()).toEqual([`${prefix}pres:killed`, `${prefix}pshare:${a.nodeId}`]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('many members: a rewrite after a short outage, a sweep and a leave go in batches, with exactly the right transitions', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    // A lease long enough that the short outage below is no death.
    const { prefix, nodes, brokers } = await cluster(['a', 'b'], 'many', { b: proxy.url }, 10_000);
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    const ids = Array.from({ length: 1_200 }, (_, i) => `m${i}`);
    for (const id of ids) b.hold('many', id, 1);
    await waitFor(() => a.joinedIds('many').length === 1_200, 10_000, '1 200 joined');

    proxy.cut();
    await waitFor(() => brokers[1]!.brokerState === 'degraded', 5_000, 'b degraded');
    // While b is away: 700 of its members leave, 10 arrive.
    for (const id of ids.slice(0, 700)) b.hold('many', id, 0);
    for (let i = 0; i < 10; i++) b.hold('many', `new${i}`, 1);
    proxy.restore();
    await waitFor(() => a.leftIds('many').length === 700 && a.joinedIds('many').length === 1_210, 10_000, 'the rewrite: 700 leaves, 10 joins');
    await listSettles(brokers[0]!, 'many', {
      total: 510,
      members: Object.fromEntries([...ids.slice(700), ...Array.from({ length: 10 }, (_, i) => `new${i}`)].map((id) => [id, 1])),
    });
    expect(new Set(a.leftIds('many'))).toEqual(new Set(ids.slice(0, 700)));

    // Its leave drops 510 shares over two calls.
    await brokers[1]!.close();
    expect((await brokers[0]!.presence('many', 1)).total).toBe(0);
    await waitFor(() => a.leftIds('many').length === 1_210, 5_000, 'every member left');
    expect(await presenceKeys(prefix)).toEqual([]);
  });

  it('any topic and member text: a rewrite keeps who stays (no leave, no join) and drops who left', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const topic = 'røøm:✓ 12:x';
    const { nodes, brokers } = await cluster(['a', 'b'], topic, { b: proxy.url }, 10_000);
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    const stays = 'ünï✓ "q"\n 3:';
    const goes = '7:røøm:✓ 12:x';
    b.hold(topic, stays, 1);
    b.hold(topic, goes, 2);
    await waitFor(() => a.joinedIds(topic).length === 2, 5_000, 'both joined');
    proxy.cut();
    await waitFor(() => brokers[1]!.brokerState === 'degraded', 5_000, 'b degraded');
    b.hold(topic, goes, 0);
    proxy.restore();
    await waitFor(() => a.leftIds(topic).length === 1, 5_000, 'the one who went left');
    await listSettles(brokers[0]!, topic, { total: 1, members: { [stays]: 1 } });
    expect(a.leftIds(topic)).toEqual([goes]);
    expect(a.joinedIds(topic).sort()).toEqual([goes, stays].sort());
  });

  it('many members on a dead node: the sweep goes on batch after batch, all leave within the lease', async () => {
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const { prefix, nodes, brokers } = await cluster(['a', 'dead'], 'swept', { dead: proxy.url });
    const [a, dead] = nodes as [PresenceNode, PresenceNode];
    for (let i = 0; i < 1_300; i++) dead.hold('swept', `m${i}`, 1);
    await waitFor(() => a.joinedIds('swept').length === 1_300, 10_000, '1 300 joined');
    proxy.cut();
    await waitFor(() => a.leftIds('swept').length === 1_300, 4 * LEASE_MS, 'all left within the lease');
    expect((await brokers[0]!.presence('swept', 1)).total).toBe(0);
    expect(await presenceKeys(prefix)).toEqual([]);
  });

  it('a closed node takes its members with it at once (a member still elsewhere stays)', async () => {
    const { prefix, nodes, brokers } = await cluster(['a', 'b'], 'bye');
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    a.hold('bye', 'ada', 1);
    b.hold('bye', 'ada', 1);
    b.hold('bye', 'bob', 1);
    await waitFor(() => a.joinedIds('bye').length === 2, 5_000, 'both joined');
    await brokers[1]!.close();
    // The leave ran before close() resolved.
    expect(await listed(brokers[0]!, 'bye')).toEqual({ total: 1, members: { ada: 1 } });
    await waitFor(() => a.leftIds('bye').includes('bob'), 5_000, 'bob left');
    expect(a.leftIds('bye')).toEqual(['bob']);
    a.hold('bye', 'ada', 0);
    await waitFor(() => a.leftIds('bye').includes('ada'), 5_000, 'ada left');
    expect(await presenceKeys(prefix)).toEqual([]);
  });

  it('after a redis-server SIGKILL and restart (no persistence) the lists converge to what the nodes hold', async () => {
    const { prefix, nodes, brokers } = await cluster(['a', 'b'], 'boot');
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    a.hold('boot', 'ada', 1);
    b.hold('boot', 'ada', 1);
    b.hold('boot', 'bob', 1);
    await waitFor(() => a.joinedIds('boot').length === 2, 5_000, 'both joined');

    await redis.kill();
    await waitFor(() => brokers.every((broker) => broker.brokerState === 'degraded'), 5_000, 'both degraded');
    // While Redis is away a node answers with its own members.
    expect(await listed(brokers[1]!, 'boot')).toEqual({ total: 2, members: { ada: 1, bob: 1 } });
    // Changes while Redis is away: bob leaves, cy arrives on a, ada closes her tab on b.
    b.hold('boot', 'bob', 0);
    b.hold('boot', 'ada', 0);
    a.hold('boot', 'cy', 3);

    await redis.spawn();
    for (const broker of brokers) await listSettles(broker, 'boot', { total: 2, members: { ada: 1, cy: 3 } }, 10_000);
    await waitFor(() => b.joinedIds('boot').includes('cy'), 5_000, 'cy joined');

    a.hold('boot', 'ada', 0);
    a.hold('boot', 'cy', 0);
    await listSettles(brokers[0]!, 'boot', { total: 0, members: {} });
    expect(await presenceKeys(prefix)).toEqual([]);
  });

  it('after a FLUSHALL each node rewrites its members within the lease', async () => {
    const { prefix, nodes, brokers } = await cluster(['a', 'b'], 'flush');
    const [a, b] = nodes as [PresenceNode, PresenceNode];
    a.hold('flush', 'ada', 2);
    b.hold('flush', 'bob', 1);
    await waitFor(() => a.joinedIds('flush').length === 2, 5_000, 'both joined');
    const admin = await adminClient(redis.url);
    try {
      await admin.flushAll();
    } finally {
      admin.destroy();
    }
    for (const broker of brokers) await listSettles(broker, 'flush', { total: 2, members: { ada: 2, bob: 1 } }, 4 * LEASE_MS);
    a.hold('flush', 'ada', 0);
    b.hold('flush', 'bob', 0);
    await listSettles(brokers[0]!, 'flush', { total: 0, members: {} });
    expect(await presenceKeys(prefix)).toEqual([]);
  });
});
