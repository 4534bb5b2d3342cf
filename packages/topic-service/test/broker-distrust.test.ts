import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RecordingNode, waitFor } from '@firetower/server/testing';
import { topicServiceBroker, type TopicServiceBrokerOptions } from '../src/broker/topic-service-broker.js';
import type { TopicServiceClientError } from '../src/errors.js';
import { listenLocally, useCleanups } from './helpers.js';

// The broker against a fake service that answers garbage (issue 15.4): every reply is capped,
// checked against the API's schema, every error class backs off, and the state shows it.
const cleanups = useCleanups();

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const REGISTERED = {
  nodeId: 'n',
  epoch: 'e',
  instance: 'fake-instance',
  session: 'a-session-of-enough-length',
  leaseMs: 15000,
  maxWaitMs: 20000,
  maxBatch: 100,
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** What the broker also asks (status, leave), answered like the service would. */
const FAKE_DEFAULTS: Record<string, Handler> = {
  'GET nodes': (_q, res) => json(res, 200, { nodes: [] }),
  'DELETE n': (_q, res) => json(res, 200, { ok: true }),
};

/** A fake service: `routes` answer by "METHOD /path-kind"; every request is logged. */
async function fakeService(routes: Record<string, Handler>) {
  const log: Array<{ at: number; route: string; url: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const kind = path === '/v1/nodes/register' ? 'register' : path.split('/').pop()!;
      const route = `${req.method} ${kind}`;
      log.push({ at: performance.now(), route, url: req.url ?? '', body });
      const handler = routes[route] ?? routes['*'] ?? FAKE_DEFAULTS[route];
      if (handler) handler(req, res, body);
      else json(res, 404, { error: { code: 'not_found', message: 'no' } });
    });
  });
  const { url, close } = await listenLocally(server);
  cleanups.push(close);
  const count = (route: string) => log.filter((l) => l.route === route).length;
  return { url, log, count };
}

async function startBroker(url: string, options: Partial<TopicServiceBrokerOptions> = {}) {
  const errors: TopicServiceClientError[] = [];
  const broker = topicServiceBroker({ url, pollWaitMs: 1000, startTimeoutMs: 200, onError: (e) => errors.push(e), ...options });
  cleanups.push(() => broker.close());
  const node = new RecordingNode('n');
  await broker.start(node);
  return { broker, node, errors };
}

const okPoll = (from: number, items: unknown[]) => ({ from, cursor: from + items.length - 1, items, dropped: 0, counts: [] });

