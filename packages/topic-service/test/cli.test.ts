import { afterEach, describe, expect, it } from 'vitest';
import { api } from './helpers.js';
import { runCli, spawnService, type ServiceProcess } from './service-process.js';

// Each spawn costs a Node start-up (seconds on a loaded machine): few processes, each checking much.
let running: ServiceProcess | undefined;
afterEach(async () => {
  await running?.stop('SIGKILL');
  running = undefined;
});

describe('firetower-topic-service CLI (built dist, separate process)', () => {
  it('prints the real port with --port 0, serves the API (--max-keys) and exits 0 on SIGTERM', async () => {
    running = await spawnService(['--port', '0', '--host', '127.0.0.1', '--max-keys', '2']);
    expect(running.output()).toMatch(/^firetower topic service listening on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(running.port).toBeGreaterThan(0);
    expect((await api(running.url)('GET', '/healthz')).body).toEqual({ ok: true, nodes: 0 });
    // --max-keys 2: a third key evicts the first, which is then fresh again.
    const claim = (keys: string[]) => api(running!.url)('POST', '/v1/claims', { ttlMs: 60_000, keys });
    expect((await claim(['a', 'b', 'c'])).body).toEqual({ fresh: [true, true, true] });
    expect((await claim(['c', 'a'])).body).toEqual({ fresh: [false, true] });
    expect(await running.stop('SIGTERM')).toBe(0);
  });

  it('reads env vars (token, lease), flags win over them, and exits 0 on SIGINT', async () => {
    running = await spawnService(['--lease-ms', '4321'], {
      TOPIC_SERVICE_PORT: '0',
      TOPIC_SERVICE_TOKEN: 'tok',
      TOPIC_SERVICE_LEASE_MS: '1234',
    });
    const anonymous = await api(running.url)('GET', '/v1/topics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    const reg = await api(running.url, 'tok')('POST', '/v1/nodes/register', { nodeId: 'n', epoch: '1' });
    expect(reg.body.leaseMs).toBe(4321);
    expect(await running.stop('SIGINT')).toBe(0);
  });

  it('refuses a blocked port, and no token on a non-loopback host unless --insecure-no-token', async () => {
    const noToken = { TOPIC_SERVICE_TOKEN: '' };
    const [blocked, open] = await Promise.all([runCli(['--port', '6666'], noToken), runCli(['--port', '0', '--host', '0.0.0.0'], noToken)]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/--port 6666 is on the Fetch standard's blocked-port list/);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    running = await spawnService(['--port', '0', '--host', '0.0.0.0', '--insecure-no-token'], noToken);
    expect((await api(`http://127.0.0.1:${running.port}`)('GET', '/healthz')).status).toBe(200);
  });

  it('refuses bad flags with exit code 2 and the usage; prints help', async () => {
    const [unknown, badPort, help, noHistory] = await Promise.all([
      runCli(['--nope']),
      runCli(['--port', 'abc']),
      runCli(['--help']),
      runCli(['--port', '0', '--max-history-mb', '0']),
    ]);
    expect(noHistory.code).toBe(2);
    expect(noHistory.stderr).toMatch(/--max-history-mb must be at least 1/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Usage: firetower-topic-service/);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a non-negative integer/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--lease-ms/);
    expect(help.stdout).toMatch(/default 7070\)/);
  });
});
