/**
 * Presence through the topic-service broker (issue 19), with recording nodes: updates coalesce
 * per member and go right after the counts, transitions arrive through the inbox on every node
 * with subscribers, reads see this node's own writes, a service without presence is survived,
 * and a presence entry the broker cannot trust is refused.
 */
import { createServer } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import type { PresenceChange, PresenceUpdate } from '@firetower/server';
import { RecordingNode, waitFor } from '@firetower/server/testing';
import { topicServiceBroker, type TopicServiceBroker, type TopicServiceBrokerOptions } from '../src/broker/topic-service-broker.js';
import { startTopicService, type RunningTopicService } from '../src/service/create.js';
import { listenLocally, useCleanups } from './helpers.js';

const cleanups = useCleanups();
const TOPIC = '/pres/room';
const DEADLINE = 5000;

/** A recording node that also keeps presence: what it reported, and the transitions it heard. */
class PresenceNode extends RecordingNode {
  readonly changes: PresenceChange[] = [];
  /** `topic member` → update, what `localPresence()` answers. */
  readonly present = new Map<string, PresenceUpdate>();

  presenceChanged(change: PresenceChange): void {
    this.changes.push(change);
  }

  localPresence(): PresenceUpdate[] {
    return [...this.present.values()];
  }

  /** Set members' local connections and tell the broker, as a server's presence would. */
  setPresence(broker: TopicServiceBroker, updates: PresenceUpdate[]): void {
    for (const update of updates) {
      if (update.connections > 0) this.present.set(`${update.topic} ${update.memberId}`, update);
      else this.present.delete(`${update.topic} ${update.memberId}`);
    }
    broker.updatePresence(updates);
  }

  /** `topic: +joined -left` for each change heard, in order. */
  heard(): string[] {
    return this.changes.map(
      (c) => `${c.topic}: ${[...c.joined.map((m) => `+${m.memberId}`), ...c.left.map((m) => `-${m.memberId}`)].join(' ')} (${c.members})`,
    );
  }
}

async function service(): Promise<RunningTopicService> {
  const s = await startTopicService({ port: 0 });
  cleanups.push(() => s.close());
  return s;
}

async function node(url: string, id: string, options: Partial<TopicServiceBrokerOptions> = {}) {
  const broker = topicServiceBroker({ url, pollWaitMs: 2000, backoffMinMs: 20, backoffMaxMs: 200, ...options });
  const local = new PresenceNode(id);
  cleanups.push(() => broker.close());
  await local.start(broker);
  return { broker, local };
}

const update = (memberId: string, connections: number, topic = TOPIC): PresenceUpdate => ({ topic, memberId, info: `{"name":"${memberId}"}`, connections });

