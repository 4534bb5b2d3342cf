import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPIC_SERVICE_PORT, FETCH_BLOCKED_PORTS, isFetchBlockedPort } from '../src/index.js';

/** What Node's own fetch says about a port: 'bad port' or something else (refused, answered). */
async function fetchVerdict(port: number): Promise<string> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return 'answered';
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message === 'bad port' ? 'bad port' : 'not blocked';
  }
}

describe('ports', () => {
  it('the default port is 7070, not on the blocked list, and Node fetch accepts it', async () => {
    expect(DEFAULT_TOPIC_SERVICE_PORT).toBe(7070);
    expect(isFetchBlockedPort(DEFAULT_TOPIC_SERVICE_PORT)).toBe(false);
    // Not 'bad port': refused, or answered (the cluster demo's test may be listening there at the time).
    expect(await fetchVerdict(DEFAULT_TOPIC_SERVICE_PORT)).not.toBe('bad port');
    expect(isFetchBlockedPort(6666)).toBe(true); // the old default
  });

  it('every port on the list is one Node fetch refuses (the list matches the runtime)', async () => {
    const verdicts = await Promise.all([...FETCH_BLOCKED_PORTS].map(async (p) => [p, await fetchVerdict(p)] as const));
    expect(verdicts.filter(([, v]) => v !== 'bad port')).toEqual([]);
    // A free port nobody listens on is refused by the OS, not by fetch.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const free = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    expect(await fetchVerdict(free)).toBe('not blocked');
  });
});
