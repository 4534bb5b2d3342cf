/** What every target server process shares: its arguments, its ready line and how it stops. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';

export interface ServerArgs {
  /** Optional switches of the target; each server reads the ones it knows. */
  values: Record<string, string | boolean | undefined>;
}

export function readArgs(options: Record<string, { type: 'string' | 'boolean' }>): ServerArgs {
  const { values } = parseArgs({ options, strict: true, allowPositionals: false });
  return { values: values as Record<string, string | boolean | undefined> };
}

/** The orchestrator waits for this one JSON line on stdout before it sends load. */
export function announceReady(server: Server, extra: Record<string, unknown> = {}): void {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid, ...extra })}\n`);
}

/**
 * Exit through process.exit so `node --cpu-prof` writes its profile; a signal's default action
 * would kill the process before that.
 */
export function exitOnSignals(cleanup?: () => Promise<void> | void): void {
  const stop = (): void => {
    const done = (): never => process.exit(0);
    Promise.resolve().then(cleanup).then(done, done);
    // A cleanup that hangs must not keep a benchmark run alive.
    setTimeout(done, 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** A subscribe frame's topics, as the baselines read them: a comma-separated string or an array. */
export function topicsOf(raw: unknown): string[] {
  if (typeof raw === 'string') return raw.split(',');
  if (Array.isArray(raw)) return raw.filter((t): t is string => typeof t === 'string');
  return [];
}
