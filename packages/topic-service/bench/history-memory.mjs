// Memory of history streams in the topic service (built dist; a measurement, not a timed test).
//   pnpm --filter @firetower/topic-service build && node --expose-gc packages/topic-service/bench/history-memory.mjs
// env: TOPICS (default 1000), SIZE (publications kept per topic, default 100), DATA (characters of
// JSON data per publication, default 100)
//
// Publishes TOPICS × SIZE history publications straight into a service core (no HTTP) and reports
// the heap growth (process.memoryUsage().heapUsed after a full GC, before vs after) per kept
// publication and per stream, next to the service's own accounting (historyStats().bytes, what
// maxHistoryBytes bounds). Each publication's data is a distinct flat string, as one parsed from a
// request body would be (not JSON.stringify's output, whose over-allocated buffers inflate the figure). A second pass with one publication per topic gives the cost of a stream.
import { TopicServiceCore } from '@firetower/topic-service';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const TOPICS = Number(process.env.TOPICS ?? 1000);
const SIZE = Number(process.env.SIZE ?? 100);
const DATA = Number(process.env.DATA ?? 100);
const policy = { size: SIZE, ttlMs: 3_600_000, metaTtlMs: 3_600_000 };

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Fill `topics` streams with `perTopic` publications each; returns heap bytes per publication and per stream. */
function measure(topics, perTopic) {
  const core = new TopicServiceCore({ maxHistoryStreams: topics + 1, maxHistoryBytes: Number.MAX_SAFE_INTEGER });
  const { session } = core.register('bench', 'e');
  const pad = 'x'.repeat(Math.max(0, DATA - 20));
  const before = heap();
  for (let i = 0; i < perTopic; i++) {
    const messages = [];
    for (let t = 0; t < topics; t++) {
      // A flat string of its own, exactly sized, like one JSON.parse takes out of a request body.
      const data = Buffer.from(`{"n":${i * topics + t},"pad":"${pad}"}`).toString();
      messages.push({ topic: `/topic/${t}`, data, history: { ...policy, size: perTopic } });
    }
    for (let at = 0; at < messages.length; at += 5000) core.publish('bench', { session }, messages.slice(at, at + 5000));
  }
  const grown = heap() - before;
  const stats = core.historyStats();
  core.close();
  return { grown, stats };
}

const full = measure(TOPICS, SIZE);
const kept = full.stats.publications;
console.log(`${TOPICS} topics × ${SIZE} publications of ${DATA} characters: ${kept} kept`);
console.log(
  `  heap growth ${(full.grown / 1024 / 1024).toFixed(1)} MiB = ${Math.round(full.grown / kept)} bytes per publication (${Math.round(full.grown / kept - DATA)} beyond its data)`,
);
console.log(`  accounted (historyStats().bytes) ${Math.round(full.stats.bytes / kept)} bytes per publication`);

const streams = measure(TOPICS * 10, 1);
const perStream = streams.grown / streams.stats.streams;
console.log(`${streams.stats.streams} streams of one publication: ${Math.round(perStream)} bytes per stream including that publication`);
console.log(`  accounted ${Math.round(streams.stats.bytes / streams.stats.streams)} bytes per stream`);
