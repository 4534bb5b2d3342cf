// Cross-node path vs single-node path, same run, same process (built dist; not a timed test).
//   pnpm --filter @firetower/topic-service build && node packages/topic-service/bench/cross-node.mjs
// env: SUBSCRIBERS (default 20), MESSAGES (default 10000), ROUNDS (default 3)
//
// single-node: ft.publish on node A, every subscriber on A (memory broker).
// cross-node:  ft.publish on node A, every subscriber on node B, A and B linked by the topic
//              service (embedded in this process on 127.0.0.1:0) with topicServiceBroker.
// Figure: deliveries (frames received by subscribers) per second, from the first publish to the
// last frame received.
import express from 'express';
import WebSocket from 'ws';
import { firetower, memoryBroker } from '@firetower/server';
import { startTopicService, topicServiceBroker } from '@firetower/topic-service';

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 20);
const MESSAGES = Number(process.env.MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TOPIC = '/bench';

async function startNode(broker) {
  const ft = firetower({ broker, heartbeatIntervalMs: 0 });
  const app = express();
  app.use(ft);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    ft,
    wsUrl: `ws://127.0.0.1:${server.address().port}/ws`,
    close: async () => {
      await ft.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

async function subscribers(wsUrl, n) {
  const list = [];
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(wsUrl);
    const sub = { ws, received: 0, onMessage: () => {} };
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.startsWith('{"type":"publish"')) {
        sub.received += 1;
        sub.onMessage();
      }
    });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    await new Promise((resolve) => {
      ws.on('message', function onAck(raw) {
        if (raw.toString().includes('"ack"')) {
          ws.off('message', onAck);
          resolve();
        }
      });
      ws.send(JSON.stringify({ type: 'subscribe', topic: [TOPIC], id: 'sub' }));
    });
    list.push(sub);
  }
  return list;
}

async function waitUntil(cond, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function run(publisher, subs) {
  for (const s of subs) s.received = 0;
  const expected = MESSAGES * subs.length;
  let total = 0;
  let finish;
  const done = new Promise((r) => (finish = r));
  for (const s of subs)
    s.onMessage = () => {
      if (++total === expected) finish();
    };
  const payload = { text: 'x'.repeat(64) };
  const start = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i++) {
    await publisher.ft.publish(TOPIC, { ...payload, i });
    if (i % 500 === 499) await new Promise((r) => setImmediate(r)); // let I/O run, as a real app would
  }
  await Promise.race([done, new Promise((_, j) => setTimeout(() => j(new Error(`bench: only ${total}/${expected} delivered`)), 120_000))]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return expected / seconds;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  // single node
  const single = await startNode(memoryBroker());
  const singleSubs = await subscribers(single.wsUrl, SUBSCRIBERS);
  // cluster: service + A (publisher) + B (subscribers)
  const service = await startTopicService({ port: 0 });
  const brokerOptions = { url: service.url, maxBufferedPublishes: MESSAGES * 2 };
  const a = await startNode(topicServiceBroker(brokerOptions));
  const b = await startNode(topicServiceBroker(brokerOptions));
  const crossSubs = await subscribers(b.wsUrl, SUBSCRIBERS);
  await waitUntil(async () => (await a.ft.count(TOPIC)) === SUBSCRIBERS, 10_000, 'cluster count');

  const results = { single: [], cross: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results.single.push(await run(single, singleSubs));
    results.cross.push(await run(a, crossSubs));
  }
  const best = (xs) => Math.max(...xs);
  const ratio = best(results.cross) / best(results.single);
  console.log(`subscribers=${SUBSCRIBERS} messages=${MESSAGES} rounds=${ROUNDS} (node ${process.version})`);
  console.log(`single-node delivered msg/s: ${results.single.map(fmt).join(', ')}  (best ${fmt(best(results.single))})`);
  console.log(`cross-node  delivered msg/s: ${results.cross.map(fmt).join(', ')}  (best ${fmt(best(results.cross))})`);
  console.log(`cross/single: ${ratio.toFixed(2)}x`);
  const nodes = service.core.nodeInfos();
  console.log(`service: ${nodes.map((n) => `${n.nodeId === b.ft.nodeId ? 'B' : 'A'} received ${n.received}, dropped ${n.dropped}`).join('; ')}`);

  for (const s of [...singleSubs, ...crossSubs]) s.ws.terminate();
  await Promise.all([single.close(), a.close(), b.close()]);
  await service.close();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
