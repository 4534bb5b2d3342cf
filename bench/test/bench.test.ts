/**
 * Keeps `pnpm bench` from rotting: runs the built harness with --quick on the fan-out and
 * many-topics scenarios (the two that carry loss and cluster-routing checks; latency and idle
 * share all their machinery) and checks that it completes, writes its results, and that every
 * target delivered with nothing lost. It never asserts a speed.
 */
import { execFileSync, spawn } from 'node:child_process';
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
  const targets = ['firetower', 'firetower-cluster', 'ws-raw', 'ws-raw-cork', 'socketio'];
  if (hasRedis()) {
    targets.push('socketio-redis', 'ws-raw-redis');
    if (existsSync(join(repoRoot, 'packages', 'redis', 'dist', 'index.js'))) targets.push('firetower-redis');
  }
  return targets;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const outDir = mkdtempSync(join(tmpdir(), 'firetower-bench-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('pnpm bench --quick', () => {
  it('runs every target, writes the report and raw lines, and loses nothing', { timeout: 180_000 }, async () => {
    if (!existsSync(runJs)) {
      throw new Error(`${runJs} is missing: build the bench first (pnpm build, or pnpm --filter @firetower/bench build)`);
    }
    const targets = expectedTargets();
    const result = await run(['--quick', '--scenarios', 'fanout,many-topics', '--targets', targets.join(','), '--out', outDir]);
    expect(result.code, result.stderr).toBe(0);

    const report = readFileSync(join(outDir, 'latest.md'), 'utf8');
    expect(result.stdout).toContain(report.trim());
    expect(report).toContain('### Fan-out');
    expect(report).toContain('### Many topics');
    expect(report).not.toContain('Skipped:');

    const records = readFileSync(join(outDir, 'latest.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as RunRecord);
    expect(records.map((r) => `${r.scenario}/${r.target}`).sort()).toEqual(
      ['fanout', 'many-topics'].flatMap((s) => targets.map((t) => `${s}/${t}`)).sort(),
    );
    for (const record of records) {
      const where = `${record.scenario}/${record.target}`;
      expect(record.error, where).toBeUndefined();
      const m = record.measurement!;
      expect(m.delivered, where).toBeGreaterThan(0);
      expect(m.published, where).toBeGreaterThan(0);
      expect(m.lost, where).toBe(0);
      expect(m.duplicates, where).toBe(0);
      expect(m.delivered, where).toBe(m.expected);
      expect(report, where).toContain(`| ${record.target} |`);
    }

    // The cluster: both nodes got traffic from the service, and none on topics they had no
    // subscriber of (many-topics puts each topic's subscribers on one node only).
    for (const scenario of ['fanout', 'many-topics']) {
      const cluster = records.find((r) => r.scenario === scenario && r.target === 'firetower-cluster')!;
      expect(cluster.nodeStats, scenario).toHaveLength(2);
      for (const node of cluster.nodeStats!) expect(node.foreignDeliveries, scenario).toBe(0);
    }
    // Fan-out splits the one topic's subscribers over both nodes and publishes on node 0, so
    // node 1 gets every message through the service.
    const spread = records.find((r) => r.scenario === 'fanout' && r.target === 'firetower-cluster')!;
    expect(spread.nodeStats![0]!.localDeliveries).toBeGreaterThan(0);
    expect(spread.nodeStats![1]!.deliveries).toBe(spread.measurement!.published);
  });
});
