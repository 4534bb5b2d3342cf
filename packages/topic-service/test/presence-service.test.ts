/**
 * Presence at the service's HTTP API (issue 19): per-node shares of a member add up to one
 * cluster-wide member, transitions go to the nodes with subscribers (the one that caused them
 * included), full writes, lease expiry, caps, the list endpoint, and refusals of bad input.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';
import { monotonicNow } from '../src/clock.js';
import { PRESENCE_LIMITS } from '../src/wire.js';
import { useServicePerTest, type ApiResult } from './helpers.js';

const start = useServicePerTest();
const TOPIC = '/pres/room';
const listPath = (topic: string, limit?: number) => `/v1/topics/${encodeURIComponent(topic)}/presence${limit === undefined ? '' : `?limit=${limit}`}`;

type Call = Awaited<ReturnType<typeof start>>['call'];

/** Register nodes with one subscriber of `topic` each. */
async function nodesOn(call: Call, ids: string[], topic = TOPIC): Promise<void> {
  for (const id of ids) {
    expect((await call('POST', '/v1/nodes/register', { nodeId: id, epoch: 'e' })).status).toBe(200);
    expect((await call('POST', `/v1/nodes/${id}/counts`, { changes: [{ topic, count: 1 }] })).status).toBe(200);
  }
}

const member = (memberId: string, connections: number, info = `{"name":"${memberId}"}`, topic = TOPIC) => ({ topic, memberId, info, connections });

async function write(call: Call, nodeId: string, updates: unknown[], extra: Record<string, unknown> = {}): Promise<ApiResult> {
  return call('POST', `/v1/nodes/${nodeId}/presence`, { updates, ...extra });
}

/** Presence entries queued for a node now (poll without waiting; acknowledges what it took). */
function poller(call: Call, nodeId: string) {
  let ack = 0;
  return async () => {
    const res = await call('GET', `/v1/nodes/${nodeId}/poll?wait=0&ack=${ack}`);
    expect(res.status).toBe(200);
    ack = res.body.cursor;
    return (res.body.items as Array<{ kind: string }>).filter((item) => item.kind === 'presence');
  };
}

