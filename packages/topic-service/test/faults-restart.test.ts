import { afterEach, describe, expect, it } from 'vitest';
import { api, waitFor } from './helpers.js';
import { spawnNode, spawnService, type NodeProcess, type ServiceProcess } from './service-process.js';
import { connectClient, type RawClient } from './ws-client.js';

// Fault injection with real processes (built dist: `pnpm -C packages/topic-service build`).
// FAULT_GRACE_MS / FAULT_REPLAY_MS switch the fixes off, to watch these tests fail without them.
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await Promise.resolve(cleanups.pop()!()).catch(() => undefined);
});

const graceArgs = process.env.FAULT_GRACE_MS === undefined ? [] : ['--grace-ms', process.env.FAULT_GRACE_MS];
const nodeEnv = {
  POLL_WAIT_MS: '500',
  REQUEST_TIMEOUT_MS: '1000',
  ...(process.env.FAULT_REPLAY_MS === undefined ? {} : { REPLAY_WINDOW_MS: process.env.FAULT_REPLAY_MS }),
};

async function service(args: string[]): Promise<ServiceProcess> {
  const s = await spawnService([...args, ...graceArgs]);
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

async function node(url: string): Promise<NodeProcess> {
  const n = await spawnNode(url, nodeEnv);
  cleanups.push(() => n.stop('SIGKILL'));
  return n;
}

async function client(n: NodeProcess, topics: string[] = []): Promise<RawClient> {
  const c = await connectClient(n.wsUrl);
  cleanups.push(() => c.close());
  if (topics.length > 0) await c.subscribe(topics);
  return c;
}

/** The sequence numbers a subscriber received from one publisher, in arrival order. */
const from = (c: RawClient, who: string) =>
  c.received('/t').filter((d) => (d as { from: string }).from === who).map((d) => (d as { seq: number }).seq);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the topic service frozen (SIGSTOP) for 3 s with traffic both ways, then resumed', () => {
  it('duplicates nothing: batches whose POST timed out during the freeze are not relayed twice', async () => {
    const svc = await service(['--port', '0']);
    const call = api(svc.url);
    const a = await node(svc.url);
    const b = await node(svc.url);
    const subA = await client(a, ['/t']);
    const subB = await client(b, ['/t']);
    const pubA = await client(a);
    const pubB = await client(b);
    await waitFor(async () => JSON.stringify((await call('GET', '/v1/topics')).body.topics) === JSON.stringify([{ topic: '/t', count: 2 }]), 10_000, 'counts');

    let seqA = 0;
    let seqB = 0;
    const traffic = setInterval(() => {
      pubA.send({ type: 'publish', topic: '/t', data: { from: 'a', seq: ++seqA } });
      pubB.send({ type: 'publish', topic: '/t', data: { from: 'b', seq: ++seqB } });
    }, 5);
    cleanups.push(() => clearInterval(traffic));
    await waitFor(() => from(subB, 'a').length >= 20 && from(subA, 'b').length >= 20, 10_000, 'cross-node traffic both ways');

    svc.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    // The freeze outlasts the nodes' request timeout (1 s): their POSTs time out and are sent again.
    await waitFor(() => Date.now() - frozenAt >= 3000, 10_000, 'three seconds of freeze');
    svc.child.kill('SIGCONT');
    const resumedAt = { a: seqA, b: seqB };
    await waitFor(
      () => from(subB, 'a').some((s) => s > resumedAt.a) && from(subA, 'b').some((s) => s > resumedAt.b),
      20_000,
      'traffic flows both ways after the freeze',
    );
    clearInterval(traffic);
    pubA.send({ type: 'publish', topic: '/t', data: { from: 'a', seq: ++seqA } });
    pubB.send({ type: 'publish', topic: '/t', data: { from: 'b', seq: ++seqB } });
    const lastA = seqA;
    const lastB = seqB;
    await waitFor(() => from(subB, 'a').includes(lastA) && from(subA, 'b').includes(lastB), 20_000, 'the last messages everywhere');

    const twice = (seqs: number[]) => seqs.filter((s, i) => seqs.indexOf(s) !== i);
    expect(twice(from(subB, 'a'))).toEqual([]);
    expect(twice(from(subA, 'b'))).toEqual([]);
    // Nothing lost either: the service was only slow.
    expect(from(subB, 'a')).toEqual(oneToN(lastA));
    expect(from(subA, 'b')).toEqual(oneToN(lastB));
  }, 90_000);
});

describe('the topic service SIGKILLed and restarted with traffic both ways', () => {
  it('loses nothing and duplicates nothing: every message on every subscribing node exactly once, in order; counts exact', async () => {
    let svc = await service(['--port', '0', '--lease-ms', '3000']);
    const port = String(svc.port);
    const call = api(svc.url);
    const a = await node(svc.url);
    const b = await node(svc.url);
    const subA = await client(a, ['/t']);
    const subB = await client(b, ['/t']);
    const pubA = await client(a);
    const pubB = await client(b);
    const topics = async () => JSON.stringify((await call('GET', '/v1/topics').catch(() => null))?.body?.topics);
    await waitFor(async () => (await topics()) === JSON.stringify([{ topic: '/t', count: 2 }]), 10_000, 'counts at the service');

    // Steady traffic both ways (load, not synchronisation).
    let seqA = 0;
    let seqB = 0;
    const traffic = setInterval(() => {
      pubA.send({ type: 'publish', topic: '/t', data: { from: 'a', seq: ++seqA } });
      pubB.send({ type: 'publish', topic: '/t', data: { from: 'b', seq: ++seqB } });
    }, 5);
    cleanups.push(() => clearInterval(traffic));
    await waitFor(() => from(subB, 'a').length >= 20 && from(subA, 'b').length >= 20, 10_000, 'cross-node traffic both ways');

    await svc.stop('SIGKILL');
    const killedAt = seqA;
    await waitFor(() => seqA > killedAt + 100, 10_000, 'traffic buffered during the outage');
    svc = await service(['--port', port, '--lease-ms', '3000']);
    const restartedAt = { a: seqA, b: seqB };
    await waitFor(
      () => from(subB, 'a').some((s) => s > restartedAt.a) && from(subA, 'b').some((s) => s > restartedAt.b),
      20_000,
      'traffic flows both ways after the restart',
    );
    clearInterval(traffic);
    pubA.send({ type: 'publish', topic: '/t', data: { from: 'a', seq: ++seqA } });
    pubB.send({ type: 'publish', topic: '/t', data: { from: 'b', seq: ++seqB } });
    const lastA = seqA;
    const lastB = seqB;
    await waitFor(() => from(subB, 'a').includes(lastA) && from(subA, 'b').includes(lastB), 20_000, 'the last messages everywhere');

    // Cross-node: every message once, in order (nothing lost in the outage or the restart).
    expect(from(subB, 'a')).toEqual(oneToN(lastA));
    expect(from(subA, 'b')).toEqual(oneToN(lastB));
    // Local delivery went on throughout.
    expect(from(subA, 'a')).toEqual(oneToN(lastA));
    expect(from(subB, 'b')).toEqual(oneToN(lastB));
    expect(await topics()).toBe(JSON.stringify([{ topic: '/t', count: 2 }]));
    expect((await call('GET', '/v1/nodes')).body.nodes.map((n: { nodeId: string }) => n.nodeId).sort()).toEqual([a.nodeId, b.nodeId].sort());
  }, 90_000);
});
