/**
 * The targets: what processes each one is made of and where clients connect. Every target gets
 * fresh processes for every run, so no run inherits another's memory or warm caches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, launchListening, launchNodeServer, launchRedis, loopDelayEnv, type Launched, type LoopDelayPeriod } from './launch.js';
import type { Dialect, PushApiEndpoints } from './types.js';

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
  | 'ws-raw-redis'
  | 'firetower-deflate'
  | 'ws-raw-deflate'
  | 'socketio-deflate'
  | 'firetower-history'
  | 'firetower-cluster-history'
  | 'firetower-redis-history';

/** What every scenario but compression, idle-deflate and scale runs on without `--targets`. */
export const DEFAULT_TARGETS: readonly TargetName[] = [
  'firetower',
  'firetower-cluster',
  'firetower-redis',
  'ws-raw',
  'ws-raw-cork',
  'socketio',
  'socketio-redis',
  'ws-raw-redis',
];

/** The compressing servers: they matter only where clients offer permessage-deflate. */
export const DEFLATE_TARGETS: readonly TargetName[] = ['firetower-deflate', 'ws-raw-deflate', 'socketio-deflate'];

/**
 * The firetower targets again with history on every topic (one catch-all rule,
 * `history: [{ match: /.+/, size }]`, size 100 unless the scenario says otherwise): fan-out and many topics compare them with the same
 * target without history; recovery runs only on them.
 */
export const HISTORY_TARGETS: readonly TargetName[] = ['firetower-history', 'firetower-cluster-history', 'firetower-redis-history'];

/** Publications a history target keeps per topic unless the scenario says otherwise. */
export const DEFAULT_HISTORY_SIZE = 100;

export const ALL_TARGETS: readonly TargetName[] = [...DEFAULT_TARGETS, ...DEFLATE_TARGETS, ...HISTORY_TARGETS];

/** `firetower-history` → `firetower`: the same target without history, for the ratios. */
export function withoutHistory(name: TargetName): TargetName | undefined {
  return HISTORY_TARGETS.includes(name) ? (name.slice(0, -'-history'.length) as TargetName) : undefined;
}

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
  /** A full garbage collection in every Node process of the target, before memory is read; resolves with their heap used after it, summed. */
  collectGarbage(): Promise<number>;
  /** Event-loop delay periods every Node process reported (only when started with `loopDelayPeriodMs`). */
  loopDelays(): LoopDelayPeriod[];
  /** Where node `publisherNode` serves the push APIs, when started with `pushToken`. */
  pushApi?: PushApiEndpoints;
  /** Counters read just before stopping (firetower nodes with a counting broker). */
  nodeStats(): Promise<NodeStats[] | undefined>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra node flags for firetower server processes (e.g. --cpu-prof). */
  firetowerNodeFlags: string[];
  /** Serve the HTTP and gRPC push APIs with this token (targets with `pushApi: true`). */
  pushToken?: string;
  /** Firetower's `heartbeatIntervalMs` (firetower targets; the baselines send no heartbeats). */
  heartbeatIntervalMs?: number;
  /** Every Node server process reports its event-loop delay once per this many ms (servers/loop-delay.ts). */
  loopDelayPeriodMs?: number;
  /** History targets: publications kept per topic instead of DEFAULT_HISTORY_SIZE. */
  historySize?: number;
}

