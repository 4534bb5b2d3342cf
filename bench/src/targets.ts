/**
 * The targets: what processes each one is made of and where clients connect. Every target gets
 * fresh processes for every run, so no run inherits another's memory or warm caches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, launchListening, launchNodeServer, launchRedis, type Launched } from './launch.js';
import type { Dialect } from './types.js';

const distDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(distDir, '..', '..');
const serverScript = (name: string): string => join(distDir, 'servers', `${name}.js`);
const packageDist = (pkg: string, file = 'index.js'): string => join(repoRoot, 'packages', pkg, 'dist', file);

export type TargetName =
  | 'firetower'
  | 'firetower-cluster'
  | 'firetower-redis'
  | 'ws-raw'
  | 'ws-raw-cork'
  | 'socketio'
  | 'socketio-redis'
  | 'ws-raw-redis';

export const ALL_TARGETS: readonly TargetName[] = [
  'firetower',
  'firetower-cluster',
  'firetower-redis',
  'ws-raw',
  'ws-raw-cork',
  'socketio',
  'socketio-redis',
  'ws-raw-redis',
];

/** What a firetower node reports (GET /bench/stats) just before it is stopped. */
export interface NodeStats {
  /** Cluster nodes only. */
  broker?: BrokerDeliveryCounts;
  server: { connections: number; messagesOutTotal: number; dropsTotal: Record<string, number>; errorsTotal: number };
}

/** What a cluster node's broker handed it. */
export interface BrokerDeliveryCounts {
  /** Messages the broker handed this node from the cluster (service or Redis). */
  deliveries: number;
  /** ... of which on topics this node had no subscriber of (should be 0). */
  foreignDeliveries: number;
  /** This node's own publishes, handed straight back by its broker. */
  localDeliveries: number;
}

export interface RunningTarget {
  nodeUrls: string[];
  publisherNode: number;
  /** Every process: nodes, topic service, redis. */
  pids: number[];
  /** Counters read just before stopping (firetower nodes with a counting broker). */
  nodeStats(): Promise<NodeStats[] | undefined>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra node flags for firetower server processes (e.g. --cpu-prof). */
  firetowerNodeFlags: string[];
}

