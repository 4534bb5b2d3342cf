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

type Answer = { measurement: Measurement } | { error: string };

export function runLoad(plan: LoadPlan, timeoutMs: number): Promise<Measurement> {
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
    child.on('message', (answer: Answer) => {
      if ('error' in answer) settle(new LoadgenError(answer.error));
      else settle(undefined, answer.measurement);
    });
    child.on('exit', (code) => settle(new LoadgenError(`load generator exited with ${code} before answering`)));
    child.send({ plan });
  });
}