export interface TargetDefinition {
  name: TargetName;
  dialect: Dialect;
  /** Serves Firetower's push APIs (HTTP admin and gRPC): the publish-api scenario runs on it. */
  pushApi: boolean;
  /** Keeps history on every topic: the recovery scenario runs on it. */
  history: boolean;
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
  describe: (started: Launched[]) => Omit<RunningTarget, 'stop' | 'pids' | 'collectGarbage' | 'loopDelays'>,
): Promise<RunningTarget> {
  const started: Launched[] = [];
  try {
    for (const step of steps) started.push(await step(started));
    return {
      ...describe(started),
      pids: started.map((p) => p.pid),
      collectGarbage: async () => (await Promise.all(started.map((p) => p.collectGarbage()))).reduce((a, b) => a + b, 0),
      loopDelays: () => started.flatMap((p) => p.loopDelays()),
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

const noStats = async (): Promise<undefined> => undefined;
const wsUrl = (p: Launched, path = '/'): string => `ws://127.0.0.1:${p.port}${path}`;
const sioUrl = (p: Launched): string => `ws://127.0.0.1:${p.port}/socket.io/?EIO=4&transport=websocket`;

/** The environment servers/loop-delay.ts reads. */
const envOf = (options: StartOptions): NodeJS.ProcessEnv | undefined =>
  options.loopDelayPeriodMs !== undefined ? loopDelayEnv(options.loopDelayPeriodMs) : undefined;

const heartbeatArgs = (options: StartOptions): string[] =>
  options.heartbeatIntervalMs !== undefined ? ['--heartbeat-ms', String(options.heartbeatIntervalMs)] : [];

/** History on every topic (history targets only). */
const historyArgs = (history: boolean, options: StartOptions): string[] => (history ? ['--history', String(options.historySize ?? DEFAULT_HISTORY_SIZE)] : []);

/** Firetower's own switches for one run. */
const firetowerArgs = (options: StartOptions): string[] => [...pushArgs(options.pushToken), ...heartbeatArgs(options)];

function single(name: TargetName, dialect: Dialect, script: string, args: string[], path: string): TargetDefinition {
  return {
    name,
    dialect,
    pushApi: false,
    history: false,
    unavailable: () => undefined,
    start: (options) =>
      startGroup([() => launchNodeServer(name, serverScript(script), args, [], envOf(options))], ([server]) => ({
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
    pushApi: false,
    history: false,
    unavailable: redisMissing,
    start: (options) =>
      startGroup(
        [
          () => launchRedis(),
          ([redis]) => launchNodeServer(`${name}-a`, serverScript(script), [...args, '--redis', `redis://127.0.0.1:${redis!.port}`], [], envOf(options)),
          ([redis]) => launchNodeServer(`${name}-b`, serverScript(script), [...args, '--redis', `redis://127.0.0.1:${redis!.port}`], [], envOf(options)),
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
  history = false,
): TargetDefinition {
  return {
    name,
    dialect: 'json',
    pushApi: true,
    history,
    unavailable,
    start: (options) => {
      const { firetowerNodeFlags, pushToken } = options;
      const nodeArgs = (s: Launched): string[] => [...brokerArgs(s), '--count-foreign', ...historyArgs(history, options)];
      let a: LaunchedNode | undefined;
      return startGroup(
        [
          service,
          // Publishers use node 0: only it needs the push APIs.
          async ([s]) =>
            (a = await launchNodeServer(
              `${name}-a`,
              serverScript('firetower'),
              [...nodeArgs(s!), ...firetowerArgs(options)],
              firetowerNodeFlags,
              envOf(options),
            )),
          ([s]) => launchNodeServer(`${name}-b`, serverScript('firetower'), [...nodeArgs(s!), ...heartbeatArgs(options)], firetowerNodeFlags, envOf(options)),
        ],
        ([, , b]) => ({
          nodeUrls: [wsUrl(a!, '/ws'), wsUrl(b!, '/ws')],
          publisherNode: 0,
          ...pushApiOf(a!, pushToken),
          nodeStats: () => fetchNodeStats([a!.port, b!.port]),
        }),
      );
    },
  };
}

type LaunchedNode = Awaited<ReturnType<typeof launchNodeServer>>;

const pushArgs = (token: string | undefined): string[] => (token === undefined ? [] : ['--push-token', token]);

/** The push API endpoints of a firetower node started with `--push-token`. */
function pushApiOf(node: LaunchedNode, token: string | undefined): { pushApi?: PushApiEndpoints } {
  if (token === undefined) return {};
  const grpcPort = node.ready.grpcPort;
  if (typeof grpcPort !== 'number') throw new Error(`${node.name} started without a gRPC port`);
  return {
    pushApi: {
      httpPublishUrl: `http://127.0.0.1:${node.port}/firetower/api/publish`,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      token,
    },
  };
}

async function launchTopicService(): Promise<Launched> {
  const port = await freePort();
  return launchListening('topic-service', process.execPath, [packageDist('topic-service', 'cli.js'), '--port', String(port)], port);
}

/** Why the publish-api scenario cannot run here (its gRPC door is a separate package). */
export const pushApiMissing = (): string | undefined => builtMissing(packageDist('grpc'));

/** One firetower node on the memory broker; `extra` switches on e.g. compression. */
function firetowerSingle(name: TargetName, extra: string[], history = false): TargetDefinition {
  return {
    name,
    dialect: 'json',
    pushApi: true,
    history,
    unavailable: () => builtMissing(packageDist('server')),
    start: (options) => {
      let node: LaunchedNode | undefined;
      const args = ['--broker', 'memory', ...extra, ...historyArgs(history, options), ...firetowerArgs(options)];
      return startGroup(
        [async () => (node = await launchNodeServer(name, serverScript('firetower'), args, options.firetowerNodeFlags, envOf(options)))],
        ([server]) => ({
          nodeUrls: [wsUrl(server!, '/ws')],
          publisherNode: 0,
          ...pushApiOf(node!, options.pushToken),
          nodeStats: () => fetchNodeStats([server!.port]),
        }),
      );
    },
  };
}

const clusterMissing = (): string | undefined => builtMissing(packageDist('server'), packageDist('topic-service'), packageDist('topic-service', 'cli.js'));
const redisClusterMissing = (): string | undefined => redisMissing() ?? builtMissing(packageDist('server'), packageDist('redis'));
const topicServiceArgs = (s: Launched): string[] => ['--broker', 'topic-service', '--url', `http://127.0.0.1:${s.port}`];
const redisArgs = (s: Launched): string[] => ['--broker', 'redis', '--url', `redis://127.0.0.1:${s.port}`];

export const TARGETS: Record<TargetName, TargetDefinition> = {
  firetower: firetowerSingle('firetower', []),
  'firetower-deflate': firetowerSingle('firetower-deflate', ['--compression']),
  'firetower-cluster': firetowerCluster('firetower-cluster', clusterMissing, launchTopicService, topicServiceArgs),
  'firetower-redis': firetowerCluster('firetower-redis', redisClusterMissing, launchRedis, redisArgs),
  'ws-raw': single('ws-raw', 'json', 'ws-raw', [], '/'),
  'ws-raw-cork': single('ws-raw-cork', 'json', 'ws-raw', ['--cork'], '/'),
  socketio: single('socketio', 'socketio', 'socketio', [], '/'),
  'socketio-redis': redisPair('socketio-redis', 'socketio', 'socketio', []),
  'ws-raw-redis': redisPair('ws-raw-redis', 'json', 'ws-raw', ['--cork']),
  'ws-raw-deflate': single('ws-raw-deflate', 'json', 'ws-raw', ['--deflate'], '/'),
  'socketio-deflate': single('socketio-deflate', 'socketio', 'socketio', ['--deflate'], '/'),
  'firetower-history': firetowerSingle('firetower-history', [], true),
  'firetower-cluster-history': firetowerCluster('firetower-cluster-history', clusterMissing, launchTopicService, topicServiceArgs, true),
  'firetower-redis-history': firetowerCluster('firetower-redis-history', redisClusterMissing, launchRedis, redisArgs, true),
};
