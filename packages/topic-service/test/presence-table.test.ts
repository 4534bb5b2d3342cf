/**
 * The service's presence table against a plain model (fast-check): random updates, full writes
 * and node removals from a few nodes on a few topics. After every step the lists equal the
 * model's sums, a transition is reported exactly when a member's cluster-wide connections go
 * from 0 to some or from some to 0, the caps hold, and removing every node leaves nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PresenceTable } from '../src/service/presence.js';
import type { WirePresenceChange, WirePresenceUpdate } from '../src/wire.js';

const NODES = ['a', 'b', 'c'];
const TOPICS = ['t1', 't2'];
const MEMBERS = ['m1', 'm2', 'm3', 'm4'];

const update = fc.record({
  topic: fc.constantFrom(...TOPICS),
  memberId: fc.constantFrom(...MEMBERS),
  info: fc.constantFrom('null', '{"v":1}', '{"v":2}'),
  connections: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
});

const step = fc.oneof(
  fc.record({ kind: fc.constant('update' as const), node: fc.constantFrom(...NODES), updates: fc.array(update, { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('full' as const), node: fc.constantFrom(...NODES), updates: fc.array(update, { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('remove' as const), node: fc.constantFrom(...NODES) }),
);

/** node → `topic member` → connections (never 0). */
type Model = Map<string, Map<string, number>>;

function totals(model: Model): Map<string, number> {
  const out = new Map<string, number>();
  for (const shares of model.values()) for (const [pair, n] of shares) out.set(pair, (out.get(pair) ?? 0) + n);
  return out;
}

function applyModel(model: Model, node: string, updates: readonly WirePresenceUpdate[], full: boolean): void {
  const shares = full ? new Map<string, number>() : (model.get(node) ?? new Map<string, number>());
  for (const { topic, memberId, connections } of updates) {
    if (connections === 0) shares.delete(`${topic} ${memberId}`);
    else shares.set(`${topic} ${memberId}`, connections);
  }
  model.set(node, shares);
}

function reported(changes: readonly WirePresenceChange[]): { joined: string[]; left: string[] } {
  const joined = changes.flatMap((c) => c.joined.map((m) => `${c.topic} ${m.memberId}`)).sort();
  const left = changes.flatMap((c) => c.left.map((m) => `${c.topic} ${m.memberId}`)).sort();
  return { joined, left };
}

describe('the presence table', () => {
  it('agrees with a model of per-node shares: lists, transitions, and nothing left at the end', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const table = new PresenceTable({ maxPerNodeTopic: 1000, maxShares: 1000 });
        const model: Model = new Map();
        for (const s of steps) {
          const before = totals(model);
          let changes: WirePresenceChange[];
          if (s.kind === 'remove') {
            changes = table.removeNode(s.node);
            model.delete(s.node);
          } else if (s.kind === 'full') {
            const keep = new Set(s.updates.map((u) => PresenceTable.key(u.topic, u.memberId)));
            changes = table.update(s.node, s.updates, keep).changes;
            // A full write keeps the latest per pair, like the table.
            const latest = new Map(s.updates.map((u) => [`${u.topic} ${u.memberId}`, u]));
            applyModel(model, s.node, [...latest.values()], true);
          } else {
            changes = table.update(s.node, s.updates).changes;
            applyModel(model, s.node, s.updates, false);
          }
          const after = totals(model);
          const pairs = new Set([...before.keys(), ...after.keys()]);
          const expected = {
            joined: [...pairs].filter((p) => !before.has(p) && after.has(p)).sort(),
            left: [...pairs].filter((p) => before.has(p) && !after.has(p)).sort(),
          };
          expect(reported(changes)).toEqual(expected);
          for (const change of changes) expect(change.members).toBe([...after.keys()].filter((p) => p.startsWith(`${change.topic} `)).length);
          for (const topic of TOPICS) {
            const list = table.list(topic, 100);
            const listed = list.members.map((m) => `${topic} ${m.memberId}:${m.connections}`).sort();
            const modelled = [...after].filter(([p]) => p.startsWith(`${topic} `)).map(([p, n]) => `${p}:${n}`);
            expect(listed).toEqual(modelled.sort());
            expect(list.total).toBe(modelled.length);
          }
        }
        for (const node of NODES) table.removeNode(node);
        expect(table.stats()).toEqual({ topics: 0, members: 0, shares: 0, refused: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('never holds more than its caps, and a refused join is no member', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const table = new PresenceTable({ maxPerNodeTopic: 2, maxShares: 4 });
        for (const s of steps) {
          if (s.kind === 'remove') table.removeNode(s.node);
          else table.update(s.node, s.updates, s.kind === 'full' ? new Set(s.updates.map((u) => PresenceTable.key(u.topic, u.memberId))) : undefined);
          expect(table.stats().shares).toBeLessThanOrEqual(4);
          for (const topic of TOPICS) expect(table.list(topic, 100).members.every((m) => m.connections > 0)).toBe(true);
        }
        for (const node of NODES) table.removeNode(node);
        expect(table.stats()).toMatchObject({ topics: 0, members: 0, shares: 0 });
      }),
      { numRuns: 300 },
    );
  });
});
