/** Turns run records into the Markdown report: one table per scenario, then the goals. */
import { HISTORY_TARGETS, withoutHistory, type NodeStats, type TargetName } from './targets.js';
import { median } from './stats.js';
import type { Measurement, PublishVia, ScenarioName } from './types.js';

export interface RunRecord {
  scenario: ScenarioName;
  target: TargetName;
  /** publish-api only: the door the publisher pushed through. */
  via?: PublishVia;
  repeat: number;
  measurement?: Measurement;
  nodeStats?: NodeStats[];
  error?: string;
}

/**
 * Medians over repeats; `lost`, foreign deliveries, scale's event-loop delay and its counts after
 * closing are the worst repeat.
 */
export interface Summary {
  target: TargetName;
  via: PublishVia | undefined;
  m: Measurement;
  runs: number;
  errors: string[];
  foreignDeliveries: number | undefined;
}

/** The figures a median is taken of (every field but recovery's reasons). */
type Key = Exclude<keyof Measurement, 'recoveryReasons'>;

/** A table row: the target, or for publish-api the target and its door (`firetower · grpc-stream`). */
export type RowName = string;

export function rowName(r: Pick<RunRecord, 'target' | 'via'>): RowName {
  return r.via === undefined ? r.target : `${r.target} · ${r.via}`;
}

export function summarise(records: RunRecord[]): Map<ScenarioName, Map<RowName, Summary>> {
  const out = new Map<ScenarioName, Map<RowName, Summary>>();
  for (const r of records) {
    const byTarget = out.get(r.scenario) ?? new Map<RowName, Summary>();
    out.set(r.scenario, byTarget);
    const row = rowName(r);
    if (!byTarget.has(row)) {
      const group = records.filter((x) => x.scenario === r.scenario && rowName(x) === row);
      const ok = group.flatMap((x) => (x.measurement ? [x.measurement] : []));
      const m = {} as Measurement;
      if (ok.length > 0) {
        for (const key of Object.keys(ok[0]!) as Key[]) if (key !== ('recoveryReasons' as string)) m[key] = median(ok.map((x) => x[key]));
        // Any loss matters, and so does any second of a slow event loop or anything left after closing.
        const worstOf = [
          'lost',
          'duplicates',
          'loopDelayP99Ms',
          'loopDelayMaxMs',
          'connectionsAfterClose',
          'topicsAfterClose',
          'recoveredFalse',
          'recoveryIncomplete',
          'lostSilent',
          'duplicatesSilent',
        ] as const;
        for (const worst of worstOf) {
          const values = ok.map((x) => x[worst]).filter((v) => Number.isFinite(v));
          m[worst] = values.length > 0 ? Math.max(...values) : Number.NaN;
        }
        // recovery: the repeat where the fewest clients recovered.
        const recoveredRuns = ok.map((x) => x.recoveredClients).filter((v) => Number.isFinite(v));
        m.recoveredClients = recoveredRuns.length > 0 ? Math.min(...recoveredRuns) : Number.NaN;
        // recovery: why acks said recovered: false, summed over the repeats.
        m.recoveryReasons = {};
        for (const x of ok) for (const [reason, n] of Object.entries(x.recoveryReasons ?? {})) m.recoveryReasons[reason] = (m.recoveryReasons[reason] ?? 0) + n;
      }
      const foreign = group.flatMap((x) => {
        const brokers = (x.nodeStats ?? []).flatMap((n) => (n.broker ? [n.broker] : []));
        return brokers.length > 0 ? [brokers.reduce((a, b) => a + b.foreignDeliveries, 0)] : [];
      });
      byTarget.set(row, {
        target: r.target,
        via: r.via,
        m,
        runs: ok.length,
        errors: group.flatMap((x) => (x.error ? [x.error] : [])),
        foreignDeliveries: foreign.length > 0 ? Math.max(...foreign) : undefined,
      });
    }
  }
  return out;
}

