// What a node pays for clients that compress what they send, as browsers do (Chromium compresses
// every frame, however small). Two measurements, each against a server in a child process
// (`node --expose-gc`), with the clients here:
//
// 1. memory: N connections offering permessage-deflate, each sending six small frames
//    (compressed when the server negotiates it), on a server with `compression: true` and on one
//    without; RSS per connection after a full GC, above the server's RSS before the first.
// 2. throughput: one connection publishing 1 KB messages (compressed when negotiated), 500 in
//    flight at a time, to one subscriber; the time until all are delivered.
//
// Run after `pnpm build`: node packages/server/bench/compressed-inbound.mjs [--connections 5000] [--messages 20000]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import express from 'express';
import { WebSocket } from 'ws';

const { values } = parseArgs({
  options: { serve: { type: 'string' }, connections: { type: 'string', default: '5000' }, messages: { type: 'string', default: '20000' } },
});
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Publishes in flight at most: 500 × 1 KB stays far below the server's 1 MiB outbox per subscriber. */
const WINDOW = 500;

async function serve(compression) {
  const { firetower } = await import('@firetower/server');
  const ft = firetower({
    publish: 'allow',
    heartbeatIntervalMs: 0,
    limits: { maxMessagesPerSecond: 1e9 },
    ...(compression ? { compression: true } : {}),
  });
  const app = express();
  app.use(ft);
  const rss = async () => {
    for (let i = 0; i < 3; i++) {
      globalThis.gc();
      await delay(200);
    }
    return process.memoryUsage.rss();
  };
  const server = app.listen(0, '127.0.0.1', async () => process.send({ port: server.address().port, rss: await rss() }));
  process.on('message', async (message) => {
    if (message === 'measure') process.send({ rss: await rss(), connections: ft.stats().connections });
  });
}

function startServer(compression) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', compression ? 'on' : 'off'], { execArgv: ['--expose-gc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  return next().then(({ port, rss }) => ({ url: `ws://127.0.0.1:${port}/ws`, baseline: rss, next, child }));
}

function open(url) {
  const ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Resolves with the first ack frame the socket receives. */
const acked = (ws) =>
  new Promise((resolve) => {
    const onMessage = (data) => {
      if (String(data).includes('"ack"')) {
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
  });

async function memory(compression, connections) {
  const server = await startServer(compression);
  const sockets = [];
  for (let at = 0; at < connections; at += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, connections - at) }, () => open(server.url)));
    await Promise.all(
      batch.map((ws, i) => {
        const topic = `/room/${(at + i) % 1000}`;
        for (let k = 1; k <= 5; k++) ws.send(JSON.stringify({ type: 'subscribe', topic: `/room/${(at + i + k) % 1000}` }));
        const ack = acked(ws);
        ws.send(JSON.stringify({ type: 'subscribe', topic, id: 's' }));
        return ack;
      }),
    );
    sockets.push(...batch);
  }
  server.child.send('measure');
  const { rss, connections: counted } = await server.next();
  const negotiated = sockets[0].extensions.includes('permessage-deflate');
  for (const ws of sockets) ws.terminate();
  server.child.kill();
  return { negotiated, counted, kbPerConnection: (rss - server.baseline) / counted / 1024 };
}

async function throughput(compression, messages) {
  const server = await startServer(compression);
  const subscriber = await open(server.url);
  const subscribed = acked(subscriber);
  subscriber.send(JSON.stringify({ type: 'subscribe', topic: '/feed', id: 's' }));
  await subscribed;
  let delivered = 0;
  subscriber.on('message', (data) => {
    if (String(data).startsWith('{"type":"publish"')) delivered++;
  });
  const publisher = await open(server.url);
  const text = 'x'.repeat(1000);
  const started = performance.now();
  const deadline = Date.now() + 60_000;
  // In windows of WINDOW, each sent once the one before was delivered: a flood would only measure
  // the subscriber's outbox dropping the oldest (the slow-consumer policy), not the reading side.
  for (let n = 0; n < messages && Date.now() < deadline;) {
    for (const end = Math.min(n + WINDOW, messages); n < end; n++) publisher.send(JSON.stringify({ type: 'publish', topic: '/feed', data: { n, text } }));
    while (delivered < n && Date.now() < deadline) await delay(1);
  }
  const ms = performance.now() - started;
  subscriber.terminate();
  publisher.terminate();
  server.child.kill();
  return { delivered, ms, perSecond: (delivered / ms) * 1000 };
}

if (values.serve !== undefined) {
  await serve(values.serve === 'on');
} else {
  const connections = Number(values.connections);
  const messages = Number(values.messages);
  for (const compression of [false, true]) {
    const m = await memory(compression, connections);
    console.log(
      `memory, compression ${compression ? 'on ' : 'off'}: ${m.counted} connections (deflate ${m.negotiated ? 'negotiated' : 'declined'}), ${m.kbPerConnection.toFixed(1)} KB RSS per connection`,
    );
  }
  for (const compression of [false, true]) {
    const t = await throughput(compression, messages);
    console.log(
      `throughput, compression ${compression ? 'on ' : 'off'}: ${t.delivered} of ${messages} 1 KB publishes from one connection delivered in ${t.ms.toFixed(0)} ms (${Math.round(t.perSecond)}/s)`,
    );
  }
}
