/**
 * The load generator process. The orchestrator forks it with an IPC channel and sends one plan;
 * it runs the plan on worker threads, measures the servers' CPU and memory from /proc at the
 * edges of the measured window, and answers with one Measurement.
 */
import { Worker } from 'node:worker_threads';
import { cpuSeconds, sample, type ProcSample } from '../procstat.js';
import { LatencyHistogram } from '../stats.js';
import type { LoadPlan, Measurement } from '../types.js';
import type { LoadgenToOrchestrator, OrchestratorToLoadgen } from './client.js';
import { subscribersPerTopic } from './layout.js';
import { countersOf, createSharedBuffers, now, type MainToWorker, type WorkerInit, type WorkerReport, type WorkerToMain } from './messages.js';

const PROBE_TIMEOUT_MS = 60_000;
/** scale: give up waiting for the server's counts to reach 0 once they stopped changing this long. */
const CLOSE_STALL_MS = 10_000;
const POLL_MS = 5;

const debug = (what: string): void => {
  if (process.env.BENCH_DEBUG) process.stderr.write(`loadgen ${(now() - started).toFixed(0)} ms: ${what}\n`);
};
const started = now();

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Workers {
  private readonly threads: Worker[] = [];
  private readonly waiting = new Map<number, (message: WorkerToMain) => void>();

  constructor(init: Omit<WorkerInit, 'worker'>) {
    for (let worker = 0; worker < init.plan.workers; worker++) {
      const thread = new Worker(new URL('./worker.js', import.meta.url), { workerData: { ...init, worker } });
      thread.on('message', (message: WorkerToMain) => {
        if (message.event === 'error') fail(`worker ${worker}: ${message.message}`);
        const resolve = this.waiting.get(worker);
        this.waiting.delete(worker);
        resolve?.(message);
      });
      thread.on('error', (error) => fail(`worker ${worker}: ${error.message}`));
      this.threads.push(thread);
    }
  }

  broadcast(message: MainToWorker): void {
    for (const thread of this.threads) thread.postMessage(message);
  }

  /** Send a command and collect every worker's answer. */
  ask(message: MainToWorker): Promise<WorkerToMain[]> {
    const answers = this.threads.map((_thread, worker) => new Promise<WorkerToMain>((resolve) => this.waiting.set(worker, resolve)));
    this.broadcast(message);
    return Promise.all(answers);
  }
}

function fail(message: string): never {
  process.send?.({ error: message }, () => process.exit(1));
  // The IPC write completes asynchronously; exit above once it is flushed.
  throw new Error(message);
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() > deadline) fail(`timed out waiting for ${what}`);
    await delay(POLL_MS);
  }
}

const sum = (values: Int32Array): number => values.reduce((a, b) => a + b, 0);

