import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { api, useCleanups } from './helpers.js';
import { processSpawners } from './service-process.js';
import type { RawClient } from './ws-client.js';

// Fault injection with real processes (built dist: `pnpm -C packages/topic-service build`).
// FAULT_GRACE_MS / FAULT_REPLAY_MS switch the fixes off, to watch these tests fail without them.
const cleanups = useCleanups();

const graceArgs = process.env.FAULT_GRACE_MS === undefined ? [] : ['--grace-ms', process.env.FAULT_GRACE_MS];
const nodeEnv = {
  POLL_WAIT_MS: '500',
  REQUEST_TIMEOUT_MS: '1000',
  ...(process.env.FAULT_REPLAY_MS === undefined ? {} : { REPLAY_WINDOW_MS: process.env.FAULT_REPLAY_MS }),
};

const { service, node, client } = processSpawners(cleanups, { serviceArgs: graceArgs, nodeEnv });

/** The sequence numbers a subscriber received from one publisher, in arrival order. */
const from = (c: RawClient, who: string) =>
  c
    .received('/t')
    .filter((d) => (d as { from: string }).from === who)
    .map((d) => (d as { seq: number }).seq);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Two nodes of the service at `url`, each with a subscriber of /t and a publisher. */
async function twoNodes(url: string) {
  const a = await node(url);
  const b = await node(url);
  return { a, b, subA: await client(a, ['/t']), subB: await client(b, ['/t']), pubA: await client(a), pubB: await client(b) };
}

/**
 * Steady traffic both ways (load, not synchronisation): each node's publisher sends the next number
 * every 5 ms; resolves once it flows across. `seq` is the last number each sent.
 */
async function startTraffic({ subA, subB, pubA, pubB }: Awaited<ReturnType<typeof twoNodes>>) {
  const seq = { a: 0, b: 0 };
  const sendBoth = () => {
    pubA.send({ type: 'publish', topic: '/t', data: { from: 'a', seq: ++seq.a } });
    pubB.send({ type: 'publish', topic: '/t', data: { from: 'b', seq: ++seq.b } });
  };
  const traffic = setInterval(sendBoth, 5);
  cleanups.push(() => clearInterval(traffic));
  await waitFor(() => from(subB, 'a').length >= 20 && from(subA, 'b').length >= 20, 10_000, 'cross-node traffic both ways');
  return {
    seq,
    /** Waits for traffic sent from now on to flow both ways (`what`), stops it, and waits for one last message each everywhere: their numbers. */
    async finish(what: string): Promise<{ lastA: number; lastB: number }> {
      const since = { ...seq };
      await waitFor(() => from(subB, 'a').some((s) => s > since.a) && from(subA, 'b').some((s) => s > since.b), 20_000, what);
      clearInterval(traffic);
      sendBoth();
      const { a: lastA, b: lastB } = seq;
      await waitFor(() => from(subB, 'a').includes(lastA) && from(subA, 'b').includes(lastB), 20_000, 'the last messages everywhere');
      return { lastA, lastB };
    },
  };
}

describe('the topic service frozen (SIGSTOP) for 3 s with traffic both ways, then resumed', () => {
  it('duplicates nothing: batches whose POST timed out during the freeze are not relayed twice', async () => {
    const svc = await service(['--port', '0']);
    const call = api(svc.url);
    const nodes = await twoNodes(svc.url);
    const { subA, subB } = nodes;
    await waitFor(async () => JSON.stringify((await call('GET', '/v1/topics')).body.topics) === JSON.stringify([{ topic: '/t', count: 2 }]), 10_000, 'counts');
    const traffic = await startTraffic(nodes);

    svc.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    // The freeze outlasts the nodes' request timeout (1 s): their POSTs time out and are sent again.
    await waitFor(() => Date.now() - frozenAt >= 3000, 10_000, 'three seconds of freeze');
    svc.child.kill('SIGCONT');
    const { lastA, lastB } = await traffic.finish('traffic flows both ways after the freeze');

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
    const nodes = await twoNodes(svc.url);
    const { a, b, subA, subB } = nodes;
    const topics = async () => JSON.stringify((await call('GET', '/v1/topics').catch(() => null))?.body?.topics);
    await waitFor(async () => (await topics()) === JSON.stringify([{ topic: '/t', count: 2 }]), 10_000, 'counts at the service');
    const traffic = await startTraffic(nodes);

    await svc.stop('SIGKILL');
    const killedAt = traffic.seq.a;
    await waitFor(() => traffic.seq.a > killedAt + 100, 10_000, 'traffic buffered during the outage');
    svc = await service(['--port', port, '--lease-ms', '3000']);
    const { lastA, lastB } = await traffic.finish('traffic flows both ways after the restart');

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
