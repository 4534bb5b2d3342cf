import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import { DEMO_VARIABLES, freePortPair } from '../../demo-chat/test/demo-env.js';

export { freePortPair };

/**
 * A demo entry point of demo-chat/dist run as `pnpm demo` / `pnpm demo:cluster` run it: its own
 * process, its defaults, only the variables given.
 */
export class DemoProcess {
  private text = '';

  private constructor(readonly child: ChildProcess) {
    // Without colours: Playwright sets FORCE_COLOR, which console.log honours in children.
    const onData = (chunk: Buffer) => (this.text += chunk.toString('utf8').replace(/\x1b\[[0-9;]*m/g, ''));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  }

  static start(entry: 'main.js' | 'cluster.js', env: Record<string, string>): DemoProcess {
    return DemoProcess.script(`demo-chat/dist/${entry}`, env);
  }

  /** `node <script>` (a path from the repository's root), run from the script's own directory. */
  static script(script: string, env: Record<string, string>): DemoProcess {
    return DemoProcess.command(process.execPath, [fileURLToPath(new URL(`../../${script}`, import.meta.url))], env, dirname(script));
  }

  /** Any command, from `cwd` (absolute, or relative to the repository's root). */
  static command(command: string, args: string[], env: Record<string, string>, cwd = '.'): DemoProcess {
    const base = { ...process.env };
    for (const name of DEMO_VARIABLES) delete base[name];
    return new DemoProcess(spawn(command, args, { cwd: isAbsolute(cwd) ? cwd : repoPath(cwd), env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** Resolves with the exit code once the process has exited (within `timeout` ms). */
  async exited(timeout = 30_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await expect.poll(() => this.child.exitCode !== null || this.child.signalCode !== null, { timeout }).toBe(true);
    }
    return this.child.exitCode;
  }

  get output(): string {
    return this.text;
  }

  /** The first printed line matching `pattern`, waiting up to `timeout` ms. */
  async line(pattern: RegExp, timeout = 15_000): Promise<RegExpMatchArray> {
    try {
      await expect
        .poll(
          () => {
            if (pattern.test(this.text)) return true;
            if (this.child.exitCode !== null) throw new Error(`the process exited (${this.child.exitCode})`);
            return false;
          },
          { timeout },
        )
        .toBe(true);
    } catch (error) {
      throw new Error(`waiting for ${pattern}: ${(error as Error).message}\nthe process printed:\n${this.text}`);
    }
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

/** A path in the repository, from its root. */
export function repoPath(path: string): string {
  return fileURLToPath(new URL(`../../${path}`, import.meta.url));
}
