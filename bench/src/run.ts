/**
 * `pnpm bench [--quick] [--repeats n] [--targets a,b] [--scenarios x,y] [--workers n] [--profile]`
 *
 * For every scenario, repeat and target: start the target's processes, drive them with the load
 * generator, record one JSON line. Then print the Markdown report and write both under
 * bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from './loadgen/client.js';
import { renderReport, type RunRecord } from './report.js';
import type { LoopDelayPeriod } from './launch.js';
import { ALL_SCENARIOS, DEFAULT_SCENARIOS, defaultTargets, LOOP_DELAY_PERIOD_MS, PUBLISH_API_VIAS, scenario as scenarioOf } from './scenarios.js';
import { ALL_TARGETS, HISTORY_TARGETS, pushApiMissing, TARGETS, type TargetName } from './targets.js';
import type { LoadPlan, Measurement, PublishVia, Scenario, ScenarioName } from './types.js';

const USAGE = `usage: node bench/dist/run.js [options]
  --quick               short runs, smaller counts, 1 repeat (about a minute)
  --repeats <n>         runs per scenario and target; the median is reported (default 3, quick 1)
  --targets <a,b>       ${ALL_TARGETS.join(', ')} (default: each scenario's own list, see README)
  --scenarios <x,y>     ${ALL_SCENARIOS.join(', ')} (default: all but publish-api and scale)
                        recovery runs only on the history targets (${HISTORY_TARGETS.join(', ')})
  --scale-connections <n>  connections the scale scenario opens on one node (default 100000, quick 1000)
  --payload-bytes <n>   size of every message's data in every scenario (default: the scenario's)
  --heartbeat-ms <n>    scale: firetower's heartbeatIntervalMs (default 5000, quick 1000)
  --workers <n>         load-generator worker threads (default: cores)
  --profile             run firetower servers under node --cpu-prof (profiles in bench/results/profiles)
  --out <dir>           results directory (default bench/results)`;

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** publish-api: POSTs in flight per publisher with one message each, and with batches. */
const HTTP_IN_FLIGHT = 16;
const HTTP_BATCH_IN_FLIGHT = 4;
/** The admin API's cap on one batch. */
const HTTP_BATCH_SIZE = 100;

function list<T extends string>(raw: string | undefined, all: readonly T[], what: string, defaults: readonly T[] = all): T[] {
  if (raw === undefined) return [...defaults];
  const picked = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of picked) if (!all.includes(p as T)) throw new Error(`unknown ${what} "${p}"; known: ${all.join(', ')}`);
  return picked as T[];
}

