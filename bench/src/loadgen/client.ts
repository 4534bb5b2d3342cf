/** The orchestrator's side of the load generator: fork it, hand it a plan, await its Measurement. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadPlan, Measurement } from '../types.js';

// Bundled into dist/run.js, so the load generator sits in dist/loadgen/.
const mainScript = join(dirname(fileURLToPath(import.meta.url)), 'loadgen', 'main.js');

export class LoadgenError extends Error {
  readonly code = 'loadgen_failed' as const;
  constructor(message: string) {
    super(message);
    this.name = 'LoadgenError';
  }
}

/** What the load generator sends: its one answer, or a request to collect the servers' garbage. */
export type LoadgenToOrchestrator = { measurement: Measurement } | { error: string } | { collect: true };
export type OrchestratorToLoadgen = { plan: LoadPlan } | { collected: true; heapUsedBytes: number } | { collectFailed: string };

/**
 * `collectGarbage` runs a full GC in every server process (the idle and scale scenarios ask before
 * reading RSS) and resolves with the heap they use after it, summed.
 */
export function runLoad(plan: LoadPlan, timeoutMs: number, collectGarbage: () => Promise<number>): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    // Through bash to raise the open-file limit; the IPC channel survives the exec.
    const child = spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'bash', process.execPath, mainScript], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let settled = false;
    const settle = (error: Error | undefined, measurement?: Measurement): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve(measurement!);
    };
    const timer = setTimeout(() => settle(new LoadgenError(`load generator still running after ${timeoutMs} ms`)), timeoutMs);
    const send = (message: OrchestratorToLoadgen): void => {
      if (child.connected) child.send(message);
    };
    child.on('message', (message: LoadgenToOrchestrator) => {
      if ('collect' in message)
        collectGarbage().then(
          (heapUsedBytes) => send({ collected: true, heapUsedBytes }),
          (error: Error) => send({ collectFailed: error.message }),
        );
      else if ('error' in message) settle(new LoadgenError(message.error));
      else settle(undefined, message.measurement);
    });
    child.on('exit', (code) => settle(new LoadgenError(`load generator exited with ${code} before answering`)));
    send({ plan });
  });
}
