/** Run the built CLI (`dist/cli.js`) as a separate process, the way a deployment does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectClient, type RawClient } from './ws-client.js';

export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing: run \`pnpm --filter @firetower/topic-service build\` first (the root \`pnpm test\` builds before testing)`);
  }
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
  /** Send a signal and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnService(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ServiceProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in ${timeoutMs} ms: ${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening: ${out}`));
    });
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Run the CLI to completion (for flag errors and --help). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertBuilt();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export const nodeScript = fileURLToPath(new URL('./fixtures/node-process.mjs', import.meta.url));
const serverDist = fileURLToPath(new URL('../../server/dist/index.js', import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  nodeId: string;
  wsUrl: string;
  /** Everything the node printed so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A firetower node (built @firetower/server + this package's dist) in its own process. */
export async function spawnNode(serviceUrl: string, env: Record<string, string> = {}, timeoutMs = 30_000, nodeArgs: string[] = []): Promise<NodeProcess> {
  assertBuilt();
  if (!existsSync(serverDist)) {
    throw new Error(`${serverDist} is missing: run \`pnpm --filter @firetower/server build\` first (the root \`pnpm test\` builds before testing)`);
  }
  const child = spawn(process.execPath, [...nodeArgs, nodeScript], {
    env: { ...process.env, TOPIC_SERVICE_URL: serviceUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const [nodeId, wsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in ${timeoutMs} ms: ${out}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /node (\S+) listening on (ws:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve([match[1]!, match[2]!]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening: ${out}`));
    });
  });
  return {
    child,
    nodeId,
    wsUrl,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Spawners for a test of real processes: a service with `serviceArgs` appended, nodes with
 * `nodeEnv`, and raw WebSocket clients (subscribed to `topics`); each is SIGKILLed or closed by
 * `cleanups` after the test.
 */
export function processSpawners(cleanups: Array<() => unknown>, options: { serviceArgs?: string[]; nodeEnv?: Record<string, string> } = {}) {
  return {
    async service(args: string[]): Promise<ServiceProcess> {
      const s = await spawnService([...args, ...(options.serviceArgs ?? [])]);
      cleanups.push(() => s.stop('SIGKILL'));
      return s;
    },
    async node(url: string): Promise<NodeProcess> {
      const n = await spawnNode(url, options.nodeEnv);
      cleanups.push(() => n.stop('SIGKILL'));
      return n;
    },
    async client(n: NodeProcess, topics: string[] = []): Promise<RawClient> {
      const c = await connectClient(n.wsUrl);
      cleanups.push(() => c.close());
      if (topics.length > 0) await c.subscribe(topics);
      return c;
    },
  };
}