export interface TargetDefinition {
  name: TargetName;
  dialect: Dialect;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  start(options: StartOptions): Promise<RunningTarget>;
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const redisMissing = (): string | undefined => (hasCommand('redis-server') ? undefined : 'redis-server not found');
const builtMissing = (...files: string[]): string | undefined => {
  const missing = files.filter((f) => !existsSync(f));
  return missing.length === 0 ? undefined : `not built: ${missing.map((f) => f.slice(repoRoot.length + 1)).join(', ')}`;
};

async function stopAll(processes: Launched[]): Promise<void> {
  // Nodes first, then what they depend on.
  for (const p of [...processes].reverse()) await p.stop();
}

async function fetchNodeStats(ports: number[]): Promise<NodeStats[]> {
  return Promise.all(
    ports.map(async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/bench/stats`);
      return (await response.json()) as NodeStats;
    }),
  );
}

/** Starts dependencies first; on any failure stops what was started. */
async function startGroup(
  steps: Array<(started: Launched[]) => Promise<Launched>>,
  describe: (started: Launched[]) => Omit<RunningTarget, 'stop' | 'pids'>,
): Promise<RunningTarget> {
  const started: Launched[] = [];
  try {
    for (const step of steps) started.push(await step(started));
  } catch (error) {
    await stopAll(started);
    throw error;
  }
  return { ...describe(started), pids: started.map((p) => p.pid), stop: () => stopAll(started) };
}

const noStats = async (): Promise<undefined> => undefined;
const wsUrl = (p: Launched, path = '/'): string => `ws://127.0.0.1:${p.port}${path}`;
const sioUrl = (p: Launched): string => `ws://127.0.0.1:${p.port}/socket.io/?EIO=4&transport=websocket`;

function single(name: TargetName, dialect: Dialect, script: string, args: string[], path: string): TargetDefinition {
  return {
    name,
    dialect,
    unavailable: () => undefined,
    start: () =>
      startGroup([() => launchNodeServer(name, serverScript(script), args)], ([server]) => ({
        nodeUrls: [dialect === 'json' ? wsUrl(server!, path) : sioUrl(server!)],
        publisherNode: 0,
        nodeStats: noStats,
      })),
  };
}

/** Two nodes of a server sharing topics through Redis; subscribers split, publishers on node 0. */
function redisPair(name: TargetName, dialect: Dialect, script: string, args: string[]): TargetDefinition {
  return {
    name,
    dialect,
    unavailable: redisMissing,
    start: () =>
      startGroup(
        [
          () => launchRedis(),
          ([redis]) => launchNodeServer(`${name}-a`, serverScript(script), [...args, '--redis', `redis://127.0.0.1:${redis!.port}`]),
          ([redis]) => launchNodeServer(`${name}-b`, serverScript(script), [...args, '--redis', `redis://127.0.0.1:${redis!.port}`]),
        ],
        ([, a, b]) => ({
          nodeUrls: dialect === 'json' ? [wsUrl(a!), wsUrl(b!)] : [sioUrl(a!), sioUrl(b!)],
          publisherNode: 0,
          nodeStats: noStats,
        }),
      ),
  };
}

function firetowerCluster(
  name: TargetName,
  unavailable: () => string | undefined,
  service: () => Promise<Launched>,
  brokerArgs: (service: Launched) => string[],
): TargetDefinition {
  return {
    name,
    dialect: 'json',
    unavailable,
    start: ({ firetowerNodeFlags }) =>
      startGroup(
        [
          service,
          ([s]) => launchNodeServer(`${name}-a`, serverScript('firetower'), [...brokerArgs(s!), '--count-foreign'], firetowerNodeFlags),
          ([s]) => launchNodeServer(`${name}-b`, serverScript('firetower'), [...brokerArgs(s!), '--count-foreign'], firetowerNodeFlags),
        ],
        ([, a, b]) => ({
          nodeUrls: [wsUrl(a!, '/ws'), wsUrl(b!, '/ws')],
          publisherNode: 0,
          nodeStats: () => fetchNodeStats([a!.port, b!.port]),
        }),
      ),
  };
}

async function launchTopicService(): Promise<Launched> {
  const port = await freePort();
  return launchListening('topic-service', process.execPath, [packageDist('topic-service', 'cli.js'), '--port', String(port)], port);
}

export const TARGETS: Record<TargetName, TargetDefinition> = {
  firetower: {
    name: 'firetower',
    dialect: 'json',
    unavailable: () => builtMissing(packageDist('server')),
    start: ({ firetowerNodeFlags }) =>
      startGroup(
        [() => launchNodeServer('firetower', serverScript('firetower'), ['--broker', 'memory'], firetowerNodeFlags)],
        ([server]) => ({ nodeUrls: [wsUrl(server!, '/ws')], publisherNode: 0, nodeStats: () => fetchNodeStats([server!.port]) }),
      ),
  },
  'firetower-cluster': firetowerCluster(
    'firetower-cluster',
    () => builtMissing(packageDist('server'), packageDist('topic-service'), packageDist('topic-service', 'cli.js')),
    launchTopicService,
    (s) => ['--broker', 'topic-service', '--url', `http://127.0.0.1:${s.port}`],
  ),
  'firetower-redis': firetowerCluster(
    'firetower-redis',
    () => redisMissing() ?? builtMissing(packageDist('server'), packageDist('redis')),
    launchRedis,
    (s) => ['--broker', 'redis', '--url', `redis://127.0.0.1:${s.port}`],
  ),
  'ws-raw': single('ws-raw', 'json', 'ws-raw', [], '/'),
  'ws-raw-cork': single('ws-raw-cork', 'json', 'ws-raw', ['--cork'], '/'),
  socketio: single('socketio', 'socketio', 'socketio', [], '/'),
  'socketio-redis': redisPair('socketio-redis', 'socketio', 'socketio', []),
  'ws-raw-redis': redisPair('ws-raw-redis', 'json', 'ws-raw', ['--cork']),
};
