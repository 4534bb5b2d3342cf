// Memory of presence in the topic service (built dist; a measurement, not a timed test).
//   pnpm --filter @firetower/topic-service build && node --expose-gc packages/topic-service/bench/presence-memory.mjs
// env: TOPICS (default 100), MEMBERS (per topic, default 1000), NODES (nodes each member is on, default 1),
// INFO (characters of JSON info per member, default 20)
//
// Writes TOPICS × MEMBERS members, each on NODES nodes, straight into a service core (no HTTP; no
// node has subscribers, so nothing is queued) and reports the heap growth (heapUsed after a full
// GC, before vs after) per member and per share (member × node). Ids and info are distinct flat
// strings, as ones parsed from a request body would be. Then every node is removed and the heap
// is measured again: presence must go back to zero.
import { TopicServiceCore } from '@firetower/topic-service';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const TOPICS = Number(process.env.TOPICS ?? 100);
const MEMBERS = Number(process.env.MEMBERS ?? 1000);
const NODES = Number(process.env.NODES ?? 1);
const INFO = Number(process.env.INFO ?? 20);

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const flat = (s) => Buffer.from(s).toString();
const core = new TopicServiceCore({ maxPresenceMembers: MEMBERS, maxPresenceShares: Number.MAX_SAFE_INTEGER });
const sessions = [];
for (let n = 0; n < NODES; n++) sessions.push(core.register(`node-${n}`, 'e').session);
const pad = 'x'.repeat(Math.max(0, INFO - 12));
const before = heap();
for (let n = 0; n < NODES; n++) {
  let updates = [];
  for (let t = 0; t < TOPICS; t++) {
    for (let m = 0; m < MEMBERS; m++) {
      updates.push({ topic: flat(`/room/${t}`), memberId: flat(`user-${m}`), info: flat(`{"n":"${pad}${m}"}`), connections: 1 });
      if (updates.length === 5000) {
        core.setPresence(`node-${n}`, { session: sessions[n] }, updates, false, false);
        updates = [];
      }
    }
  }
  if (updates.length > 0) core.setPresence(`node-${n}`, { session: sessions[n] }, updates, false, false);
}
const grown = heap() - before;
const stats = core.presenceStats();
console.log(`${TOPICS} topics × ${MEMBERS} members on ${NODES} node(s), info ${INFO} characters: ${stats.members} members, ${stats.shares} shares`);
console.log(
  `  heap growth ${(grown / 1024 / 1024).toFixed(1)} MiB = ${Math.round(grown / stats.members)} bytes per member, ${Math.round(grown / stats.shares)} per share`,
);
for (let n = 0; n < NODES; n++) core.leave(`node-${n}`, { session: sessions[n] });
const after = heap() - before;
console.log(`  after every node left: ${JSON.stringify(core.presenceStats())}, heap ${(after / 1024).toFixed(0)} KiB above the start`);
core.close();
