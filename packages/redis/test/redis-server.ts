/**
 * Test helper: a real `redis-server` on a free port, with no persistence (so a restart really
 * loses every key, like a fresh Redis), that can be killed and restarted on the same port.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll } from 'vitest';

function findRedisServer(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Path of redis-server, or undefined when it is not installed (then the Redis suites skip). */
export const redisServerPath = findRedisServer();

export const SKIP_REASON =
  'redis-server is not installed: the @firetower/redis tests are SKIPPED. Install it (apt-get install redis-server; .ci/run does) to run them.';

if (!redisServerPath) console.warn(`\n!!! ${SKIP_REASON}\n`);

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** On a free port, or on `port` (to bring Redis up where a broker already waits for it). */
  static async start(port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()));
    await server.spawn();
    return server;
  }

  /** Start (again) on the same port; resolves once the server answers PING. */
  async spawn(timeoutMs = 10_000): Promise<void> {
    if (!redisServerPath) throw new Error(SKIP_REASON);
    if (this.child) throw new Error('redis-server is already running');
    const child = spawn(redisServerPath, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on ${this.port} not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}:\n${output}`));
      });
    });
    await ready;
    await this.ping();
  }

  /** One PING through a fresh client: the server is really serving. */
  async ping(): Promise<void> {
    const client = createClient({ url: this.url, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
    } finally {
      client.destroy();
    }
  }

  /** SIGKILL: no shutdown, connections reset, every key lost (no persistence). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  /** SIGSTOP: connections stay open, nothing is answered (a Redis stuck in a long command or a fork). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT: a paused server answers again, in order, everything it was sent meanwhile. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }
}

/** A plain node-redis client for assertions (PUBSUB NUMSUB, raw PUBLISH). */
export async function adminClient(url: string): Promise<RedisClientType> {
  const client: RedisClientType = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * One redis-server for a describe block (started in beforeAll, stopped in afterAll) and an admin
 * client on it; read `redis` and `admin` inside tests and hooks.
 */
export function useRedisServer(): { readonly redis: RedisServer; readonly admin: RedisClientType } {
  const shared = {} as { redis: RedisServer; admin: RedisClientType };
  beforeAll(async () => {
    shared.redis = await RedisServer.start();
    shared.admin = await adminClient(shared.redis.url);
  });
  afterAll(async () => {
    shared.admin?.destroy();
    await shared.redis?.stop();
  });
  return shared;
}