describe('presence at the service', () => {
  it('tabs on two nodes are one member: one join, a leave only after the last, heard by every node with subscribers', async () => {
    const { call, service } = await start();
    await nodesOn(call, ['a', 'b']);
    const pollA = poller(call, 'a');
    const pollB = poller(call, 'b');
    // Both speak presence (a node that never wrote presence is sent none, see below).
    await write(call, 'b', []);
    expect((await write(call, 'a', [member('ada', 2)])).body).toEqual({ ok: true, refused: 0 });
    const joined = { kind: 'presence', topic: TOPIC, joined: [{ memberId: 'ada', info: '{"name":"ada"}' }], left: [], members: 1 };
    expect(await pollA()).toEqual([joined]);
    expect(await pollB()).toEqual([joined]);

    // A second node's tab: no transition; the list sums the connections.
    await write(call, 'b', [member('ada', 1)]);
    expect(await pollA()).toEqual([]);
    expect((await call('GET', listPath(TOPIC))).body).toEqual({
      topic: TOPIC,
      members: [{ memberId: 'ada', info: '{"name":"ada"}', connections: 3 }],
      total: 1,
    });

    // The first node's tabs close: ada is still on b, so nobody hears a leave.
    await write(call, 'a', [member('ada', 0)]);
    expect(await pollA()).toEqual([]);
    expect(await pollB()).toEqual([]);
    expect((await call('GET', listPath(TOPIC))).body.members).toEqual([{ memberId: 'ada', info: '{"name":"ada"}', connections: 1 }]);

    // The last tab: ada leaves, showing what she showed.
    await write(call, 'b', [member('ada', 0)]);
    const left = { kind: 'presence', topic: TOPIC, joined: [], left: [{ memberId: 'ada', info: '{"name":"ada"}' }], members: 0 };
    expect(await pollA()).toEqual([left]);
    expect(await pollB()).toEqual([left]);
    expect((await call('GET', listPath(TOPIC))).body).toEqual({ topic: TOPIC, members: [], total: 0 });
    expect(service.core.presenceStats()).toEqual({ topics: 0, members: 0, shares: 0, refused: 0 });
  });

  it('a batch keeps the latest per member; transitions go only to presence-speaking nodes with subscribers of the topic', async () => {
    const { call } = await start();
    await nodesOn(call, ['a', 'b']);
    await nodesOn(call, ['elsewhere'], '/other');
    const pollB = poller(call, 'b');
    const pollElsewhere = poller(call, 'elsewhere');
    await write(call, 'elsewhere', []);
    // b subscribes but never wrote presence (a broker older than presence): it is sent none.
    await write(call, 'a', [member('ada', 1), member('bob', 1), member('bob', 0), member('ada', 2, '{"name":"Ada L."}')]);
    expect(await pollB()).toEqual([]);
    expect(await pollElsewhere()).toEqual([]);
    expect((await call('GET', listPath(TOPIC))).body.members).toEqual([{ memberId: 'ada', info: '{"name":"Ada L."}', connections: 2 }]);
  });

  it('a full write may span requests: shares not rewritten go at its end, never before', async () => {
    const { call, service } = await start();
    await nodesOn(call, ['a']);
    const pollA = poller(call, 'a');
    await write(call, 'a', [member('ada', 1), member('bob', 1), member('cy', 1)]);
    expect((await pollA())[0]).toMatchObject({ joined: [{ memberId: 'ada' }, { memberId: 'bob' }, { memberId: 'cy' }], members: 3 });
    await write(call, 'a', [member('ada', 1)], { full: true });
    expect(await pollA()).toEqual([]);
    await write(call, 'a', [member('bob', 2)], { complete: true });
    expect(await pollA()).toEqual([{ kind: 'presence', topic: TOPIC, joined: [], left: [{ memberId: 'cy', info: '{"name":"cy"}' }], members: 2 }]);
    // An empty full write: every member of the node leaves.
    await write(call, 'a', [], { full: true, complete: true });
    expect((await pollA())[0]).toMatchObject({ left: [{ memberId: 'ada' }, { memberId: 'bob' }], members: 0 });
    expect(service.core.presenceStats().shares).toBe(0);
  });

  it("a node whose lease runs out: its members leave where it was their last place, and a watcher's node hears it", async () => {
    const leaseMs = 60_000; // the test expires it with a chosen clock, never by waiting
    const { call, service } = await start({ leaseMs });
    await nodesOn(call, ['watcher', 'dead']);
    await write(call, 'watcher', [member('wanda', 1), member('ada', 1)]);
    await write(call, 'dead', [member('ada', 1), member('bob', 1)]);
    const pollWatcher = poller(call, 'watcher');
    await pollWatcher();
    // The watcher's node holds a poll (a live node); the dead one is idle.
    const held = call('GET', `/v1/nodes/watcher/poll?wait=10000&ack=${1000}`);
    await waitFor(() => service.core.nodeInfos().find((n) => n.nodeId === 'watcher')?.polling === true, 5000, 'watcher polling');
    service.core.sweep(monotonicNow() + leaseMs + 1);
    const answer = await held;
    expect(answer.body.items).toEqual([{ kind: 'presence', topic: TOPIC, joined: [], left: [{ memberId: 'bob', info: '{"name":"bob"}' }], members: 2 }]);
    expect((await call('GET', listPath(TOPIC))).body.members).toEqual([
      { memberId: 'wanda', info: '{"name":"wanda"}', connections: 1 },
      { memberId: 'ada', info: '{"name":"ada"}', connections: 1 },
    ]);
    expect(service.core.nodeInfos().map((n) => n.nodeId)).toEqual(['watcher']);
    expect(service.core.presenceStats()).toMatchObject({ members: 2, shares: 2 });
  });

  it('caps: members per node and topic, shares in all; refused joins are counted, changes and leaves of kept ones always apply', async () => {
    const { call, service } = await start({ maxPresenceMembers: 2, maxPresenceShares: 3 });
    await nodesOn(call, ['a', 'b']);
    expect((await write(call, 'a', [member('m1', 1), member('m2', 1), member('m3', 1)])).body).toEqual({ ok: true, refused: 1 });
    expect((await write(call, 'b', [member('m1', 1), member('m4', 1)])).body).toEqual({ ok: true, refused: 1 });
    expect((await call('GET', listPath(TOPIC))).body.total).toBe(2);
    expect((await write(call, 'a', [member('m2', 5), member('m1', 0)])).body).toEqual({ ok: true, refused: 0 });
    expect((await call('GET', listPath(TOPIC))).body.members).toEqual([
      { memberId: 'm1', info: '{"name":"m1"}', connections: 1 },
      { memberId: 'm2', info: '{"name":"m2"}', connections: 5 },
    ]);
    expect(service.core.presenceStats()).toEqual({ topics: 1, members: 2, shares: 2, refused: 2 });
  });

  it('the list: at most limit members, total counts them all; a topic nobody is on is empty; behind the token', async () => {
    const { call, service } = await start({ token: 'secret' });
    await nodesOn(call, ['a']);
    await write(call, 'a', [member('m1', 1), member('m2', 1), member('m3', 1)]);
    expect((await call('GET', listPath(TOPIC, 2))).body).toMatchObject({ total: 3, members: [{ memberId: 'm1' }, { memberId: 'm2' }] });
    expect((await call('GET', listPath(TOPIC, 0))).body).toEqual({ topic: TOPIC, members: [], total: 3 });
    expect((await call('GET', listPath('/nobody'))).body).toEqual({ topic: '/nobody', members: [], total: 0 });
    const anonymous = await fetch(`${service.url}${listPath(TOPIC)}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('bad presence updates and list queries are refused 400 JSON and change nothing', async () => {
    const { call, service } = await start({ maxBatch: 10 });
    await nodesOn(call, ['a']);
    const fine = member('ada', 1);
    const badBodies: unknown[] = [
      {},
      { updates: 'ada' },
      { updates: [fine], full: 'yes' },
      { updates: [fine], complete: 1 },
      { updates: [fine], extra: true },
      { updates: [{ ...fine, memberId: '' }] },
      { updates: [{ ...fine, memberId: 'x'.repeat(PRESENCE_LIMITS.maxMemberIdLength + 1) }] },
      { updates: [{ ...fine, memberId: 'a\u0000b' }] },
      { updates: [{ ...fine, memberId: 7 }] },
      { updates: [{ ...fine, info: '{' }] },
      { updates: [{ ...fine, info: 'undefined' }] },
      { updates: [{ ...fine, info: { name: 'ada' } }] },
      { updates: [{ ...fine, info: JSON.stringify('x'.repeat(PRESENCE_LIMITS.maxInfoBytes)) }] },
      // 400 characters, but 1200 bytes of UTF-8: the cap is on bytes.
      { updates: [{ ...fine, info: JSON.stringify('€'.repeat(400)) }] },
      { updates: [{ ...fine, connections: -1 }] },
      { updates: [{ ...fine, connections: 1.5 }] },
      { updates: [{ ...fine, connections: '1' }] },
      { updates: [{ ...fine, connections: 2 ** 53 }] },
      { updates: [{ ...fine, topic: '' }] },
      { updates: [{ ...fine, surprise: 1 }] },
      { updates: [fine, { topic: TOPIC, memberId: 'bob', connections: 1 }] },
    ];
    for (const body of badBodies) {
      const res = await call('POST', '/v1/nodes/a/presence', body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(typeof res.body.error.message).toBe('string');
    }
    expect((await call('POST', '/v1/nodes/a/presence', undefined, { raw: '{"updates":[' })).status).toBe(400);
    expect(
      (
        await write(
          call,
          'a',
          Array.from({ length: 11 }, (_, i) => member(`m${i}`, 1)),
        )
      ).body.error.code,
    ).toBe('batch_too_large');
    expect((await write(call, 'ghost', [fine])).body.error.code).toBe('unknown_node');
    expect((await call('POST', '/v1/nodes/a/presence', { updates: [fine] }, { session: false })).body.error.code).toBe('unknown_node');
    for (const query of ['limit=-1', 'limit=abc', `limit=${PRESENCE_LIMITS.maxListLimit + 1}`, 'limit=1.5', 'limit=']) {
      const res = await call('GET', `${listPath(TOPIC)}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect(service.core.presenceStats()).toEqual({ topics: 0, members: 0, shares: 0, refused: 0 });
    // The longest valid ones are taken.
    const longest = { ...fine, memberId: 'x'.repeat(PRESENCE_LIMITS.maxMemberIdLength), info: JSON.stringify('x'.repeat(PRESENCE_LIMITS.maxInfoBytes - 2)) };
    expect((await write(call, 'a', [longest])).body).toEqual({ ok: true, refused: 0 });
  });
});