describe('a broker that distrusts its replies', () => {
  it('a 50 MB reply is abandoned at maxResponseBytes: bounded reading, bad_response, not connected', async () => {
    const written: number[] = [];
    const fake = await fakeService({
      'POST register': (_q, res) => json(res, 200, REGISTERED),
      'POST counts': (_q, res) => json(res, 200, { ok: true }),
      'GET poll': (_q, res) => {
        // A "reply" of 50 MB, written as fast as the socket takes it, until the reader goes away.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(256 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 50 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => written.push(res.socket?.bytesWritten ?? sent));
        pump();
      },
    });
    const { broker, errors } = await startBroker(fake.url, { maxResponseBytes: 1024 * 1024 });
    await waitFor(() => errors.length > 0 && written.length > 0, 10_000, 'the oversized reply refused');
    expect(errors[0]!.code).toBe('bad_response');
    expect(errors[0]!.message).toMatch(/larger than 1048576 bytes/);
    // The fake could push only what the socket buffers held beyond the 1 MiB the broker read.
    expect(Math.max(...written)).toBeLessThan(16 * 1024 * 1024);
    const status = await broker.status();
    expect(status.connected).toBe(false);
    expect(status.error?.code).toBe('bad_response');
    expect(status.state).not.toBe('connected');
  });

  it('`unknown_node` to every poll: re-registration backs off instead of spinning', async () => {
    const fake = await fakeService({
      'POST register': (_q, res) => json(res, 200, REGISTERED),
      'POST counts': (_q, res) => json(res, 200, { ok: true }),
      '*': (_q, res) => json(res, 409, { error: { code: 'unknown_node', message: 'who are you' } }),
    });
    await startBroker(fake.url, { backoffMinMs: 100, backoffMaxMs: 5000 });
    await waitFor(() => fake.count('POST register') >= 8, 20_000, 'eight registrations');
    const regs = fake.log.filter((l) => l.route === 'POST register');
    const seconds = (regs[7]!.at - regs[0]!.at) / 1000;
    const rate = fake.log.filter((l) => l.at <= regs[7]!.at).length / seconds;
    // Every wait is at least backoffMinMs / 2: seven of them take at least 350 ms (a spin took ~1 ms per round).
    expect(seconds).toBeGreaterThanOrEqual(0.35);
    expect(rate).toBeLessThan(100); // the hot loop made 1,300 requests/s
  });

  it('a register reply without maxBatch is refused (bad_response) and retried with backoff: no hot loop of empty POSTs', async () => {
    const { maxBatch: _omitted, ...noMaxBatch } = REGISTERED;
    const fake = await fakeService({
      'POST register': (_q, res) => json(res, 200, noMaxBatch),
      '*': (_q, res) => json(res, 200, { ok: true, accepted: 0, deliveries: 0 }),
    });
    const { broker, errors } = await startBroker(fake.url, { backoffMinMs: 100, backoffMaxMs: 5000 });
    await broker.publish({ topic: 't', data: '1' });
    await waitFor(() => fake.count('POST register') >= 6, 20_000, 'six registration attempts');
    const regs = fake.log.filter((l) => l.route === 'POST register');
    expect((regs[5]!.at - regs[0]!.at) / 1000).toBeGreaterThanOrEqual(0.25);
    expect(fake.count('POST publish')).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['bad_response']);
    expect(await broker.status()).toMatchObject({ connected: false, state: 'registering', error: { code: 'bad_response' } });
  });

  it.each([
    [
      'an absurd cursor',
      { from: 999999999999999, cursor: 999999999999999, items: [{ kind: 'message', topic: 't', data: '"absurd"' }], dropped: 0, counts: [] },
    ],
    ['a NaN cursor', '{"from":1,"cursor":NaN,"items":[],"dropped":0,"counts":[]}'],
    ['a string cursor', { from: 1, cursor: 'NaN', items: [], dropped: 0, counts: [] }],
    ['items that do not match the numbering', { from: 1, cursor: 5, items: [], dropped: 0, counts: [] }],
    ['an item of unknown kind', { from: 1, cursor: 1, items: [{ kind: 'boom' }], dropped: 0, counts: [] }],
  ])('%s: refused, shown as an error state, the cursor kept; good replies afterwards are delivered', async (_name, bad) => {
    let garbage = true;
    const fake = await fakeService({
      'POST register': (_q, res) => json(res, 200, REGISTERED),
      'POST counts': (_q, res) => json(res, 200, { ok: true }),
      'GET poll': (req, res) => {
        if (garbage) return json(res, 200, bad);
        const ack = Number(new URL(req.url!, 'http://x').searchParams.get('ack'));
        // The broker must still be at cursor 0: the bad reply was never acknowledged.
        if (ack === 0) return json(res, 200, okPoll(1, [{ kind: 'message', topic: 't', data: '"real"', origin: 'o', seq: 1 }]));
        setTimeout(() => json(res, 200, okPoll(ack + 1, [])), 500);
      },
    });
    const { broker, node, errors } = await startBroker(fake.url, { backoffMinMs: 20, backoffMaxMs: 200 });
    await waitFor(() => errors.length > 0, 10_000, 'the bad reply refused');
    expect(errors[0]!.code).toBe('bad_response');
    const failing = await broker.status();
    expect(failing.connected).toBe(false);
    expect(failing.state).toBe('unreachable');
    expect(failing.error?.code).toBe('bad_response');
    const polls = fake.count('GET poll');
    await waitFor(() => fake.count('GET poll') >= polls + 3, 10_000, 'more polls');
    expect(errors).toHaveLength(1); // reported once, not per reply
    garbage = false;
    await waitFor(() => node.dataOf('t').includes('"real"'), 10_000, 'the real message after the bad replies');
    expect(node.dataOf('t')).toEqual(['"real"']);
    await waitFor(async () => (await broker.status()).connected, 10_000, 'connected again');
    expect((await broker.status()).error).toBeUndefined();
  });

  it('a long-poll answered empty at once, over and over, is backed off', async () => {
    const fake = await fakeService({
      'POST register': (_q, res) => json(res, 200, REGISTERED),
      'POST counts': (_q, res) => json(res, 200, { ok: true }),
      'GET poll': (_q, res) => json(res, 200, { from: 1, cursor: 0, items: [], dropped: 0, counts: [] }),
    });
    await startBroker(fake.url, { backoffMinMs: 100, backoffMaxMs: 5000 });
    await waitFor(() => fake.count('GET poll') >= 8, 20_000, 'eight polls');
    const polls = fake.log.filter((l) => l.route === 'GET poll');
    expect((polls[7]!.at - polls[0]!.at) / 1000).toBeGreaterThanOrEqual(0.35);
  });
});
