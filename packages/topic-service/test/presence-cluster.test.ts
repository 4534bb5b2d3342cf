/**
 * Presence through real firetower nodes on one embedded topic service (issue 19): a user's tabs
 * on two nodes are one member, the watcher's node hears join and leave, everything returns to
 * zero; and after a service restart the nodes rewrite their presence so every list converges.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import type { FiretowerOptions } from '@firetower/server';
import type { TopicServiceBroker } from '../src/broker/topic-service-broker.js';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';
import { startNode, type ClusterNode } from './cluster-harness.js';
import { useCleanups } from './helpers.js';
import { connectClient, type RawClient } from './ws-client.js';

const cleanups = useCleanups();
const TOPIC = '/pres/room';
const DEADLINE = 10_000;

const presenceOptions: FiretowerOptions = {
  presence: [{ match: '/pres/*' }],
  hooks: {
    authenticate: ({ query }) => ({
      userId: query.get('user') ?? undefined,
      presence: query.has('name') ? { name: query.get('name') } : undefined,
    }),
  },
};

async function service(port = 0): Promise<RunningTopicService> {
  const s = await startTopicService({ port });
  cleanups.push(() => s.close());
  return s;
}

async function node(url: string): Promise<ClusterNode> {
  const n = await startNode(url, { pollWaitMs: 1000, requestTimeoutMs: 1000 }, presenceOptions);
  cleanups.push(() => n.close());
  return n;
}

let ids = 0;
/** A connection of `user` subscribed to the topic (with join/leave events when `watch`). */
async function member(n: ClusterNode, user: string, watch = false): Promise<RawClient> {
  const c = await connectClient(`${n.wsUrl}?user=${user}&name=${user.toUpperCase()}`);
  cleanups.push(() => c.close());
  const id = `p${++ids}`;
  c.send({ type: 'subscribe', topic: [TOPIC], id, ...(watch && { presence: true }) });
  await c.next((f) => f.type === 'ack' && f.id === id, DEADLINE);
  return c;
}

/** Member ids and connections as a node's `ft.presence` shows them, sorted. */
async function listed(n: ClusterNode): Promise<string> {
  const list = await n.ft.presence(TOPIC);
  return list.members
    .map((m) => `${m.id}:${m.connections}`)
    .sort()
    .join(' ');
}

const events = (c: RawClient, type: 'join' | 'leave', id: string) => c.frames.filter((f) => f.type === type && f.member?.id === id);

describe('presence through firetower nodes on the topic service', () => {
  it('a user with tabs on two nodes is one member; it leaves only after the last tab; then nothing is left anywhere', async () => {
    const svc = await service();
    const a = await node(svc.url);
    const b = await node(svc.url);
    const watcher = await member(a, 'watcher', true);
    const tabA = await member(a, 'ada');
    const tabB = await member(b, 'ada');
    expect(await watcher.next((f) => f.type === 'join' && f.member.id === 'ada', DEADLINE)).toEqual({
      type: 'join',
      topic: TOPIC,
      member: { id: 'ada', info: { name: 'ADA' } },
    });
    for (const n of [a, b]) await waitFor(async () => (await listed(n)) === 'ada:2 watcher:1', DEADLINE, 'ada with two tabs on every node');

    // One tab closes: ada is still there (the service holds her share of b).
    tabA.close();
    for (const n of [a, b]) await waitFor(async () => (await listed(n)) === 'ada:1 watcher:1', DEADLINE, 'ada with one tab');
    expect(svc.core.presenceList(TOPIC, 10).members.find((m) => m.memberId === 'ada')?.connections).toBe(1);

    tabB.close();
    expect(await watcher.next((f) => f.type === 'leave' && f.member.id === 'ada', DEADLINE)).toEqual({
      type: 'leave',
      topic: TOPIC,
      member: { id: 'ada', info: { name: 'ADA' } },
    });
    expect(events(watcher, 'join', 'ada')).toHaveLength(1);
    expect(events(watcher, 'leave', 'ada')).toHaveLength(1);

    watcher.close();
    await waitFor(() => svc.core.presenceStats().shares === 0, DEADLINE, 'the service holds no presence');
    expect(svc.core.presenceStats()).toEqual({ topics: 0, members: 0, shares: 0, refused: 0 });
    for (const n of [a, b]) expect((await n.ft.presence(TOPIC)).total).toBe(0);
  });

  it('after a service restart the nodes rewrite their presence: lists converge to who is really there', async () => {
    let svc = await service();
    const port = svc.port;
    const a = await node(svc.url);
    const b = await node(svc.url);
    const watcher = await member(b, 'watcher', true);
    await member(a, 'ada');
    const bob = await member(b, 'bob');
    for (const n of [a, b]) await waitFor(async () => (await listed(n)) === 'ada:1 bob:1 watcher:1', DEADLINE, 'three members');

    await svc.close();
    // While the service is away: bob goes, cy comes (each node knows only its own).
    bob.close();
    await bob.closed;
    await member(a, 'cy');

    svc = await service(port);
    // Back once both nodes re-registered (with counts and presence); then the restart grace, which
    // waits for exactly that, is ended so held transitions go out now.
    await waitFor(
      () => svc.core.nodeInfos().length === 2 && [a, b].every((n) => (n.ft.broker as TopicServiceBroker).state === 'connected'),
      DEADLINE,
      'both nodes back',
    );
    svc.core.endGrace();
    for (const n of [a, b]) await waitFor(async () => (await listed(n)).startsWith('ada:1 cy:1 watcher:1'), DEADLINE, 'lists converge');
    for (const n of [a, b]) expect(await listed(n)).toBe('ada:1 cy:1 watcher:1');
    expect(svc.core.presenceStats()).toMatchObject({ topics: 1, members: 3, shares: 3 });
    // The member who came while the service was down is announced to the watcher on the other node.
    await watcher.next((f) => f.type === 'join' && f.member.id === 'cy', DEADLINE);
  });
});
