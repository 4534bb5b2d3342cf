/** Turns run records into the Markdown report: one table per scenario, then the goals. */
import type { NodeStats, TargetName } from './targets.js';
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

/** Medians over repeats; `lost` and foreign deliveries are the worst repeat (any loss matters). */
export interface Summary {
  target: TargetName;
  via: PublishVia | undefined;
  m: Measurement;
  runs: number;
  errors: string[];
  foreignDeliveries: number | undefined;
}

type Key = keyof Measurement;

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
        for (const key of Object.keys(ok[0]!) as Key[]) m[key] = median(ok.map((x) => x[key]));
        m.lost = Math.max(...ok.map((x) => x.lost));
        m.duplicates = Math.max(...ok.map((x) => x.duplicates));
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
    ['target', 'delivered/s', '× cork', '× sio', 'deliv/CPU-s', '× cork', '× sio', 'publishes/s', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'foreign', 'srv CPU %', 'srv RSS MB', 'loadgen CPU %'],
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

const TITLES: Record<ScenarioName, string> = {
  fanout: 'Fan-out',
  'many-topics': 'Many topics',
  latency: 'Latency at a fixed rate',
  idle: 'Idle connections',
  'publish-api': 'Publish API (a back end pushing into the fan-out)',
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

export function renderReport(records: RunRecord[], header: string[]): string {
  const summary = summarise(records);
  const parts: string[] = [...header, ''];
  for (const [scenario, byTarget] of summary) {
    parts.push(`### ${TITLES[scenario]}`, '');
    if (scenario === 'latency') parts.push(latencyTable(byTarget));
    else if (scenario === 'idle') parts.push(idleTable(byTarget));
    else if (scenario === 'publish-api') parts.push(publishApiTable(byTarget));
    else parts.push(throughputTable(byTarget));
    const errors = [...byTarget].flatMap(([t, s]) => s.errors.map((e) => `- ${t}: ${e}`));
    if (errors.length > 0) parts.push('', 'Errors:', ...errors);
    parts.push('');
  }
  parts.push('### Goals (issue 8)', '');
  for (const g of goals(summary)) {
    const mark = g.met === undefined ? '·' : g.met ? '✔' : '✘';
    parts.push(`- ${mark} ${g.text}: ${g.figure}`);
  }
  return parts.join('\n') + '\n';
}
