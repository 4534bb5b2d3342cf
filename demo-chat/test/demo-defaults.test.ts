/**
 * `pnpm demo` and `pnpm demo:cluster` as a user runs them: the built entry points
 * (demo-chat/dist/main.js and cluster.js, so `pnpm build` runs first) with their defaults. Only
 * PORT is set, so the test does not collide with a demo already running on 3000; the cluster's
 * topic service keeps its default port (DEFAULT_TOPIC_SERVICE_PORT), which is the point: with
 * the old default (6666, a port fetch refuses) the nodes never connected to it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TOPIC_SERVICE_PORT } from '@firetower/topic-service';
import { connect, waitFor } from '@firetower/server/testing';
import type { TestClient } from '@firetower/server/testing';
import { DEMO_VARIABLES, freePortPair } from './demo-env.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

interface Demo {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Resolves with the first printed line matching `pattern` (within `timeoutMs`). */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function runDemo(entry: 'main.js' | 'cluster.js', env: Record<string, string>): Demo {
  const base = { ...process.env };
  for (const name of DEMO_VARIABLES) delete base[name];
  const child = spawn(process.execPath, [`${DIST}${entry}`], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const onData = (chunk: Buffer) => (text += chunk.toString('utf8'));
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  cleanup.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM'); // the demo's own clean stop, as Ctrl-C would
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  return {
    child,
    output: () => text,
    async line(pattern, timeoutMs = 15_000) {
      let match: RegExpMatchArray | null = null;
      await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}):\n${text}`);
          match = text.match(pattern);
          return match !== null;
        },
        timeoutMs,
        `${entry} to print ${pattern}; it printed:\n${text}`,
      );
      return match!;
    },
  };
}

interface Stats {
  broker: { kind: string; connected: boolean; nodes?: unknown[] };
}

async function stats(baseUrl: string, token: string): Promise<Stats> {
  const response = await fetch(`${baseUrl}/firetower/api/stats`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Stats;
}

/** Waits until the node's own stats say its broker is connected (the dashboard's "connected"). */
async function brokerConnected(baseUrl: string, token: string): Promise<Stats> {
  let last: Stats | undefined;
  await waitFor(
    async () => {
      last = await stats(baseUrl, token);
      return last.broker.connected;
    },
    10_000,
    `${baseUrl}'s broker to connect (last stats: ${JSON.stringify(last?.broker)})`,
  );
  return last!;
}

/** A room member as the page is one: a WebSocket subscribed to the room. */
async function member(baseUrl: string, topic: string): Promise<TestClient> {
  const ws = await connect(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  cleanup.push(() => ws.ws.terminate());
  expect((await ws.request({ type: 'subscribe', topic })).type).toBe('ack');
  return ws;
}

let sequence = 0;
/** Posts a chat message as the page does and waits for the server's ack. */
async function post(ws: TestClient, topic: string, text: string): Promise<void> {
  const data = { type: 'chat', from: 'ann', text, sid: 'test-tab', mid: `m${++sequence}` };
  expect((await ws.request({ type: 'publish', topic, data })).type).toBe('ack');
}

function chatText(ws: TestClient, topic: string, text: string) {
  return ws.next((frame) => frame.type === 'publish' && frame.topic === topic && frame.data?.text === text, 10_000);
}

/** The admin token from the start-up line (printed only because the demo generated it). */
const DASHBOARD = /admin dashboard (http:\/\/\S+)\/firetower\/dashboard\?token=([A-Za-z0-9_-]+)/;

describe('pnpm demo, with its defaults', () => {
  it('serves the chat on $PORT with the embedded topic service connected, and prints the dashboard token it generated', async () => {
    const port = await freePortPair();
    const demo = runDemo('main.js', { PORT: String(port) });
    const [, url, token] = await demo.line(DASHBOARD);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    await demo.line(/Ctrl-C to stop/);
    expect(demo.output()).toMatch(/token generated for this run/);

    const { broker } = await brokerConnected(url!, token!);
    expect(broker.kind).toBe('topic-service');

    const bob = await member(url!, '/chat/world');
    const ann = await member(url!, '/chat/world');
    const seen = chatText(bob, '/chat/world', 'hello on one node');
    await post(ann, '/chat/world', 'hello on one node');
    expect((await seen).data).toMatchObject({ from: 'ann', text: 'hello on one node' });
  });

  it('never prints a token it was given in FIRETOWER_ADMIN_TOKEN', async () => {
    const port = await freePortPair();
    const secret = 'a-token-chosen-by-the-operator';
    const demo = runDemo('main.js', { PORT: String(port), FIRETOWER_ADMIN_TOKEN: secret });
    await demo.line(/Ctrl-C to stop/);
    expect(demo.output()).toMatch(/admin dashboard http:\S+\/firetower\/dashboard/);
    expect(demo.output()).not.toContain(secret);
    expect(demo.output()).not.toMatch(/token generated/);
    // The token is still the one in force.
    expect((await brokerConnected(`http://127.0.0.1:${port}`, secret)).broker.connected).toBe(true);
  });
});

describe('pnpm demo:cluster, with its defaults', () => {
  it(`starts the topic service on its default port (${DEFAULT_TOPIC_SERVICE_PORT}), both nodes connect to it, and a message crosses nodes`, async () => {
    const port = await freePortPair();
    const demo = runDemo('cluster.js', { PORT: String(port) });
    await demo.line(/Ctrl-C to stop/);
    expect(demo.output()).toContain(`topic service on http://127.0.0.1:${DEFAULT_TOPIC_SERVICE_PORT}`);
    const [, nodeA] = await demo.line(/node A on (http:\/\/\S+)/);
    const [, nodeB] = await demo.line(/node B on (http:\/\/\S+)/);
    expect([nodeA, nodeB]).toEqual([`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]);
    const [, , token] = await demo.line(DASHBOARD);

    for (const node of [nodeA!, nodeB!]) expect((await brokerConnected(node, token!)).broker.kind).toBe('topic-service');

    const onB = await member(nodeB!, '/chat/world');
    const onA = await member(nodeA!, '/chat/world');
    // The nodes learn of each other's subscribers through the service: until B's interest has
    // reached it, a publish from A has no one to go to on B. Wait on the cluster-wide count.
    await waitFor(
      async () => {
        const response = await fetch(`${nodeA}/firetower/api/topics/${encodeURIComponent('/chat/world')}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!response.ok) return false;
        const body = (await response.json()) as { count?: number };
        return body.count === 2;
      },
      10_000,
      'node A to count both members of /chat/world',
    );
    const seenOnB = chatText(onB, '/chat/world', 'from node A');
    await post(onA, '/chat/world', 'from node A');
    expect((await seenOnB).data).toMatchObject({ from: 'ann', text: 'from node A' });

    const seenOnA = chatText(onA, '/chat/world', 'from node B');
    await post(onB, '/chat/world', 'from node B');
    expect((await seenOnA).data).toMatchObject({ text: 'from node B' });
  });
});