async function run(plan: LoadPlan): Promise<Measurement> {
  const { scenario } = plan;
  const perTopic = subscribersPerTopic(plan);
  const buffers = createSharedBuffers(scenario.publishers, scenario.topics);
  const counters = countersOf(buffers);
  const workers = new Workers({ plan, buffers });

  debug('workers spawned');
  // Subscribers connect in steps, each confirmed by probes before the next. The idle and scale
  // scenarios read memory before the first step and after every step, each time once every server
  // process has collected its garbage.
  const idle = scenario.mode === 'idle';
  const readings: CollectedSample[] = [];
  const added: number[] = [];
  if (scenario.memoryReadings) readings.push(await collectedSample(plan));
  let connectMs = 0;
  let connectedSubscribers = 0;
  for (let step = 0; step < scenario.connectSteps; step++) {
    const started = now();
    const answers = await workers.ask({ cmd: 'connect', step, steps: scenario.connectSteps });
    connectMs += now() - started;
    let addedInStep = 0;
    for (const answer of answers) {
      if (answer.event !== 'connected') continue;
      if (answer.failed > 0) fail(`${answer.failed} connections failed (${answer.firstError ?? 'unknown error'})`);
      addedInStep += answer.subscribers;
    }
    connectedSubscribers += addedInStep;
    added.push(addedInStep);
    workers.broadcast({ cmd: 'probe' });
    await waitUntil(() => sum(counters.probedByTopic) === connectedSubscribers, PROBE_TIMEOUT_MS, 'every subscription');
    workers.broadcast({ cmd: 'stop-probe' });
    debug(`step ${step}: ${connectedSubscribers} subscribers confirmed`);
    if (scenario.memoryReadings) {
      await delay(scenario.settleMs);
      readings.push(await collectedSample(plan));
    }
  }
  const connections = scenario.subscribers + scenario.publishers;
  const memory = scenario.memoryReadings ? memoryMeasurement(readings, added, connections, connectMs) : undefined;
  if (idle) {
    // Only to learn how many handshakes negotiated permessage-deflate (idle-deflate shows it).
    const reports = (await workers.ask({ cmd: 'report' })).flatMap((m) => (m.event === 'report' ? [m.report] : []));
    return { ...memory!, deflateNegotiated: reports.reduce((n, r) => n + r.deflateNegotiated, 0) };
  }

  // Let the last probes clear the servers before the window opens.
  await delay(100);
  const s0 = sample(plan.serverPids);
  const l0 = cpuSeconds(process.pid);
  const endAt = now() + scenario.durationMs;
  workers.broadcast({ cmd: 'go', endAt });
  const recovery = scenario.dropAfterMs > 0;
  let recoveryCpu: Promise<RecoveryCpu> | undefined;
  if (recovery) {
    // Every subscriber drops its socket at once, in the middle of the publishing.
    await delay(scenario.dropAfterMs);
    const atDrop = sample(plan.serverPids);
    workers.broadcast({ cmd: 'drop', dropAt: atDrop.at });
    recoveryCpu = untilRecovered(plan, counters.recovery, atDrop, endAt + scenario.drainTimeoutMs * 2);
    debug('dropped every subscriber');
    await delay(scenario.durationMs - scenario.dropAfterMs);
  } else await delay(scenario.durationMs);
  // A publisher's last tick may come a little after the main thread's timer: owed deliveries are
  // counted only once every publisher has sent its last message (or could not, within the drain time).
  const doneBy = now() + scenario.drainTimeoutMs;
  while (Atomics.load(counters.publishersDone, 0) < scenario.publishers && now() < doneBy) await delay(POLL_MS);
  if (recovery) workers.broadcast({ cmd: 'final', finals: Array.from(counters.publishedByTopic, (_v, t) => Atomics.load(counters.publishedByTopic, t)) });

  // Drain: wait for every owed delivery, or until progress stops for drainTimeoutMs. recovery:
  // until every client recovered and has its topic's last publication.
  let lastTotal = -1;
  let lastProgressAt = now();
  for (;;) {
    const delivered = sum(counters.deliveredByPublisher) + (recovery ? sum(counters.recovery) : 0);
    const owed = recovery ? Number.POSITIVE_INFINITY : sum(counters.sentByPublisher) * perTopic;
    if (delivered >= owed || (recovery && sum(counters.recovery) === 2 * scenario.subscribers)) {
      lastProgressAt = now();
      break;
    }
    if (delivered !== lastTotal) {
      lastTotal = delivered;
      lastProgressAt = now();
    } else if (now() - lastProgressAt > scenario.drainTimeoutMs) break;
    await delay(POLL_MS);
  }
  const s1 = sample(plan.serverPids);
  debug('drained');
  const l1 = cpuSeconds(process.pid);
  const elapsedMs = lastProgressAt - s0.at;

  const reports = (await workers.ask({ cmd: 'report' })).flatMap((m) => (m.event === 'report' ? [m.report] : []));
  const cpu = await recoveryCpu;
  const load = loadMeasurement(reports, {
    published: sum(counters.sentByPublisher),
    expected: recovery ? reports.reduce((n, r) => n + r.recovery!.expected, 0) : sum(counters.sentByPublisher) * perTopic,
    elapsedMs,
    serverCpu: s1.cpuSeconds - s0.cpuSeconds,
    serverRss: s1.rssBytes,
    loadgenCpu: l1 - l0,
    wallMs: s1.at - s0.at,
    startAt: s0.at,
    endAt: s1.at,
    connections,
    connectMs,
  });
  if (cpu !== undefined) return { ...load, ...cpu };
  if (memory === undefined) return load;
  const merged: Measurement = {
    ...load,
    rssPerConnKb: memory.rssPerConnKb,
    rssPerConnKbWhole: memory.rssPerConnKbWhole,
    connectionsPerSec: memory.connectionsPerSec,
    heapBaselineMb: memory.heapBaselineMb,
    heapLoadedMb: memory.heapLoadedMb,
  };
  return scenario.closeAll ? { ...merged, ...(await closeEverything(plan, workers)) } : merged;
}

