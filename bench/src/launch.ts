/**
 * Starting and stopping the processes a target is made of: node servers (which print a JSON ready
 * line), the standalone topic service and redis-server. Every process goes through a shell that
 * raises its open-file limit to the hard limit first, since thousands of sockets need as many
 * descriptors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export class LaunchError extends Error {
  readonly code = 'launch_failed' as const;
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

export interface Launched {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /**
   * A full garbage collection in every Node process of this one; resolves with the heap used
   * after it (0 for redis-server, which has nothing to collect).
   */
  collectGarbage(): Promise<number>;
  /** One-second event-loop delay periods the process reported (only when started with `loopDelay`). */
  loopDelays(): readonly LoopDelayPeriod[];
  stop(): Promise<void>;
}

/** What servers/loop-delay.ts prints once a period (times in ms; `at` is the period's end on `now()`). */
export interface LoopDelayPeriod {
  at: number;
  p50: number;
  p99: number;
  max: number;
  /** Samples in the period. */
  count: number;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const COLLECT_TIMEOUT_MS = 10_000;
const RAISE_FD_LIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/** A port nobody listens on right now (for processes that must be told their port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function spawnRaised(command: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn('bash', ['-c', RAISE_FD_LIMIT, 'bash', command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

function stopper(name: string, child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/**
 * Node flags for every Node process the harness starts: a SIGUSR2 handler that collects garbage
 * and says so on stdout (see servers/collect-on-signal.ts). This module is bundled into
 * dist/run.js, so the preload sits in dist/servers/.
 */
export const COLLECTOR_FLAGS: readonly string[] = [
  '--expose-gc',
  '--import',
  new URL('./servers/collect-on-signal.js', import.meta.url).href,
  // Idle unless the process is started with BENCH_LOOP_DELAY_MS (see servers/loop-delay.ts).
  '--import',
  new URL('./servers/loop-delay.js', import.meta.url).href,
];

/** The environment that turns on servers/loop-delay.ts: one line per period of this many ms. */
export const loopDelayEnv = (periodMs: number): NodeJS.ProcessEnv => ({ BENCH_LOOP_DELAY_MS: String(periodMs) });

function collector(name: string, child: ChildProcess): () => Promise<number> {
  return () =>
    new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => finish(new LaunchError(`${name} did not collect garbage within ${COLLECT_TIMEOUT_MS} ms`)), COLLECT_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        buffered = (buffered + chunk.toString()).slice(-4096);
        const line = /\{"collected":true[^\n]*\}/.exec(buffered)?.[0];
        if (line === undefined) return;
        let heapUsed = Number.NaN;
        try {
          heapUsed = (JSON.parse(line) as { heapUsed?: number }).heapUsed ?? Number.NaN;
        } catch {
          // a torn line: the collection happened all the same
        }
        finish(undefined, heapUsed);
      };
      function finish(error: Error | undefined, heapUsed = Number.NaN): void {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        if (error !== undefined) reject(error);
        else resolve(heapUsed);
      }
      child.stdout?.on('data', onData);
      child.kill('SIGUSR2');
    });
}

const nothingToCollect = async (): Promise<number> => 0;

/** Keeps the loop-delay lines a process prints (servers/loop-delay.ts). */
function loopDelayLines(child: ChildProcess): () => readonly LoopDelayPeriod[] {
  const periods: LoopDelayPeriod[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.startsWith('{"loopDelay"')) continue;
      try {
        periods.push((JSON.parse(line) as { loopDelay: LoopDelayPeriod }).loopDelay);
      } catch {
        // not ours
      }
    }
  });
  return () => periods;
}

/** Keeps the tail of a process's output for error messages. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text.trim();
}

function waitFor(name: string, child: ChildProcess, output: () => string, ready: (line: string) => number | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(new LaunchError(`${name} not ready after ${READY_TIMEOUT_MS} ms: ${output()}`)), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const port = ready(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (port !== undefined) return finish(undefined, port);
      }
    };
    const onExit = (code: number | null): void => finish(new LaunchError(`${name} exited with ${code}: ${output()}`));
    function finish(error: Error | undefined, port?: number): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error !== undefined) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve(port!);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** A node script that prints `{"ready":true,"port":N,"pid":P}` once it listens. */
export async function launchNodeServer(
  name: string,
  script: string,
  args: string[] = [],
  nodeFlags: string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<Launched & { readonly nodePid: number; readonly ready: Record<string, unknown> }> {
  const child = spawnRaised(process.execPath, [...COLLECTOR_FLAGS, ...nodeFlags, script, ...args], env);
  const output = tail(child);
  const loopDelays = loopDelayLines(child);
  let nodePid = 0;
  let readyLine: Record<string, unknown> = {};
  const port = await waitFor(name, child, output, (line) => {
    if (!line.startsWith('{')) return undefined;
    try {
      const ready = JSON.parse(line) as { ready?: boolean; port?: number; pid?: number };
      if (ready.ready !== true || typeof ready.port !== 'number') return undefined;
      nodePid = ready.pid ?? child.pid!;
      readyLine = ready;
      return ready.port;
    } catch {
      return undefined;
    }
  });
  // `exec` in the shell keeps the pid, but the ready line is the authority.
  return { name, pid: nodePid, nodePid, port, ready: readyLine, collectGarbage: collector(name, child), loopDelays, stop: stopper(name, child) };
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A process told its port on the command line; ready once that port accepts connections. A Node
 * program (`command` is this Node) gets the collector preloaded; anything else has no garbage
 * collector to ask.
 */
export async function launchListening(name: string, command: string, args: string[], port: number, env?: NodeJS.ProcessEnv): Promise<Launched> {
  const isNode = command === process.execPath;
  if (isNode) args = [...COLLECTOR_FLAGS, ...args];
  const child = spawnRaised(command, args, env);
  const output = tail(child);
  const loopDelays = loopDelayLines(child);
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await portAccepts(port))) {
    if (exited) throw new LaunchError(`${name} exited with ${child.exitCode}: ${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LaunchError(`${name} did not listen on ${port}: ${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    name,
    pid: child.pid!,
    port,
    collectGarbage: isNode ? collector(name, child) : nothingToCollect,
    loopDelays,
    stop: stopper(name, child),
  };
}

export async function launchRedis(): Promise<Launched> {
  const port = await freePort();
  return launchListening('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], port);
}
