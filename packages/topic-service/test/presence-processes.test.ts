/**
 * Presence with the service and the nodes as separate processes (built dist: `pnpm -C
 * packages/topic-service build` first): a node SIGKILLed without leaving takes its members with
 * it once its lease runs out, and a watcher on another node hears them leave.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { api, useCleanups } from './helpers.js';
import { processSpawners, runCli, type NodeProcess } from './service-process.js';
import { connectClient, type RawClient } from './ws-client.js';

const cleanups = useCleanups();
const TOPIC = '/pres/room';
const LEASE_MS = 2000;
const { service, node } = processSpawners(cleanups, { nodeEnv: { POLL_WAIT_MS: '500', PRESENCE: '/pres/*' } });

let ids = 0;
async function member(n: NodeProcess, user: string, watch = false): Promise<RawClient> {
  const c = await connectClient(`${n.wsUrl}?user=${user}&name=${user}`);
  cleanups.push(() => c.close());
  const id = `p${++ids}`;
  c.send({ type: 'subscribe', topic: [TOPIC], id, ...(watch && { presence: true }) });
  await c.next((f) => f.type === 'ack' && f.id === id, 10_000);
  return c;
}

describe('presence with separate processes', () => {
  it("a SIGKILLed node's members leave within its lease; a watcher on another node hears it; a member also on a live node stays", async () => {
    const svc = await service(['--port', '0', '--lease-ms', String(LEASE_MS)]);
    const call = api(svc.url);
    const a = await node(svc.url);
    const b = await node(svc.url);
    const watcher = await member(a, 'watcher', true);
    await member(b, 'bob');
    await member(b, 'ada');
    await member(a, 'ada');
    await watcher.next((f) => f.type === 'join' && f.member.id === 'bob', 10_000);
    const listed = async () =>
      ((await call('GET', `/v1/topics/${encodeURIComponent(TOPIC)}/presence`)).body.members as Array<{ memberId: string; connections: number }>)
        .map((m) => `${m.memberId}:${m.connections}`)
        .sort()
        .join(' ');
    await waitFor(async () => (await listed()) === 'ada:2 bob:1 watcher:1', 10_000, 'everyone listed');

    await b.stop('SIGKILL');
    const killedAt = performance.now();
    // The lease, the sweep (a quarter of it) and the node's leave debounce (1 s), with room for a loaded machine.
    expect(await watcher.next((f) => f.type === 'leave' && f.member.id === 'bob', LEASE_MS * 5)).toEqual({
      type: 'leave',
      topic: TOPIC,
      member: { id: 'bob', info: { name: 'bob' } },
    });
    const tookMs = performance.now() - killedAt;
    expect(tookMs).toBeGreaterThanOrEqual(LEASE_MS - 100);
    expect(await listed()).toBe('ada:1 watcher:1');
    // ada still has a tab on a: she never left.
    expect(watcher.frames.filter((f) => f.type === 'leave' && f.member.id === 'ada')).toEqual([]);
  }, 60_000);

  it('the CLI caps presence with --max-presence-shares and refuses a bad value', async () => {
    const svc = await service(['--port', '0', '--max-presence-shares', '1']);
    const call = api(svc.url);
    await call('POST', '/v1/nodes/register', { nodeId: 'a', epoch: 'e' });
    const member = (memberId: string) => ({ topic: TOPIC, memberId, info: 'null', connections: 1 });
    expect((await call('POST', '/v1/nodes/a/presence', { updates: [member('ada'), member('bob')] })).body).toEqual({ ok: true, refused: 1 });
    const bad = await runCli(['--port', '0', '--max-presence-shares', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-presence-shares must be a non-negative integer/);
  }, 30_000);
});