/** The open-file hard limit every process the harness starts raises its soft limit to. */
function fdHardLimit(): string {
  try {
    return execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

/** Why a scenario cannot open its connections here, or undefined. */
function fdShortage(s: Scenario): string | undefined {
  const limit = fdHardLimit();
  // Every connection is one descriptor in the server and one in the load generator; keep room for the rest.
  const needed = s.subscribers + s.publishers + 500;
  if (limit === 'unlimited' || !(Number(limit) < needed)) return undefined;
  return (
    `${s.name} needs ${needed.toLocaleString('en-US')} open files in the server and in the load generator, but the hard limit is ${limit}: ` +
    'raise it (ulimit -Hn as root, LimitNOFILE= in systemd, docker run --ulimit nofile=…) or pass --scale-connections'
  );
}

function machine(): string[] {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const fdLimit = fdHardLimit();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  return [`${availableParallelism()} cores (nproc), ${cpu}, Node ${process.version}, open-file hard limit ${fdLimit}, load average at start ${load}`];
}

async function main(): Promise<void> {
  exitOnSignals();
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      repeats: { type: 'string' },
      targets: { type: 'string' },
      scenarios: { type: 'string' },
      workers: { type: 'string' },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
      'scale-connections': { type: 'string' },
      'payload-bytes': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const quick = values.quick === true;
  const repeats = Number(values.repeats ?? (quick ? 1 : 3));
  const workers = Number(values.workers ?? availableParallelism());
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('--repeats must be a positive integer');
  if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers must be a positive integer');
  const scaleConnections = values['scale-connections'] !== undefined ? Number(values['scale-connections']) : undefined;
  if (scaleConnections !== undefined && (!Number.isInteger(scaleConnections) || scaleConnections < 1)) {
    throw new Error('--scale-connections must be a positive integer');
  }
  const payloadBytes = values['payload-bytes'] !== undefined ? Number(values['payload-bytes']) : undefined;
  if (payloadBytes !== undefined && (!Number.isInteger(payloadBytes) || payloadBytes < 64)) throw new Error('--payload-bytes must be an integer ≥ 64');
  const heartbeatMs = values['heartbeat-ms'] !== undefined ? Number(values['heartbeat-ms']) : undefined;
  if (heartbeatMs !== undefined && (!Number.isInteger(heartbeatMs) || heartbeatMs < 1)) throw new Error('--heartbeat-ms must be a positive integer');
  const scenarios = list<ScenarioName>(values.scenarios, ALL_SCENARIOS, 'scenario', DEFAULT_SCENARIOS);
  // Without --targets each scenario runs on its own list (defaultTargets).
  const targetsOf = (name: ScenarioName): TargetName[] => list<TargetName>(values.targets, ALL_TARGETS, 'target', defaultTargets(name));

  const skipped: string[] = [];
  const unavailable = new Map<TargetName, string | undefined>();
  const available = (name: TargetName): boolean => {
    if (!unavailable.has(name)) {
      const reason = TARGETS[name].unavailable();
      unavailable.set(name, reason);
      if (reason !== undefined) skipped.push(`${name} (${reason})`);
    }
    return unavailable.get(name) === undefined;
  };
  const targets = [...new Set(scenarios.flatMap(targetsOf))].filter(available);

  const outDir = values.out ?? join(benchDir, 'results');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(outDir, { recursive: true });
  const jsonlPath = join(outDir, `${stamp}.jsonl`);
  const firetowerNodeFlags = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles')}`] : [];
  // publish-api runs only on targets that serve the push APIs, and only with @firetower/grpc built.
  const pushTargets = targetsOf('publish-api').filter((name) => targets.includes(name) && TARGETS[name].pushApi);
  if (scenarios.includes('publish-api')) {
    const missing = pushApiMissing();
    if (missing !== undefined) skipped.push(`publish-api (${missing})`);
    else if (pushTargets.length === 0) skipped.push('publish-api (no selected target serves the push APIs: firetower, firetower-cluster, firetower-redis)');
  }
  // recovery runs only on targets that keep history.
  const historyTargets = targetsOf('recovery').filter((name) => targets.includes(name) && TARGETS[name].history);
  if (scenarios.includes('recovery') && historyTargets.length === 0) {
    skipped.push(`recovery (no selected target keeps history: ${HISTORY_TARGETS.join(', ')})`);
  }
  const runnable = scenarios.filter(
    (name) => (name !== 'publish-api' || (pushApiMissing() === undefined && pushTargets.length > 0)) && (name !== 'recovery' || historyTargets.length > 0),
  );

  const header = [
    `## pnpm bench${quick ? ' --quick' : ''} — ${new Date().toISOString()}`,
    '',
    `Machine: ${machine().join('; ')}.`,
    `Repeats: ${repeats} (median), load-generator workers: ${workers}.`,
    ...(skipped.length > 0 ? [`Skipped: ${skipped.join('; ')}.`] : []),
  ];
  process.stderr.write(`${header.join('\n')}\n\n`);

  const records: RunRecord[] = [];
  for (const name of runnable) {
    const scenario = scenarioOf(name, quick, {
      ...(scaleConnections !== undefined ? { scaleConnections } : {}),
      ...(payloadBytes !== undefined ? { payloadBytes } : {}),
      ...(heartbeatMs !== undefined ? { heartbeatIntervalMs: heartbeatMs } : {}),
    });
    const mine = name === 'recovery' ? historyTargets : targetsOf(name).filter((t) => targets.includes(t));
    // publish-api: every push-API target through every door; the others: every target over WebSocket.
    const runs: Array<[TargetName, PublishVia]> =
      name === 'publish-api'
        ? pushTargets.flatMap((t) => PUBLISH_API_VIAS.map((via): [TargetName, PublishVia] => [t, via]))
        : mine.map((t): [TargetName, PublishVia] => [t, 'ws']);
    const shortage = scenario.closeAll ? fdShortage(scenario) : undefined;
    for (let repeat = 0; repeat < repeats; repeat++) {
      // Rotate the order every repeat so no target always runs first (cold) or last.
      const order = runs.map((_r, i) => runs[(i + repeat) % runs.length]!);
      for (const [target, via] of order) {
        const record: RunRecord =
          shortage !== undefined
            ? { scenario: name, target, repeat, error: shortage }
            : await runOne(name, target, repeat, { scenario, workers, firetowerNodeFlags, via });
        records.push(record);
        appendFileSync(jsonlPath, `${JSON.stringify(record)}\n`);
        process.stderr.write(`${progressLine(record)}\n`);
      }
    }
  }

  const report = renderReport(records, header);
  process.stdout.write(`\n${report}`);
  const mdPath = join(outDir, `${stamp}.md`);
  writeFileSync(mdPath, report);
  copyFileSync(mdPath, join(outDir, 'latest.md'));
  copyFileSync(jsonlPath, join(outDir, 'latest.jsonl'));
  process.stderr.write(`\nwrote ${mdPath} and ${jsonlPath}\n`);
}

interface RunOptions {
  scenario: LoadPlan['scenario'];
  workers: number;
  firetowerNodeFlags: string[];
  via: PublishVia;
}

/** The target being driven right now, so a signal can stop its processes before exiting. */
let current: { stop(): Promise<void> } | undefined;

function exitOnSignals(): void {
  const stop = (): void => {
    const exit = (): never => process.exit(130);
    (current?.stop() ?? Promise.resolve()).then(exit, exit);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function runOne(scenarioName: ScenarioName, target: TargetName, repeat: number, options: RunOptions): Promise<RunRecord> {
  const definition = TARGETS[target];
  const base: RunRecord = { scenario: scenarioName, target, repeat, ...(scenarioName === 'publish-api' ? { via: options.via } : {}) };
  // The WebSocket reference row of publish-api runs on the same server setup as the API rows.
  const pushToken = scenarioName === 'publish-api' ? randomBytes(16).toString('hex') : undefined;
  const s = options.scenario;
  let running;
  try {
    running = await definition.start({
      firetowerNodeFlags: options.firetowerNodeFlags,
      ...(pushToken !== undefined ? { pushToken } : {}),
      ...(s.heartbeatIntervalMs > 0 ? { heartbeatIntervalMs: s.heartbeatIntervalMs } : {}),
      ...(s.closeAll ? { loopDelayPeriodMs: LOOP_DELAY_PERIOD_MS } : {}),
      ...(s.historySize > 0 ? { historySize: s.historySize } : {}),
    });
  } catch (error) {
    return { ...base, error: (error as Error).message };
  }
  current = running;
  const started = running;
  try {
    const plan: LoadPlan = {
      scenario: options.scenario,
      dialect: definition.dialect,
      nodeUrls: running.nodeUrls,
      publisherNode: running.publisherNode,
      publishVia: options.via,
      ...(running.pushApi !== undefined ? { pushApi: running.pushApi } : {}),
      httpInFlight: options.via === 'http-batch' ? HTTP_BATCH_IN_FLIGHT : HTTP_IN_FLIGHT,
      httpBatchSize: HTTP_BATCH_SIZE,
      serverPids: running.pids,
      workers: options.workers,
      connectConcurrency: 50,
    };
    // scale: connecting, a collection per step and closing take time in proportion to the connections.
    const setupMs = s.closeAll ? 120_000 + s.subscribers * 2 : 0;
    const measured = await runLoad(plan, s.durationMs + s.drainTimeoutMs + s.settleMs * s.connectSteps + 60_000 + setupMs, () => started.collectGarbage());
    const measurement = s.closeAll ? withLoopDelay(measured, running.loopDelays()) : measured;
    const nodeStats = await running.nodeStats().catch(() => undefined);
    return { ...base, measurement, ...(nodeStats ? { nodeStats } : {}) };
  } catch (error) {
    return { ...base, error: (error as Error).message };
  } finally {
    await running.stop();
    current = undefined;
  }
}

/**
 * The servers' event-loop delay over the measured window: the periods that ended inside it, the
 * first one dropped (it began before the window opened), from every Node process of the target.
 */
function withLoopDelay(m: Measurement, periods: readonly LoopDelayPeriod[]): Measurement {
  const inside = periods.filter((p) => p.at >= m.windowStartAt + LOOP_DELAY_PERIOD_MS && p.at <= m.windowEndAt);
  if (inside.length === 0) return m;
  return {
    ...m,
    loopDelayP99Ms: Math.max(...inside.map((p) => p.p99)),
    loopDelayMaxMs: Math.max(...inside.map((p) => p.max)),
    loopDelayPeriods: inside.length,
  };
}

function progressLine(r: RunRecord): string {
  const head = `${r.scenario.padEnd(11)} #${r.repeat + 1} ${(r.via !== undefined ? `${r.target} ${r.via}` : r.target).padEnd(17)}`;
  if (r.error !== undefined) return `${head} ERROR ${r.error}`;
  const m = r.measurement!;
  if (r.scenario === 'idle' || r.scenario === 'idle-deflate')
    return `${head} ${m.rssPerConnKb.toFixed(1)} KB/conn (${m.rssPerConnKbWhole.toFixed(1)} whole), ${Math.round(m.connectionsPerSec)} conn/s`;
  if (r.scenario === 'compression')
    return `${head} ${m.wireBytesPerDelivery.toFixed(0)} B/delivery, ${m.serverCpuUsPerDelivery.toFixed(2)} µs CPU/delivery, deflate ${m.deflateNegotiated}, ${Math.round(m.deliveredPerSec)} deliv/s, p99 ${m.latencyP99Ms.toFixed(1)} ms, lost ${m.lost}, srv CPU ${Math.round(m.serverCpuPct)}%`;
  if (r.scenario === 'scale')
    return (
      `${head} ${m.connections} conns, ${Math.round(m.connectionsPerSec)} conn/s, ${m.rssPerConnKb.toFixed(1)} KB/conn, loop delay p99 ${m.loopDelayP99Ms.toFixed(1)} / max ${m.loopDelayMaxMs.toFixed(1)} ms, ` +
      `trickle p99 ${m.latencyP99Ms.toFixed(1)} ms, lost ${m.lost}, after close ${m.connectionsAfterClose}/${m.topicsAfterClose}, heap ${m.heapBaselineMb.toFixed(1)}→${m.heapLoadedMb.toFixed(1)}→${m.heapAfterCloseMb.toFixed(1)} MB`
    );
  if (r.scenario === 'recovery')
    return (
      `${head} recovered ${m.recoveredClients}/${m.connections - 1} in p50 ${m.recoveryP50Ms.toFixed(0)} / max ${m.recoveryMaxMs.toFixed(0)} ms ` +
      `(acks by ${m.recoveryAckMaxMs.toFixed(0)} ms), missed ${m.missedPerClient.toFixed(1)}/client, lost ${m.lost}, duplicated ${m.duplicates}, ` +
      `recovered:false ${m.recoveredFalse}${m.recoveredFalse > 0 ? ` (${JSON.stringify(m.recoveryReasons)})` : ''}, silent lost/duplicated ${m.lostSilent}/${m.duplicatesSilent}, srv CPU ${Math.round(m.recoveryServerCpuMs)} ms (${Math.round(m.recoveryServerCpuPct)}%) drop → recovered`
    );
  const brokers = (r.nodeStats ?? []).flatMap((n) => (n.broker ? [n.broker] : []));
  const foreign = brokers.length > 0 ? `, foreign ${brokers.map((b) => b.foreignDeliveries).join('/')}` : '';
  const drops = (r.nodeStats ?? []).reduce((a, n) => a + Object.values(n.server.dropsTotal).reduce((x, y) => x + y, 0), 0);
  const accepted = r.via !== undefined ? `${Math.round(m.acceptedPerSec)} accepted/s, ` : '';
  return `${head} ${accepted}${Math.round(m.deliveredPerSec)} deliv/s, ${Math.round(m.deliveriesPerCpuSec)} per CPU-s, p99 ${m.latencyP99Ms.toFixed(1)} ms, lost ${m.lost}, srv CPU ${Math.round(m.serverCpuPct)}%, loadgen ${Math.round(m.loadgenCpuPct)}%${foreign}${drops > 0 ? `, server drops ${drops}` : ''}`;
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