/**
 * scale: close every connection, wait until every server counts 0 connections and 0 topics (or
 * the counts stop changing for CLOSE_STALL_MS), then read heap and RSS once more after a
 * collection.
 */
async function closeEverything(plan: LoadPlan, workers: Workers): Promise<Partial<Measurement>> {
  const started = now();
  await workers.ask({ cmd: 'close' });
  let last = '';
  let lastChangeAt = now();
  let counts = { connections: Number.NaN, topics: Number.NaN };
  for (;;) {
    counts = await serverCounts(plan);
    const key = `${counts.connections}/${counts.topics}`;
    if (counts.connections === 0 && counts.topics === 0) break;
    if (key !== last) {
      last = key;
      lastChangeAt = now();
    } else if (now() - lastChangeAt > CLOSE_STALL_MS) break;
    await delay(50);
  }
  const closeMs = now() - started;
  debug(`closed: ${counts.connections} connections, ${counts.topics} topics left after ${closeMs.toFixed(0)} ms`);
  const after = await collectedSample(plan);
  return {
    connectionsAfterClose: counts.connections,
    topicsAfterClose: counts.topics,
    closeMs,
    heapAfterCloseMb: after.heapUsedBytes / 2 ** 20,
    rssAfterCloseMb: after.rssBytes / 2 ** 20,
  };
}

/** Every node's `GET /bench/stats` (firetower, ws-raw and Socket.IO targets serve it), summed. */
async function serverCounts(plan: LoadPlan): Promise<{ connections: number; topics: number }> {
  let connections = 0;
  let topics = 0;
  for (const nodeUrl of plan.nodeUrls) {
    const response = await fetch(`http://${new URL(nodeUrl).host}/bench/stats`);
    const stats = (await response.json()) as { server?: { connections?: number; topics?: number } };
    connections += stats.server?.connections ?? Number.NaN;
    topics += stats.server?.topics ?? Number.NaN;
  }
  return { connections, topics };
}

/** RSS and CPU from /proc, and the heap the server processes reported after their collection. */
interface CollectedSample extends ProcSample {
  heapUsedBytes: number;
}

/** Ask the orchestrator to have every server process collect its garbage, then read /proc. */
function collectedSample(plan: LoadPlan): Promise<CollectedSample> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: OrchestratorToLoadgen): void => {
      if (!('collected' in message) && !('collectFailed' in message)) return;
      process.off('message', onMessage);
      if ('collected' in message) resolve({ ...sample(plan.serverPids), heapUsedBytes: message.heapUsedBytes });
      else reject(new Error(message.collectFailed));
    };
    process.on('message', onMessage);
    const request: LoadgenToOrchestrator = { collect: true };
    process.send!(request);
  });
}

/**
 * `readings[0]` is before any connection, `readings[k]` after step k. RSS grows in lumps (a heap
 * space or an allocator arena growing at one step, then filling over the next), so the cost of one
 * connection is the least-squares slope of RSS over connections through every reading from step 1
 * on: step 1 also carries one-time costs (code compiled on first use, the young generation growing
 * to its working size, the publisher).
 */
function memoryMeasurement(readings: CollectedSample[], added: number[], connections: number, connectMs: number): Measurement {
  const points: Array<{ x: number; y: number }> = [];
  let connected = 0;
  for (let step = 0; step < added.length; step++) {
    connected += added[step]!;
    points.push({ x: connected, y: readings[step + 1]!.rssBytes });
  }
  debug(`RSS MB per step: ${readings.map((r) => (r.rssBytes / 2 ** 20).toFixed(1)).join(' ')}`);
  const first = readings[0]!;
  const last = readings[readings.length - 1]!;
  return {
    ...emptyMeasurement(),
    serverRssMb: last.rssBytes / 2 ** 20,
    rssPerConnKb: slope(points) / 1024,
    rssPerConnKbWhole: (last.rssBytes - first.rssBytes) / connected / 1024,
    connectionsPerSec: (connections / connectMs) * 1000,
    connections,
    heapBaselineMb: first.heapUsedBytes / 2 ** 20,
    heapLoadedMb: last.heapUsedBytes / 2 ** 20,
  };
}

