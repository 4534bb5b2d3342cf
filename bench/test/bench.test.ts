/**
 * Keeps `pnpm bench` from rotting: runs the built harness with --quick, the fan-out scenario on
 * every target and many topics on the firetower cluster (where each topic's subscribers sit on one
 * node, so "no traffic for topics a node has no subscriber of" is a real check), and checks that
 * it completes, writes its results, and that every target delivered with nothing lost. Idle runs
 * on a cluster target and raw ws, for its own machinery: connect steps and asking every Node
 * process (nodes and topic service) to collect garbage before memory is read. Latency shares the
 * fan-out's machinery and is left out for time. publish-api (opt-in) runs on
 * firetower through every door: WebSocket, gRPC PublishStream, HTTP single and batch POSTs.
 * Compression runs on firetower-deflate and socketio-deflate beside plain firetower (the extension
 * is negotiated, and the bytes a delivery costs on the wire are measured); scale on firetower at
 * 400 connections from two source addresses (loop-delay reports, and every count back to 0 after
 * closing). Fan-out also runs on firetower-history (history on every topic), whose row the report
 * sets beside firetower's; recovery on firetower-history at 100 clients, which all drop their
 * sockets at once and resubscribe with `since`: every one recovers, nothing lost or duplicated.
 * It never asserts a speed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/report.js';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const runJs = join(benchDir, 'dist', 'run.js');
const repoRoot = join(benchDir, '..');

function hasRedis(): boolean {
  try {
    execFileSync('bash', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function expectedTargets(): string[] {
  const targets = ['firetower', 'firetower-cluster', 'ws-raw', 'ws-raw-cork', 'socketio', 'firetower-history'];
  if (hasRedis()) {
    targets.push('socketio-redis', 'ws-raw-redis');
    if (existsSync(join(repoRoot, 'packages', 'redis', 'dist', 'index.js'))) targets.push('firetower-redis');
  }
  return targets;
}

const children = new Set<ChildProcess>();

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const outDir = mkdtempSync(join(tmpdir(), 'firetower-bench-'));
afterAll(() => {
  // On a timeout the harness is still running: SIGTERM makes it stop its servers first.
  for (const child of children) child.kill('SIGTERM');
  rmSync(outDir, { recursive: true, force: true });
});

function readRecords(dir: string): RunRecord[] {
  return readFileSync(join(dir, 'latest.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as RunRecord);
}

function expectDeliveredAll(record: RunRecord): void {
  const where = `${record.scenario}/${record.target}`;
  expect(record.error, where).toBeUndefined();
  const m = record.measurement!;
  expect(m.delivered, where).toBeGreaterThan(0);
  expect(m.published, where).toBeGreaterThan(0);
  expect(m.lost, where).toBe(0);
  expect(m.duplicates, where).toBe(0);
  expect(m.delivered, where).toBe(m.expected);
}

describe('pnpm bench --quick', () => {
  it('runs fan-out on every target, writes the report and raw lines, and loses nothing', { timeout: 150_000 }, async () => {
    if (!existsSync(runJs)) {
      throw new Error(`${runJs} is missing: build the bench first (pnpm build, or pnpm --filter @firetower/bench build)`);
    }
    const targets = expectedTargets();
    const out = join(outDir, 'fanout');
    const result = await run(['--quick', '--scenarios', 'fanout', '--targets', targets.join(','), '--out', out]);
    expect(result.code, result.stderr).toBe(0);

    const report = readFileSync(join(out, 'latest.md'), 'utf8');
    expect(result.stdout).toContain(report.trim());
    expect(report).toContain('### Fan-out');
    expect(report).toContain('### Goals (issue 8)');
    expect(report).not.toContain('Skipped:');
    // History on beside history off, and the issue 18 goal on it.
    expect(report).toContain('| firetower-history ÷ firetower |');
    expect(report).toContain('fanout: firetower-history delivered/s ≥ 0.9× firetower');

    const records = readRecords(out);
    expect(records.map((r) => r.target).sort()).toEqual([...targets].sort());
    for (const record of records) {
      expectDeliveredAll(record);
      expect(report).toContain(`| ${record.target} |`);
    }

    // Fan-out splits the topic's subscribers over both nodes and publishes on node 0, so node 1
    // gets every message through the service (the measured ones plus the subscription probes).
    const cluster = records.find((r) => r.target === 'firetower-cluster')!;
    expect(cluster.nodeStats).toHaveLength(2);
    expect(cluster.nodeStats![0]!.broker!.localDeliveries).toBeGreaterThan(0);
    expect(cluster.nodeStats![1]!.broker!.deliveries).toBeGreaterThanOrEqual(cluster.measurement!.published);
    for (const node of cluster.nodeStats!) expect(node.broker!.foreignDeliveries).toBe(0);
  });

  it('routes many topics through the topic service only to nodes with subscribers', { timeout: 60_000 }, async () => {
    if (!existsSync(runJs)) throw new Error(`${runJs} is missing: build the bench first`);
    const out = join(outDir, 'many-topics');
    const result = await run(['--quick', '--scenarios', 'many-topics', '--targets', 'firetower-cluster', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const [record, ...rest] = readRecords(out);
    expect(rest).toEqual([]);
    expectDeliveredAll(record!);
    expect(record!.nodeStats).toHaveLength(2);
    // Each topic's subscribers are on one node: the other must get none of its traffic.
    for (const node of record!.nodeStats!) expect(node.broker!.foreignDeliveries).toBe(0);
    expect(record!.nodeStats![1]!.broker!.deliveries).toBeGreaterThan(0);
  });

  it('reads idle memory after every connect step once each server process has collected garbage', { timeout: 60_000 }, async () => {
    if (!existsSync(runJs)) throw new Error(`${runJs} is missing: build the bench first`);
    const out = join(outDir, 'idle');
    const result = await run(['--quick', '--scenarios', 'idle', '--targets', 'firetower-cluster,ws-raw', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, 'latest.md'), 'utf8')).toContain('### Idle connections');
    const records = readRecords(out);
    expect(records.map((r) => r.target).sort()).toEqual(['firetower-cluster', 'ws-raw']);
    for (const record of records) {
      expect(record.error, record.target).toBeUndefined();
      const m = record.measurement!;
      // 500 subscribers and the publisher; the memory figures are noise at this size, but present.
      expect(m.connections).toBe(501);
      expect(Number.isFinite(m.rssPerConnKb), record.target).toBe(true);
      expect(Number.isFinite(m.rssPerConnKbWhole), record.target).toBe(true);
      expect(m.serverRssMb).toBeGreaterThan(0);
    }
  });

  it('pushes through gRPC PublishStream and HTTP POST /api/publish into the fan-out without loss', { timeout: 90_000 }, async () => {
    if (!existsSync(runJs)) throw new Error(`${runJs} is missing: build the bench first`);
    const out = join(outDir, 'publish-api');
    const result = await run(['--quick', '--scenarios', 'publish-api', '--targets', 'firetower,ws-raw', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = readFileSync(join(out, 'latest.md'), 'utf8');
    expect(report).toContain('### Publish API');
    expect(report).not.toContain('Skipped:');

    const records = readRecords(out);
    // ws-raw serves no push API: publish-api runs on firetower only, once per door.
    expect(records.map((r) => `${r.target} ${r.via}`).sort()).toEqual(
      ['firetower grpc-stream', 'firetower http', 'firetower http-batch', 'firetower ws'].sort(),
    );
    for (const record of records) {
      expectDeliveredAll(record);
      // Every measured publish was acknowledged by the server (WebSocket ones count as sent).
      expect(record.measurement!.accepted, `${record.via}`).toBe(record.measurement!.published);
      expect(report).toContain(`| firetower · ${record.via} |`);
    }
  });

  it('measures wire bytes with permessage-deflate negotiated, and compressed deliveries arrive intact', { timeout: 60_000 }, async () => {
    if (!existsSync(runJs)) throw new Error(`${runJs} is missing: build the bench first`);
    const out = join(outDir, 'compression');
    const targets = ['firetower', 'firetower-deflate', 'socketio-deflate'];
    const result = await run(['--quick', '--scenarios', 'compression', '--targets', targets.join(','), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, 'latest.md'), 'utf8')).toContain('### Compression');
    const records = readRecords(out);
    expect(records.map((r) => r.target).sort()).toEqual([...targets].sort());
    const bytes = new Map<string, number>();
    for (const record of records) {
      // Every payload was parsed by the subscriber (its timestamp read), so inflated intact.
      expectDeliveredAll(record);
      const m = record.measurement!;
      const subscribers = m.connections - 1;
      expect(m.deflateNegotiated, record.target).toBe(record.target === 'firetower' ? 0 : subscribers);
      expect(Number.isFinite(m.serverCpuUsPerDelivery), record.target).toBe(true);
      bytes.set(record.target, m.wireBytesPerDelivery);
    }
    // About 1 KB plain; the trades payload deflates to well under half on its own.
    expect(bytes.get('firetower')).toBeGreaterThan(1024);
    expect(bytes.get('firetower-deflate')).toBeLessThan(bytes.get('firetower')! / 2);
    expect(bytes.get('socketio-deflate')).toBeLessThan(bytes.get('firetower')! / 2);
  });

  it('opens scale connections from two source addresses, reads loop delay, and closing returns counts to 0', { timeout: 60_000 }, async () => {
    if (!existsSync(runJs)) throw new Error(`${runJs} is missing: build the bench first`);
    const out = join(outDir, 'scale');
    const result = await run(['--quick', '--scenarios', 'scale', '--targets', 'firetower', '--scale-connections', '400', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, 'latest.md'), 'utf8')).toContain('### Scale');
    const [record, ...rest] = readRecords(out);
    expect(rest).toEqual([]);
    expectDeliveredAll(record!);
    const m = record!.measurement!;
    expect(m.connections).toBe(401);
    expect(Number.isFinite(m.rssPerConnKb)).toBe(true);
    expect(m.loopDelayPeriods).toBeGreaterThan(0);
    expect(Number.isFinite(m.loopDelayP99Ms)).toBe(true);
    expect(m.connectionsAfterClose).toBe(0);
    expect(m.topicsAfterClose).toBe(0);
    expect(m.heapAfterCloseMb).toBeGreaterThan(0);
  });

  it('recovers every client after all drop their sockets at once, with nothing lost or duplicated', { timeout: 60_000 }, async () => {
    if (!existsSync(runJs)) throw new Error(`${runJs} is missing: build the bench first`);
    const out = join(outDir, 'recovery');
    // ws-raw keeps no history: recovery runs on firetower-history only.
    const result = await run(['--quick', '--scenarios', 'recovery', '--targets', 'firetower-history,ws-raw', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const report = readFileSync(join(out, 'latest.md'), 'utf8');
    expect(report).toContain('### Recovery');
    expect(report).toContain('### Goals (issue 18)');
    const [record, ...rest] = readRecords(out);
    expect(rest).toEqual([]);
    expect(record!.target).toBe('firetower-history');
    expect(record!.error).toBeUndefined();
    const m = record!.measurement!;
    const clients = m.connections - 1;
    expect(clients).toBe(100);
    // Every client had its ack and every publication up to the marker, then the topic's last one.
    expect(m.recoveredClients).toBe(clients);
    expect(m.recoveryIncomplete).toBe(0);
    expect(m.recoveredFalse).toBe(0);
    expect(Number.isFinite(m.recoveryMaxMs)).toBe(true);
    // Per client, every offset from its first delivery to the topic's last publish, each once.
    expect(m.expected).toBeGreaterThan(0);
    expect(m.lost).toBe(0);
    expect(m.duplicates).toBe(0);
    expect(m.delivered).toBe(m.expected);
  });
});
