import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { api, useCleanups } from './helpers.js';
import { processSpawners } from './service-process.js';
import type { RawClient } from './ws-client.js';

// The service and the nodes as separate processes (built dist): `pnpm --filter @firetower/topic-service build` first.
const cleanups = useCleanups();
const { service, node, client } = processSpawners(cleanups, { nodeEnv: { POLL_WAIT_MS: '500' } });

const seqs = (c: RawClient) => c.received('/t').map((d) => (d as { seq: number }).seq);

function strictlyIncreasing(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}

describe('service and nodes as separate processes', () => {
  it('service killed and restarted mid-traffic: nodes resync, no leaks, nothing twice; a killed node goes after the lease', async () => {
    let svc = await service(['--port', '0', '--lease-ms', '2000']);
    const port = String(svc.port);
    const call = api(svc.url);
    const a = await node(svc.url);
    const b = await node(svc.url);
    const subA = await client(a, ['/t']);
    const goneA = await client(a, ['/gone']);
    const subB = await client(b, ['/t']);
    const pub = await client(b);
    const topics = async () => (await call('GET', '/v1/topics')).body?.topics;
    await waitFor(
      async () =>
        JSON.stringify(await topics()) ===
        JSON.stringify([
          { topic: '/t', count: 2 },
          { topic: '/gone', count: 1 },
        ]),
      10_000,
      'initial counts',
    );

    // Steady traffic from a publisher on B to /t (load, not synchronisation).
    let seq = 0;
    const traffic = setInterval(() => pub.send({ type: 'publish', topic: '/t', data: { seq: ++seq } }), 3);
    cleanups.push(() => clearInterval(traffic));
    await waitFor(() => seqs(subA).length >= 20, 10_000, 'cross-node traffic flowing');

    await svc.stop('SIGKILL');
    // While the service is away: one subscription goes, one comes.
    goneA.close();
    const newB = await client(b, ['/new']);
    await waitFor(() => seqs(subB).length >= seq - 5 && seq > 0, 5000, 'local delivery goes on while the service is down');
    const sentBeforeRestart = seq;

    svc = await service(['--port', port, '--lease-ms', '2000']);
    await waitFor(
      async () =>
        JSON.stringify(await topics().catch(() => null)) ===
        JSON.stringify([
          { topic: '/t', count: 2 },
          { topic: '/new', count: 1 },
        ]),
      10_000,
      'counts resynced to the truth (no /gone leak)',
    );
    await waitFor(() => seqs(subA).some((s) => s > sentBeforeRestart + 20), 10_000, 'traffic flows again after the restart');
    clearInterval(traffic);
    pub.send({ type: 'publish', topic: '/t', data: { seq: ++seq } });
    const last = seq;
    await waitFor(() => seqs(subA).includes(last) && seqs(subB).includes(last), 10_000, 'final message everywhere');

    expect(strictlyIncreasing(seqs(subA))).toBe(true); // nothing twice, in order
    expect(strictlyIncreasing(seqs(subB))).toBe(true);
    expect(seqs(subB)).toEqual(Array.from({ length: last }, (_, i) => i + 1)); // local: every message
    expect(newB.received('/t')).toEqual([]);

    // A node killed without leaving: its counts go once its lease (2 s) runs out.
    await b.stop('SIGKILL');
    await waitFor(async () => JSON.stringify(await topics()) === JSON.stringify([{ topic: '/t', count: 1 }]), 10_000, "b's counts vanish");
    const nodes = (await call('GET', '/v1/nodes')).body.nodes;
    expect(nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual([a.nodeId]);
  }, 90_000); // ~12 s on an idle machine; spawning three processes on a loaded one takes far longer
});
