/**
 * What the tests that run the demos as processes share, in Vitest (demo-defaults.test.ts) and in
 * Playwright (e2e/tests/demo-process.ts): no test-runner imports here.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

/** Variables the demos read: cleared so the developer's shell cannot change what is tested. */
export const DEMO_VARIABLES = [
  'PORT',
  'HOST',
  'NODE_NAME',
  'TOPIC_PORT',
  'TOPIC_SERVICE_URL',
  'TOPIC_SERVICE_TOKEN',
  'REDIS_URL',
  'BROKER',
  'GRPC_PORT',
  'FIRETOWER_ADMIN_TOKEN',
  'TOPIC_SERVICE_HOST',
  'TOPIC_SERVICE_PORT',
];

/** A free port whose next port is free too (the cluster's node B takes PORT+1). */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = createServer().listen(0, '127.0.0.1');
    await once(first, 'listening');
    const port = (first.address() as { port: number }).port;
    const second = createServer().listen(port + 1, '127.0.0.1');
    // Not events.once: it rejects on 'error', which here only means "taken".
    const ok = await new Promise<boolean>((resolve) => {
      second.once('listening', () => resolve(true));
      second.once('error', () => resolve(false));
    });
    await Promise.all([new Promise((r) => first.close(r)), ok ? new Promise((r) => second.close(r)) : undefined]);
    if (ok && port < 65535) return port;
  }
  throw new Error('no two consecutive free ports');
}