/** Least-squares slope of y over x; NaN with fewer than two distinct x. */
function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance > 0 ? covariance / variance : Number.NaN;
}

interface Window {
  published: number;
  expected: number;
  elapsedMs: number;
  serverCpu: number;
  serverRss: number;
  loadgenCpu: number;
  wallMs: number;
  startAt: number;
  endAt: number;
  connections: number;
  connectMs: number;
}

function loadMeasurement(reports: WorkerReport[], w: Window): Measurement {
  const histogram = new LatencyHistogram();
  let delivered = 0;
  let lost = 0;
  let duplicates = 0;
  let accepted = 0;
  let wireBytes = 0;
  let deflateNegotiated = 0;
  for (const r of reports) {
    accepted += r.accepted;
    wireBytes += r.wireBytes;
    deflateNegotiated += r.deflateNegotiated;
    histogram.merge({ counts: r.latencyCounts, max: r.latencyMax, total: r.latencyTotal });
    // recovery: distinct offsets received (of those owed), so delivered = expected when nothing is lost.
    delivered += r.recovery?.received ?? r.delivered;
    lost += r.lost;
    duplicates += r.duplicates;
  }
  const seconds = w.elapsedMs / 1000;
  const deliveredPerSec = delivered / seconds;
  const cpuFraction = w.serverCpu / (w.wallMs / 1000);
  return {
    ...emptyMeasurement(),
    ...recoveryMeasurement(reports),
    delivered,
    expected: w.expected,
    lost,
    duplicates,
    published: w.published,
    accepted,
    elapsedMs: w.elapsedMs,
    deliveredPerSec,
    publishesPerSec: w.published / seconds,
    acceptedPerSec: accepted / seconds,
    deliveriesPerCpuSec: cpuFraction > 0 ? delivered / w.serverCpu : Number.NaN,
    latencyP50Ms: histogram.quantile(0.5),
    latencyP99Ms: histogram.quantile(0.99),
    latencyMaxMs: histogram.max,
    serverCpuPct: cpuFraction * 100,
    serverRssMb: w.serverRss / 2 ** 20,
    loadgenCpuPct: (w.loadgenCpu / (w.wallMs / 1000)) * 100,
    connectionsPerSec: (w.connections / w.connectMs) * 1000,
    connections: w.connections,
    wireBytesPerDelivery: delivered > 0 ? wireBytes / delivered : Number.NaN,
    serverCpuUsPerDelivery: delivered > 0 ? (w.serverCpu / delivered) * 1e6 : Number.NaN,
    deflateNegotiated,
    windowStartAt: w.startAt,
    windowEndAt: w.endAt,
  };
}

type RecoveryCpu = Pick<Measurement, 'recoveryServerCpuPct' | 'recoveryServerCpuMs'>;

/**
 * recovery: the servers' CPU from the drop until every client recovered (or `giveUpAt`): how
 * busy recovering kept them, and its cost whatever else the machine was doing.
 */
async function untilRecovered(plan: LoadPlan, recovered: Int32Array, atDrop: ProcSample, giveUpAt: number): Promise<RecoveryCpu> {
  while (Atomics.load(recovered, 0) < plan.scenario.subscribers && now() < giveUpAt) await delay(POLL_MS);
  const done = sample(plan.serverPids);
  const cpuSeconds = done.cpuSeconds - atDrop.cpuSeconds;
  return { recoveryServerCpuMs: cpuSeconds * 1000, recoveryServerCpuPct: (cpuSeconds / ((done.at - atDrop.at) / 1000)) * 100 };
}

