import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';

/** Variables the demos read: cleared so the developer's shell cannot change what is tested. */
const DEMO_VARIABLES = ['PORT', 'HOST', 'TOPIC_PORT', 'TOPIC_SERVICE_URL', 'REDIS_URL', 'BROKER', 'GRPC_PORT', 'FIRETOWER_ADMIN_TOKEN'];

/**
 * A demo entry point of demo-chat/dist run as `pnpm demo` / `pnpm demo:cluster` run it: its own
 * process, its defaults, only the variables given.
 */
export class DemoProcess {
  private text = '';

  private constructor(readonly child: ChildProcess) {
    const onData = (chunk: Buffer) => (this.text += chunk.toString('utf8'));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  }

  static start(entry: 'main.js' | 'cluster.js', env: Record<string, string>): DemoProcess {
    const base = { ...process.env };
    for (const name of DEMO_VARIABLES) delete base[name];
    const script = fileURLToPath(new URL(`../../demo-chat/dist/${entry}`, import.meta.url));
    return new DemoProcess(spawn(process.execPath, [script], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get output(): string {
    return this.text;
  }

  /** The first printed line matching `pattern`, waiting up to `timeout` ms. */
  async line(pattern: RegExp, timeout = 15_000): Promise<RegExpMatchArray> {
    await expect
      .poll(() => {
        if (this.child.exitCode !== null) throw new Error(`the demo exited (${this.child.exitCode}):\n${this.text}`);
        return pattern.test(this.text);
      }, { timeout, message: `the demo to print ${pattern}` })
      .toBe(true);
    return this.text.match(pattern)!;
  }

  /** SIGTERM (the demo's clean stop, as Ctrl-C), SIGKILL if it has not exited after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A free port whose next port is free too (the cluster's node B takes PORT+1). */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = createServer().listen(0, '127.0.0.1');
    await once(first, 'listening');
    const port = (first.address() as { port: number }).port;
    const second = createServer().listen(port + 1, '127.0.0.1');
    const ok = await Promise.race([once(second, 'listening').then(() => true), once(second, 'error').then(() => false)]);
    await Promise.all([new Promise((r) => first.close(r)), ok ? new Promise((r) => second.close(r)) : undefined]);
    if (ok && port < 65535) return port;
  }
  throw new Error('no two consecutive free ports');
}
