import { afterEach, describe, expect, it } from 'vitest';
import { api } from './helpers.js';
import { runCli, spawnService, type ServiceProcess } from './service-process.js';

let running: ServiceProcess | undefined;
afterEach(async () => {
  await running?.stop('SIGKILL');
  running = undefined;
});

describe('firetower-topic-service CLI (built dist, separate process)', () => {
  it('prints the real port with --port 0, serves the API and exits 0 on SIGTERM', async () => {
    running = await spawnService(['--port', '0', '--host', '127.0.0.1']);
    expect(running.output()).toMatch(/^firetower topic service listening on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(running.port).toBeGreaterThan(0);
    const call = api(running.url);
    expect((await call('GET', '/healthz')).body).toEqual({ ok: true, nodes: 0 });
    expect(await running.stop('SIGTERM')).toBe(0);
  });

  it('exits 0 on SIGINT too', async () => {
    running = await spawnService(['--port', '0']);
    expect(await running.stop('SIGINT')).toBe(0);
  });

  it('reads env vars: token and lease', async () => {
    running = await spawnService([], { TOPIC_SERVICE_PORT: '0', TOPIC_SERVICE_TOKEN: 'tok', TOPIC_SERVICE_LEASE_MS: '1234' });
    expect((await api(running.url)('GET', '/v1/topics')).status).toBe(401);
    const reg = await api(running.url, 'tok')('POST', '/v1/nodes/register', { nodeId: 'n', epoch: '1' });
    expect(reg.body.leaseMs).toBe(1234);
  });

  it('flags win over env vars', async () => {
    running = await spawnService(['--port', '0', '--lease-ms', '4321'], { TOPIC_SERVICE_PORT: '1', TOPIC_SERVICE_LEASE_MS: '1234' });
    const reg = await api(running.url)('POST', '/v1/nodes/register', { nodeId: 'n', epoch: '1' });
    expect(reg.body.leaseMs).toBe(4321);
  });

  it('refuses bad flags with exit code 2 and the usage', async () => {
    const unknown = await runCli(['--nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Usage: firetower-topic-service/);
    const badPort = await runCli(['--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a non-negative integer/);
  });

  it('prints help', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--lease-ms/);
  });
});