/** recovery: the clients' recovery times and what their acks and offsets said, over every worker. */
function recoveryMeasurement(reports: WorkerReport[]): Partial<Measurement> {
  const parts = reports.flatMap((r) => (r.recovery !== undefined ? [r.recovery] : []));
  if (parts.length === 0) return {};
  const times = parts.flatMap((p) => p.recoveryMs).sort((a, b) => a - b);
  const acks = parts.flatMap((p) => p.ackMs);
  const clients = parts.reduce((n, p) => n + p.recoveryMs.length + p.incomplete, 0);
  const at = (q: number): number => (times.length > 0 ? times[Math.min(times.length - 1, Math.floor(q * times.length))]! : Number.NaN);
  const reasons = new Map<string, number>();
  for (const p of parts) for (const [reason, n] of Object.entries(p.notRecovered)) reasons.set(reason, (reasons.get(reason) ?? 0) + n);
  debug(
    `recovery: ${times.length}/${clients} recovered, not recovered ${JSON.stringify(Object.fromEntries(reasons))}, ` +
      `reconnect failures ${parts.reduce((n, p) => n + p.reconnectFailures, 0)}`,
  );
  return {
    recoveryP50Ms: at(0.5),
    recoveryP99Ms: at(0.99),
    recoveryMaxMs: times.length > 0 ? times[times.length - 1]! : Number.NaN,
    recoveryAckMaxMs: acks.length > 0 ? Math.max(...acks) : Number.NaN,
    recoveredFalse: [...reasons.values()].reduce((a, b) => a + b, 0),
    recoveryReasons: Object.fromEntries(reasons),
    lostSilent: parts.reduce((n, p) => n + p.silentLost, 0),
    duplicatesSilent: parts.reduce((n, p) => n + p.silentDuplicates, 0),
    recoveryIncomplete: parts.reduce((n, p) => n + p.incomplete, 0),
    recoveredClients: times.length,
    missedPerClient: clients > 0 ? parts.reduce((n, p) => n + p.missed, 0) / clients : Number.NaN,
  };
}

function emptyMeasurement(): Measurement {
  return {
    delivered: 0,
    expected: 0,
    lost: 0,
    duplicates: 0,
    published: 0,
    accepted: 0,
    elapsedMs: 0,
    deliveredPerSec: Number.NaN,
    publishesPerSec: Number.NaN,
    acceptedPerSec: Number.NaN,
    deliveriesPerCpuSec: Number.NaN,
    latencyP50Ms: Number.NaN,
    latencyP99Ms: Number.NaN,
    latencyMaxMs: Number.NaN,
    serverCpuPct: Number.NaN,
    serverRssMb: Number.NaN,
    loadgenCpuPct: Number.NaN,
    rssPerConnKb: Number.NaN,
    rssPerConnKbWhole: Number.NaN,
    connectionsPerSec: Number.NaN,
    connections: 0,
    wireBytesPerDelivery: Number.NaN,
    serverCpuUsPerDelivery: Number.NaN,
    deflateNegotiated: 0,
    windowStartAt: Number.NaN,
    windowEndAt: Number.NaN,
    loopDelayP99Ms: Number.NaN,
    loopDelayMaxMs: Number.NaN,
    loopDelayPeriods: 0,
    heapBaselineMb: Number.NaN,
    heapLoadedMb: Number.NaN,
    heapAfterCloseMb: Number.NaN,
    rssAfterCloseMb: Number.NaN,
    connectionsAfterClose: Number.NaN,
    topicsAfterClose: Number.NaN,
    closeMs: Number.NaN,
    recoveryP50Ms: Number.NaN,
    recoveryP99Ms: Number.NaN,
    recoveryMaxMs: Number.NaN,
    recoveryAckMaxMs: Number.NaN,
    recoveredFalse: Number.NaN,
    recoveryIncomplete: Number.NaN,
    recoveryReasons: {},
    lostSilent: Number.NaN,
    duplicatesSilent: Number.NaN,
    missedPerClient: Number.NaN,
    recoveredClients: Number.NaN,
    recoveryServerCpuMs: Number.NaN,
    recoveryServerCpuPct: Number.NaN,
  };
}

// The orchestrator is gone (killed or interrupted): nobody wants the figures any more.
process.once('disconnect', () => process.exit(1));

process.once('message', (message: { plan: LoadPlan }) => {
  run(message.plan).then(
    (measurement) => process.send!({ measurement }, () => process.exit(0)),
    (error: Error) => process.send!({ error: error.message }, () => process.exit(1)),
  );
});