describe('presence through the topic-service broker', () => {
  it('coalesces a turn of updates per member; every node with subscribers hears the transition once, the origin included', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    const writes: number[] = [];
    const setPresence = s.core.setPresence.bind(s.core);
    s.core.setPresence = (...args) => {
      writes.push(args[2].length);
      return setPresence(...args);
    };
    a.local.setCounts({ [TOPIC]: 1 });
    b.local.setCounts({ [TOPIC]: 1 });
    // One turn: ada opens two tabs, bob comes and goes. Only the latest of each is sent.
    a.local.setPresence(a.broker, [update('ada', 1), update('bob', 1)]);
    a.local.setPresence(a.broker, [update('ada', 2), update('bob', 0)]);
    for (const n of [a, b]) await waitFor(() => n.local.changes.length === 1, DEADLINE, `${n.local.nodeId} hears ada join`);
    expect(a.local.heard()).toEqual([`${TOPIC}: +ada (1)`]);
    expect(b.local.heard()).toEqual([`${TOPIC}: +ada (1)`]);
    expect(writes).toEqual([2]);
    expect(await b.broker.presence(TOPIC, 10)).toEqual({ members: [{ memberId: 'ada', info: '{"name":"ada"}', connections: 2 }], total: 1 });

    // ada's tab on b: no transition; her last tab on a closes: still none; b's closes: she leaves.
    b.local.setPresence(b.broker, [update('ada', 1)]);
    await waitFor(async () => (await a.broker.presence(TOPIC, 10)).members[0]?.connections === 3, DEADLINE, 'three tabs');
    a.local.setPresence(a.broker, [update('ada', 0)]);
    await waitFor(async () => (await b.broker.presence(TOPIC, 10)).members[0]?.connections === 1, DEADLINE, 'one tab');
    b.local.setPresence(b.broker, [update('ada', 0)]);
    for (const n of [a, b]) await waitFor(() => n.local.changes.length === 2, DEADLINE, `${n.local.nodeId} hears ada leave`);
    expect(a.local.heard()).toEqual([`${TOPIC}: +ada (1)`, `${TOPIC}: -ada (0)`]);
    expect(b.local.heard()).toEqual(a.local.heard());
    expect(s.core.presenceStats()).toMatchObject({ members: 0, shares: 0 });
  });

  it("a read sees this node's own writes made before it, at most limit members", async () => {
    const s = await service();
    const a = await node(s.url, 'a', { flushIntervalMs: 50 });
    a.local.setCounts({ [TOPIC]: 1 });
    a.local.setPresence(a.broker, [update('m1', 1), update('m2', 1), update('m3', 1)]);
    expect(await a.broker.presence(TOPIC, 2)).toMatchObject({ total: 3, members: [{ memberId: 'm1' }, { memberId: 'm2' }] });
    expect(await a.broker.presence('/nobody', 10)).toEqual({ members: [], total: 0 });
  });

  it('re-registration rewrites the whole presence from localPresence(): the service converges to the node', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    a.local.setCounts({ [TOPIC]: 1 });
    a.local.setPresence(a.broker, [update('ada', 1), update('bob', 1)]);
    await waitFor(() => s.core.presenceList(TOPIC, 10).total === 2, DEADLINE, 'two members');
    // The service forgets the node (another process took its id); meanwhile bob goes and cy comes, unsent.
    s.core.register('a', 'an-impostor');
    a.local.present.delete(`${TOPIC} bob`);
    a.local.present.set(`${TOPIC} cy`, update('cy', 2));
    // The node's next request is refused unknown_node: it registers again and rewrites everything.
    a.broker.updateLocalCounts([{ topic: '/poke', count: 1 }]);
    await waitFor(
      () => s.core.presenceList(TOPIC, 10).total === 2 && s.core.presenceList(TOPIC, 10).members.some((m) => m.memberId === 'cy'),
      DEADLINE,
      'rewritten',
    );
    expect(s.core.presenceList(TOPIC, 10).members.map((m) => `${m.memberId}:${m.connections}`)).toEqual(['ada:1', 'cy:2']);
  });

  it('a service without presence (404) is survived: counts and publishes go on; a read rejects not_found', async () => {
    const s = await service();
    // The same service behind a front that has never heard of presence.
    const app = express();
    app.use((req, res, next) => {
      if (req.path.endsWith('/presence')) res.status(404).json({ error: { code: 'not_found', message: 'no such endpoint' } });
      else next();
    });
    app.use(s.router);
    const front = await listenLocally(createServer(app));
    cleanups.push(front.close);
    const a = await node(front.url, 'a');
    const b = await node(front.url, 'b');
    expect(a.broker.state).toBe('connected');
    a.local.setCounts({ t: 1 });
    b.local.setCounts({ t: 1 });
    b.local.setPresence(b.broker, [update('ada', 1, 't')]);
    await waitFor(() => s.core.count('t').count === 2, DEADLINE, 'counts at the service');
    await b.broker.publish({ topic: 't', data: '"after"' });
    await waitFor(() => a.local.dataOf('t').includes('"after"'), DEADLINE, 'a publish after the refused presence');
    await expect(b.broker.presence('t', 10)).rejects.toMatchObject({ code: 'not_found' });
    expect(s.core.presenceStats().shares).toBe(0);
  });

  it('a poll carrying a presence change it cannot trust (info that is not JSON) is refused whole: bad_response, nothing applied', async () => {
    const registered = { nodeId: 'a', epoch: 'e', instance: 'fake', session: 'a-session-of-enough-length', leaseMs: 15000, maxWaitMs: 20000, maxBatch: 100 };
    const bad = { kind: 'presence', topic: TOPIC, joined: [{ memberId: 'ada', info: '{"name":' }], left: [], members: 1 };
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        const body =
          path === '/v1/nodes/register'
            ? registered
            : path.endsWith('/poll')
              ? { from: 1, cursor: 1, items: [bad], dropped: 0, counts: [] }
              : { ok: true, refused: 0 };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    const fake = await listenLocally(server);
    cleanups.push(fake.close);
    const errors: unknown[] = [];
    const broker = topicServiceBroker({ url: fake.url, pollWaitMs: 1000, backoffMinMs: 20, backoffMaxMs: 200, onError: (e) => errors.push(e) });
    cleanups.push(() => broker.close());
    const local = new PresenceNode('a');
    await local.start(broker);
    await waitFor(() => errors.some((e) => (e as { code?: string }).code === 'bad_response'), DEADLINE, 'bad_response reported');
    expect(local.changes).toEqual([]);
  });
});
