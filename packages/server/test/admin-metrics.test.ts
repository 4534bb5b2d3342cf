import { describe, expect, test } from 'vitest';
import { waitFor, type StartedServer, type TestClient } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const TOKEN = 'metrics-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

const servers = useServers();

function start(): Promise<StartedServer> {
  return servers.start({ admin: { token: TOKEN } });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format: every line must be a comment or a sample. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes `Nan`).
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([-+]?(?:[0-9.]+(?:e[-+]?[0-9]+)?|nan|inf))$/i.exec(line);
    if (!sample) throw new Error(`not a Prometheus text line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

async function scrape(server: StartedServer) {
  const res = await fetch(`${server.url}/firetower/metrics`, { headers: AUTH });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('admin metrics', () => {
  test('the exposition parses, has typed firetower metrics and process metrics', async () => {
    const server = await start();
    const { samples, types } = await scrape(server);
    const expected: Array<[string, string]> = [
      ['firetower_connections', 'gauge'],
      ['firetower_subscriptions', 'gauge'],
      ['firetower_topics', 'gauge'],
      ['firetower_messages_in_total', 'counter'],
      ['firetower_messages_out_total', 'counter'],
      ['firetower_bytes_out_total', 'counter'],
      ['firetower_publishes_total', 'counter'],
      ['firetower_drops_total', 'counter'],
      ['firetower_refusals_total', 'counter'],
      ['firetower_errors_total', 'counter'],
      ['firetower_broker_up', 'gauge'],
      ['firetower_broker_pending_publishes', 'gauge'],
      ['firetower_broker_dropped_publishes_total', 'counter'],
      ['firetower_broker_nodes', 'gauge'],
      ['firetower_broker_node_lag_seconds', 'gauge'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ];
    for (const [name, type] of expected) expect(types.get(name), name).toBe(type);
    expect(value(samples, 'firetower_broker_up', { kind: 'memory' })).toBe(1);
    expect(value(samples, 'firetower_drops_total', { reason: 'slow_consumer' })).toBe(0);
    expect(value(samples, 'firetower_refusals_total', { hook: 'beforeSubscribe' })).toBe(0);
  });

  test('the numbers follow clients connecting, subscribing and receiving', async () => {
    const server = await start();
    const before = (await scrape(server)).samples;
    expect(value(before, 'firetower_connections')).toBe(0);
    expect(value(before, 'firetower_messages_out_total')).toBe(0);

    const clients: TestClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await servers.join(server);
      clients.push(client);
      await client.request({ type: 'subscribe', topic: ['/m', `/own/${i}`] });
    }
    await server.ft.publish('/m', { hello: 'world' });
    await Promise.all(clients.map((c) => c.nextDelivery('/m')));

    await waitFor(async () => value((await scrape(server)).samples, 'firetower_connections') === 3, 5000, 'three connections');
    const after = (await scrape(server)).samples;
    expect(value(after, 'firetower_subscriptions')).toBe(6);
    expect(value(after, 'firetower_topics')).toBe(4);
    expect(value(after, 'firetower_messages_in_total')).toBeGreaterThanOrEqual(3);
    expect(value(after, 'firetower_messages_out_total')).toBeGreaterThanOrEqual(3);
    expect(value(after, 'firetower_bytes_out_total')).toBeGreaterThan(0);

    clients[0]!.ws.close();
    await waitFor(async () => value((await scrape(server)).samples, 'firetower_connections') === 2, 5000, 'one left');
  });

  test('refusals are counted by hook', async () => {
    const server = await servers.start({ admin: { token: TOKEN }, hooks: { beforeSubscribe: () => false } });
    const client = await servers.join(server);
    await client.request({ type: 'subscribe', topic: '/no' });
    await waitFor(async () => value((await scrape(server)).samples, 'firetower_refusals_total', { hook: 'beforeSubscribe' }) === 1, 5000, 'refusal counted');
  });

  test('two instances in one process keep separate registries', async () => {
    const a = await start();
    const b = await start();
    await servers.join(a);
    await waitFor(async () => value((await scrape(a)).samples, 'firetower_connections') === 1, 5000, 'a has one');
    expect(value((await scrape(b)).samples, 'firetower_connections')).toBe(0);
  });
});
