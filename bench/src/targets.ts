/**
 * The targets: what processes each one is made of and where clients connect. Every target gets
 * fresh processes for every run, so no run inherits another's memory or warm caches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, launchListening, launchNodeServer, launchRedis, type Launched } from './launch.js';
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
  /** A full garbage collection in every Node process of the target, before memory is read. */
  collectGarbage(): Promise<void>;
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
}

export interface TargetDefinition {
  name: TargetName;
  dialect: Dialect;
  /** Serves Firetower's push APIs (HTTP admin and gRPC): the publish-api scenario runs on it. */
  pushApi: boolean;
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
  describe: (started: Launched[]) => Omit<RunningTarget, 'stop' | 'pids' | 'collectGarbage'>,
): Promise<RunningTarget> {
  const started: Launched[] = [];
  try {
    for (const step of steps) started.push(await step(started));
    return {
      ...describe(started),
      pids: started.map((p) => p.pid),
      collectGarbage: async () => {
        await Promise.all(started.map((p) => p.collectGarbage()));
      },
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

function single(name: TargetName, dialect: Dialect, script: string, args: string[], path: string): TargetDefinition {
  return {
    name,
    dialect,
    pushApi: false,
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
    pushApi: false,
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
    pushApi: true,
    unavailable,
    start: ({ firetowerNodeFlags, pushToken }) => {
      let a: LaunchedNode | undefined;
      return startGroup(
        [
          service,
          // Publishers use node 0: only it needs the push APIs.
          async ([s]) => (a = await launchNodeServer(`${name}-a`, serverScript('firetower'), [...brokerArgs(s!), '--count-foreign', ...pushArgs(pushToken)], firetowerNodeFlags)),
          ([s]) => launchNodeServer(`${name}-b`, serverScript('firetower'), [...brokerArgs(s!), '--count-foreign'], firetowerNodeFlags),
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

export const TARGETS: Record<TargetName, TargetDefinition> = {
  firetower: {
    name: 'firetower',
    dialect: 'json',
    pushApi: true,
    unavailable: () => builtMissing(packageDist('server')),
    start: ({ firetowerNodeFlags, pushToken }) => {
      let node: LaunchedNode | undefined;
      return startGroup(
        [async () => (node = await launchNodeServer('firetower', serverScript('firetower'), ['--broker', 'memory', ...pushArgs(pushToken)], firetowerNodeFlags))],
        ([server]) => ({
          nodeUrls: [wsUrl(server!, '/ws')],
          publisherNode: 0,
          ...pushApiOf(node!, pushToken),
          nodeStats: () => fetchNodeStats([server!.port]),
        }),
      );
    },
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