function fmt(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function ratio(value: number | undefined, reference: number | undefined): string {
  if (value === undefined || reference === undefined || !Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) {
    return '–';
  }
  return `${(value / reference).toFixed(2)}×`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function throughputTable(byTarget: Map<RowName, Summary>): string {
  const cork = byTarget.get('ws-raw-cork')?.m;
  const sio = byTarget.get('socketio')?.m;
  const rows = [...byTarget].map(([target, s]) => {
    const m = s.m;
    return [
      target,
      fmt(m.deliveredPerSec),
      ratio(m.deliveredPerSec, cork?.deliveredPerSec),
      ratio(m.deliveredPerSec, sio?.deliveredPerSec),
      fmt(m.deliveriesPerCpuSec),
      ratio(m.deliveriesPerCpuSec, cork?.deliveriesPerCpuSec),
      ratio(m.deliveriesPerCpuSec, sio?.deliveriesPerCpuSec),
      fmt(m.publishesPerSec),
      fmt(m.latencyP50Ms, 1),
      fmt(m.latencyP99Ms, 1),
      fmt(m.latencyMaxMs, 1),
      fmt(m.lost),
      s.foreignDeliveries === undefined ? '–' : fmt(s.foreignDeliveries),
      fmt(m.serverCpuPct),
      fmt(m.serverRssMb),
      fmt(m.loadgenCpuPct),
    ];
  });
  return table(
    [
      'target',
      'delivered/s',
      '× cork',
      '× sio',
      'deliv/CPU-s',
      '× cork',
      '× sio',
      'publishes/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'lost',
      'foreign',
      'srv CPU %',
      'srv RSS MB',
      'loadgen CPU %',
    ],
    rows,
  );
}

function latencyTable(byTarget: Map<RowName, Summary>): string {
  const cork = byTarget.get('ws-raw-cork')?.m;
  const sio = byTarget.get('socketio')?.m;
  const rows = [...byTarget].map(([target, s]) => {
    const m = s.m;
    return [
      target,
      fmt(m.latencyP50Ms, 2),
      fmt(m.latencyP99Ms, 2),
      fmt(m.latencyMaxMs, 1),
      ratio(m.latencyP99Ms, cork?.latencyP99Ms),
      ratio(m.latencyP99Ms, sio?.latencyP99Ms),
      fmt(m.deliveredPerSec),
      fmt(m.lost),
      fmt(m.serverCpuPct),
      fmt(m.loadgenCpuPct),
    ];
  });
  return table(['target', 'p50 ms', 'p99 ms', 'max ms', 'p99 × cork', 'p99 × sio', 'delivered/s', 'lost', 'srv CPU %', 'loadgen CPU %'], rows);
}

/** publish-api: each door beside the same target's WebSocket publisher (`× ws`). */
function publishApiTable(byRow: Map<RowName, Summary>): string {
  const rows = [...byRow].map(([row, s]) => {
    const m = s.m;
    const ws = byRow.get(rowName({ target: s.target, via: 'ws' }))?.m;
    return [
      row,
      fmt(m.acceptedPerSec),
      ratio(m.acceptedPerSec, ws?.acceptedPerSec),
      fmt(m.deliveredPerSec),
      fmt(m.deliveriesPerCpuSec),
      ratio(m.deliveriesPerCpuSec, ws?.deliveriesPerCpuSec),
      fmt(m.latencyP50Ms, 1),
      fmt(m.latencyP99Ms, 1),
      fmt(m.lost),
      fmt(m.serverCpuPct),
      fmt(m.serverRssMb),
      fmt(m.loadgenCpuPct),
    ];
  });
  return table(
    ['target · door', 'accepted/s', '× ws', 'delivered/s', 'deliv/CPU-s', '× ws', 'p50 ms', 'p99 ms', 'lost', 'srv CPU %', 'srv RSS MB', 'loadgen CPU %'],
    rows,
  );
}

function idleTable(byTarget: Map<RowName, Summary>): string {
  const raw = byTarget.get('ws-raw')?.m;
  const cork = byTarget.get('ws-raw-cork')?.m;
  const sio = byTarget.get('socketio')?.m;
  const rows = [...byTarget].map(([target, s]) => {
    const m = s.m;
    return [
      target,
      fmt(m.rssPerConnKb, 1),
      ratio(m.rssPerConnKb, raw?.rssPerConnKb),
      ratio(m.rssPerConnKb, cork?.rssPerConnKb),
      ratio(m.rssPerConnKb, sio?.rssPerConnKb),
      fmt(m.rssPerConnKbWhole, 1),
      ratio(m.rssPerConnKbWhole, raw?.rssPerConnKbWhole),
      fmt(m.connectionsPerSec),
      fmt(m.serverRssMb),
    ];
  });
  return table(['target', 'RSS/conn KB', '× ws-raw', '× cork', '× sio', 'whole KB', '× ws-raw', 'conn/s', 'srv RSS MB'], rows);
}

/** compression: wire bytes and server CPU per delivery beside uncompressed firetower and ws's per-socket deflate. */
function compressionTable(byTarget: Map<RowName, Summary>): string {
  const plain = byTarget.get('firetower')?.m;
  const perSocket = byTarget.get('ws-raw-deflate')?.m;
  const rows = [...byTarget].map(([target, s]) => {
    const m = s.m;
    return [
      target,
      `${fmt(m.deflateNegotiated)} / ${fmt(m.connections - 1)}`,
      fmt(m.wireBytesPerDelivery),
      ratio(plain?.wireBytesPerDelivery, m.wireBytesPerDelivery),
      fmt(m.serverCpuUsPerDelivery, 2),
      ratio(m.serverCpuUsPerDelivery, plain?.serverCpuUsPerDelivery),
      ratio(m.serverCpuUsPerDelivery, perSocket?.serverCpuUsPerDelivery),
      fmt(m.deliveredPerSec),
      fmt(m.lost),
      fmt(m.latencyP50Ms, 1),
      fmt(m.latencyP99Ms, 1),
      fmt(m.serverCpuPct),
      fmt(m.serverRssMb),
      fmt(m.loadgenCpuPct),
    ];
  });
  return table(
    [
      'target',
      'deflate',
      'wire B/delivery',
      'fewer × ft',
      'srv CPU µs/delivery',
      '× ft',
      '× ws-deflate',
      'delivered/s',
      'lost',
      'p50 ms',
      'p99 ms',
      'srv CPU %',
      'srv RSS MB',
      'loadgen CPU %',
    ],
    rows,
  );
}

/** idle-deflate: idle's figures beside firetower (whose server declines the extension the same clients offer). */
function idleDeflateTable(byTarget: Map<RowName, Summary>): string {
  const plain = byTarget.get('firetower')?.m;
  const raw = byTarget.get('ws-raw')?.m;
  const rows = [...byTarget].map(([target, s]) => {
    const m = s.m;
    return [
      target,
      `${fmt(m.deflateNegotiated)} / ${fmt(m.connections - 1)}`,
      fmt(m.rssPerConnKb, 1),
      ratio(m.rssPerConnKb, plain?.rssPerConnKb),
      ratio(m.rssPerConnKb, raw?.rssPerConnKb),
      fmt(m.rssPerConnKbWhole, 1),
      ratio(m.rssPerConnKbWhole, plain?.rssPerConnKbWhole),
      fmt(m.connectionsPerSec),
      fmt(m.serverRssMb),
    ];
  });
  return table(['target', 'deflate', 'RSS/conn KB', '× firetower', '× ws-raw', 'whole KB', '× firetower', 'conn/s', 'srv RSS MB'], rows);
}

/** scale: memory, event-loop delay, the trickle's deliveries and what closing everything left. */
function scaleTable(byTarget: Map<RowName, Summary>): string {
  const raw = byTarget.get('ws-raw')?.m;
  const rows = [...byTarget].map(([target, s]) => {
    const m = s.m;
    return [
      target,
      fmt(m.connections),
      fmt(m.connectionsPerSec),
      fmt(m.rssPerConnKb, 1),
      ratio(m.rssPerConnKb, raw?.rssPerConnKb),
      fmt(m.rssPerConnKbWhole, 1),
      fmt(m.loopDelayP99Ms, 1),
      fmt(m.loopDelayMaxMs, 1),
      fmt(m.deliveredPerSec),
      fmt(m.latencyP99Ms, 1),
      fmt(m.lost),
      `${fmt(m.connectionsAfterClose)} / ${fmt(m.topicsAfterClose)}`,
      `${fmt(m.heapBaselineMb, 1)} → ${fmt(m.heapLoadedMb, 1)} → ${fmt(m.heapAfterCloseMb, 1)}`,
      fmt(m.serverRssMb),
    ];
  });
  return table(
    [
      'target',
      'conns',
      'conn/s',
      'RSS/conn KB',
      '× ws-raw',
      'whole KB',
      'loop p99 ms',
      'loop max ms',
      'delivered/s',
      'p99 ms',
      'lost',
      'after close conns / topics',
      'heap MB before → open → closed',
      'srv RSS MB',
    ],
    rows,
  );
}

/**
 * fan-out and many topics: each history target beside the same target without history (both
 * must have run), history on ÷ off.
 */
function historyTable(byTarget: Map<RowName, Summary>): string | undefined {
  const rows: string[][] = [];
  for (const name of HISTORY_TARGETS) {
    const on = byTarget.get(name);
    const off = byTarget.get(withoutHistory(name)!);
    if (on === undefined || off === undefined || on.runs === 0 || off.runs === 0) continue;
    rows.push([
      `${name} ÷ ${withoutHistory(name)!}`,
      fmt(off.m.deliveredPerSec),
      fmt(on.m.deliveredPerSec),
      ratio(on.m.deliveredPerSec, off.m.deliveredPerSec),
      fmt(off.m.deliveriesPerCpuSec),
      fmt(on.m.deliveriesPerCpuSec),
      ratio(on.m.deliveriesPerCpuSec, off.m.deliveriesPerCpuSec),
      `${fmt(off.m.latencyP99Ms, 1)} → ${fmt(on.m.latencyP99Ms, 1)}`,
      `${fmt(off.m.serverRssMb)} → ${fmt(on.m.serverRssMb)}`,
      fmt(on.m.lost),
    ]);
  }
  if (rows.length === 0) return undefined;
  return table(
    ['history on ÷ off', 'delivered/s off', 'on', '× off', 'deliv/CPU-s off', 'on', '× off', 'p99 ms off → on', 'srv RSS MB off → on', 'lost (on)'],
    rows,
  );
}

/** `{ too_old: 3, unavailable: 1 }` → `too_old 3, unavailable 1`. */
function reasons(byReason: Record<string, number> | undefined): string {
  const entries = Object.entries(byReason ?? {});
  return entries.length === 0 ? '–' : entries.map(([reason, n]) => `${reason} ${fmt(n)}`).join(', ');
}

/** recovery: how long 1,000 clients took to recover after all dropped at once, and whether any publication was lost or doubled. */
function recoveryTable(byTarget: Map<RowName, Summary>): string {
  const rows = [...byTarget].map(([target, s]) => {
    const m = s.m;
    return [
      target,
      `${fmt(m.recoveredClients)} / ${fmt(m.connections - 1)}`,
      fmt(m.recoveryP50Ms),
      fmt(m.recoveryP99Ms),
      fmt(m.recoveryMaxMs),
      fmt(m.recoveryAckMaxMs),
      fmt(m.missedPerClient, 1),
      `${fmt(m.lost)} (${fmt(m.lostSilent)})`,
      `${fmt(m.duplicates)} (${fmt(m.duplicatesSilent)})`,
      fmt(m.recoveredFalse),
      reasons(m.recoveryReasons),
      fmt(m.connectionsPerSec),
      fmt(m.recoveryServerCpuMs),
      fmt(m.recoveryServerCpuPct),
      fmt(m.loadgenCpuPct),
    ];
  });
  return table(
    [
      'target',
      'recovered',
      'recovery p50 ms',
      'p99 ms',
      'max ms',
      'last ack ms',
      'missed/client',
      'lost (silent)',
      'duplicated (silent)',
      'recovered:false',
      'why (all repeats)',
      'first connect conn/s',
      'srv CPU ms drop → recovered',
      'srv CPU % drop → recovered',
      'loadgen CPU %',
    ],
    rows,
  );
}

const TITLES: Record<ScenarioName, string> = {
  fanout: 'Fan-out',
  'many-topics': 'Many topics',
  latency: 'Latency at a fixed rate',
  idle: 'Idle connections',
  'publish-api': 'Publish API (a back end pushing into the fan-out)',
  compression: 'Compression (1 KB JSON at a fixed rate, clients offer permessage-deflate)',
  'idle-deflate': 'Idle connections with permessage-deflate offered',
  scale: 'Scale (connections on one node, a trickle of publishes)',
  recovery: 'Recovery (every subscriber drops its socket at once, reconnects and resubscribes with `since`)',
};

export interface Goal {
  text: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
  figure: string;
}

function goals(summary: Map<ScenarioName, Map<RowName, Summary>>): Goal[] {
  const get = (s: ScenarioName, t: TargetName): Measurement | undefined => {
    const found = summary.get(s)?.get(t);
    return found && found.runs > 0 ? found.m : undefined;
  };
  const out: Goal[] = [];
  const compare = (text: string, a: number | undefined, b: number | undefined, bound: number, atMost: boolean): void => {
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
      out.push({ text, met: undefined, figure: 'not measured' });
      return;
    }
    const r = a / b;
    out.push({ text, met: atMost ? r <= bound : r >= bound, figure: `${r.toFixed(2)}×` });
  };
  for (const s of ['fanout', 'many-topics'] as const) {
    const ft = get(s, 'firetower');
    const cork = get(s, 'ws-raw-cork');
    const cluster = get(s, 'firetower-cluster');
    compare(`${s}: firetower delivered/s ≥ 0.9× ws-raw-cork`, ft?.deliveredPerSec, cork?.deliveredPerSec, 0.9, false);
    compare(`${s}: firetower deliveries/CPU-s ≥ 0.9× ws-raw-cork`, ft?.deliveriesPerCpuSec, cork?.deliveriesPerCpuSec, 0.9, false);
    compare(`${s}: firetower-cluster delivered/s ≥ 0.5× firetower`, cluster?.deliveredPerSec, ft?.deliveredPerSec, 0.5, false);
    compare(`${s}: firetower-cluster delivered/s > socketio-redis`, cluster?.deliveredPerSec, get(s, 'socketio-redis')?.deliveredPerSec, 1, false);
    const clusterSummary = summary.get(s)?.get('firetower-cluster');
    if (clusterSummary && clusterSummary.runs > 0) {
      out.push({ text: `${s}: firetower-cluster lost 0`, met: cluster!.lost === 0, figure: fmt(cluster!.lost) });
      out.push({
        text: `${s}: firetower-cluster deliveries on topics without local subscribers = 0`,
        met: clusterSummary.foreignDeliveries === 0,
        figure: fmt(clusterSummary.foreignDeliveries),
      });
    }
  }
  compare('latency: firetower p99 ≤ 1.5× ws-raw-cork', get('latency', 'firetower')?.latencyP99Ms, get('latency', 'ws-raw-cork')?.latencyP99Ms, 1.5, true);
  compare('idle: firetower RSS/conn ≤ 1.2× ws-raw', get('idle', 'firetower')?.rssPerConnKb, get('idle', 'ws-raw')?.rssPerConnKb, 1.2, true);
  return out;
}

/** Issue 20: shared permessage-deflate and 100,000 connections on one node. */
function goals20(summary: Map<ScenarioName, Map<RowName, Summary>>): Goal[] {
  const get = (s: ScenarioName, t: TargetName): Measurement | undefined => {
    const found = summary.get(s)?.get(t);
    return found && found.runs > 0 ? found.m : undefined;
  };
  const out: Goal[] = [];
  const check = (text: string, value: number | undefined, met: (v: number) => boolean, show: (v: number) => string): void => {
    if (value === undefined || !Number.isFinite(value)) out.push({ text, met: undefined, figure: 'not measured' });
    else out.push({ text, met: met(value), figure: show(value) });
  };
  const times = (v: number): string => `${v.toFixed(2)}×`;
  const deflate = get('compression', 'firetower-deflate');
  const plain = get('compression', 'firetower');
  const perSocket = get('compression', 'ws-raw-deflate');
  if (deflate !== undefined || plain !== undefined) {
    check(
      'compression: firetower-deflate wire bytes ≥ 3× fewer than firetower',
      div(plain?.wireBytesPerDelivery, deflate?.wireBytesPerDelivery),
      (r) => r >= 3,
      times,
    );
    check(
      'compression: firetower-deflate server CPU/delivery ≤ 1.3× firetower',
      div(deflate?.serverCpuUsPerDelivery, plain?.serverCpuUsPerDelivery),
      (r) => r <= 1.3,
      times,
    );
    check(
      'compression: firetower-deflate server CPU/delivery ≤ 0.25× ws-raw-deflate',
      div(deflate?.serverCpuUsPerDelivery, perSocket?.serverCpuUsPerDelivery),
      (r) => r <= 0.25,
      times,
    );
  }
  const idleDeflate = get('idle-deflate', 'firetower-deflate');
  const idlePlain = get('idle-deflate', 'firetower');
  if (idleDeflate !== undefined || idlePlain !== undefined) {
    check(
      'idle-deflate: firetower-deflate RSS/conn (negotiated) ≤ 1.2× firetower (declined)',
      div(idleDeflate?.rssPerConnKb, idlePlain?.rssPerConnKb),
      (r) => r <= 1.2,
      times,
    );
  }
  const scale = get('scale', 'firetower');
  if (scale !== undefined) {
    const at = `at ${fmt(scale.connections)} connections`;
    check(`scale: firetower RSS/conn ≤ 1.1× ws-raw ${at}`, div(scale.rssPerConnKb, get('scale', 'ws-raw')?.rssPerConnKb), (r) => r <= 1.1, times);
    check(
      `scale: firetower event-loop delay p99 ≤ 20 ms in every second, heartbeats included`,
      scale.loopDelayP99Ms,
      (v) => v <= 20,
      (v) => `${v.toFixed(1)} ms (max ${fmt(scale.loopDelayMaxMs, 1)} ms)`,
    );
    check(
      'scale: firetower counts 0 connections and 0 topics after every connection closed',
      scale.connectionsAfterClose + scale.topicsAfterClose,
      (v) => v === 0,
      () => `${fmt(scale.connectionsAfterClose)} / ${fmt(scale.topicsAfterClose)}`,
    );
    check(
      'scale: firetower lost 0 of the trickle',
      scale.lost,
      (v) => v === 0,
      (v) => fmt(v),
    );
    // "Heap back to baseline": what stays after closing is under a tenth of what the connections held.
    check(
      'scale: firetower heap after closing within 10 % of what the connections held above the baseline',
      div(scale.heapAfterCloseMb - scale.heapBaselineMb, scale.heapLoadedMb - scale.heapBaselineMb),
      (r) => r <= 0.1,
      (r) => `${(r * 100).toFixed(1)} % (${fmt(scale.heapBaselineMb, 1)} → ${fmt(scale.heapLoadedMb, 1)} → ${fmt(scale.heapAfterCloseMb, 1)} MB)`,
    );
  }
  return out;
}

/** Issue 18: history costs little on the hot path, and recovery loses and doubles nothing. */
function goals18(summary: Map<ScenarioName, Map<RowName, Summary>>): Goal[] {
  const get = (s: ScenarioName, t: TargetName): Measurement | undefined => {
    const found = summary.get(s)?.get(t);
    return found && found.runs > 0 ? found.m : undefined;
  };
  const out: Goal[] = [];
  for (const s of ['fanout', 'many-topics'] as const) {
    const on = get(s, 'firetower-history');
    const off = get(s, 'firetower');
    if (on === undefined) continue;
    for (const [what, key] of [
      ['delivered/s', 'deliveredPerSec'],
      ['deliveries/CPU-s', 'deliveriesPerCpuSec'],
    ] as const) {
      const r = div(on[key], off?.[key]);
      out.push({
        text: `${s}: firetower-history ${what} ≥ 0.9× firetower (history off)`,
        met: r === undefined ? undefined : r >= 0.9,
        figure: r === undefined ? 'not measured' : `${r.toFixed(2)}×`,
      });
    }
  }
  for (const [target, s] of summary.get('recovery') ?? []) {
    if (s.runs === 0) continue;
    const m = s.m;
    const clients = m.connections - 1;
    out.push({
      text: `recovery: ${target}: every client recovered, lost 0, duplicated 0, recovered:false 0`,
      met: m.recoveredClients === clients && m.recoveryIncomplete === 0 && m.lost === 0 && m.duplicates === 0 && m.recoveredFalse === 0,
      figure:
        `${fmt(m.recoveredClients)} / ${fmt(clients)} in ${fmt(m.recoveryMaxMs)} ms max, lost ${fmt(m.lost)} (silent ${fmt(m.lostSilent)}), ` +
        `duplicated ${fmt(m.duplicates)} (silent ${fmt(m.duplicatesSilent)}), recovered:false ${fmt(m.recoveredFalse)}` +
        (m.recoveredFalse > 0 ? ` (${reasons(m.recoveryReasons)} over the repeats)` : ''),
    });
  }
  return out;
}

function div(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? undefined : a / b;
}

export function renderReport(records: RunRecord[], header: string[]): string {
  const summary = summarise(records);
  const parts: string[] = [...header, ''];
  for (const [scenario, byTarget] of summary) {
    parts.push(`### ${TITLES[scenario]}`, '');
    if (scenario === 'latency') parts.push(latencyTable(byTarget));
    else if (scenario === 'idle') parts.push(idleTable(byTarget));
    else if (scenario === 'compression') parts.push(compressionTable(byTarget));
    else if (scenario === 'idle-deflate') parts.push(idleDeflateTable(byTarget));
    else if (scenario === 'scale') parts.push(scaleTable(byTarget));
    else if (scenario === 'publish-api') parts.push(publishApiTable(byTarget));
    else if (scenario === 'recovery') parts.push(recoveryTable(byTarget));
    else {
      parts.push(throughputTable(byTarget));
      const history = historyTable(byTarget);
      if (history !== undefined) parts.push('', history);
    }
    const errors = [...byTarget].flatMap(([t, s]) => s.errors.map((e) => `- ${t}: ${e}`));
    if (errors.length > 0) parts.push('', 'Errors:', ...errors);
    parts.push('');
  }
  const line = (g: Goal): string => `- ${g.met === undefined ? '·' : g.met ? '✔' : '✘'} ${g.text}: ${g.figure}`;
  parts.push('### Goals (issue 8)', '', ...goals(summary).map(line));
  const later = goals20(summary);
  if (later.length > 0) parts.push('', '### Goals (issue 20)', '', ...later.map(line));
  const history = goals18(summary);
  if (history.length > 0) parts.push('', '### Goals (issue 18)', '', ...history.map(line));
  return parts.join('\n') + '\n';
}
