/**
 * The baselines: ws 8 with a Map<topic, Set<socket>> and one JSON.stringify per publish.
 *   --cork           cork each socket once per event-loop turn, uncork all in one nextTick
 *   --redis <url>    relay publishes through Redis pub/sub (one channel per topic) to other nodes
 *   --deflate        `perMessageDeflate: true`: ws's per-socket compression with its defaults
 *                    (1 KiB threshold, a zlib context per socket kept between messages), each
 *                    delivery compressed once per subscriber
 * `GET /bench/stats` answers `{"server":{"connections":N,"topics":M}}` (the scale scenario's close check).
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { announceReady, exitOnSignals, readArgs, topicsOf } from './common.js';
import { createTopicRelay, type TopicRelay } from './redis-relay.js';

const { values } = readArgs({ cork: { type: 'boolean' }, redis: { type: 'string' }, deflate: { type: 'boolean' } });
const cork = values.cork === true;
const deflate = values.deflate === true;
const redisUrl = typeof values.redis === 'string' ? values.redis : undefined;

const subscribers = new Map<string, Set<WebSocket>>();

// ---- the write path: plain, or corked per event-loop turn -----------------------------------

const corked = new Set<WebSocket>();
let flushQueued = false;

function rawSocket(ws: WebSocket): Socket {
  // ws has no cork API; its net.Socket is the one private field every ws-based server reaches for.
  return (ws as unknown as { _socket: Socket })._socket;
}

function uncorkAll(): void {
  flushQueued = false;
  for (const ws of corked) rawSocket(ws).uncork();
  corked.clear();
}

function sendCorked(ws: WebSocket, frame: Buffer): void {
  if (!corked.has(ws)) {
    rawSocket(ws).cork();
    corked.add(ws);
    if (!flushQueued) {
      flushQueued = true;
      process.nextTick(uncorkAll);
    }
  }
  ws.send(frame, { binary: false });
}

function fanOut(topic: string, text: string): void {
  const set = subscribers.get(topic);
  if (set === undefined) return;
  // One serialisation per publish: the same bytes go to every subscriber.
  const frame = Buffer.from(text);
  if (cork) for (const ws of set) sendCorked(ws, frame);
  else for (const ws of set) ws.send(frame, { binary: false });
}

// ---- the topic index, with an optional Redis relay ------------------------------------------

let relay: TopicRelay | undefined;

function addSubscriber(topic: string, ws: WebSocket): void {
  let set = subscribers.get(topic);
  if (set === undefined) {
    set = new Set();
    subscribers.set(topic, set);
    relay?.follow(topic);
  }
  set.add(ws);
}

function removeSubscriber(topic: string, ws: WebSocket): void {
  const set = subscribers.get(topic);
  if (set === undefined) return;
  set.delete(ws);
  if (set.size === 0) {
    subscribers.delete(topic);
    relay?.unfollow(topic);
  }
}

interface ClientFrame {
  type?: unknown;
  topic?: unknown;
  data?: unknown;
}

function onFrame(ws: WebSocket, mine: Set<string>, text: string): void {
  let frame: ClientFrame;
  try {
    frame = JSON.parse(text) as ClientFrame;
  } catch {
    return;
  }
  if (frame.type === 'subscribe') {
    for (const topic of topicsOf(frame.topic)) {
      mine.add(topic);
      addSubscriber(topic, ws);
    }
  } else if (frame.type === 'publish' && typeof frame.topic === 'string') {
    const out = JSON.stringify({ type: 'publish', topic: frame.topic, data: frame.data });
    if (relay !== undefined) relay.publish(frame.topic, out);
    else fanOut(frame.topic, out);
  }
}

async function main(): Promise<void> {
  if (redisUrl !== undefined) relay = await createTopicRelay(redisUrl, fanOut);
  const server = createServer((req, res) => {
    if (req.url !== '/bench/stats') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ server: { connections: wss.clients.size, topics: subscribers.size } }));
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: deflate });
  wss.on('connection', (ws) => {
    const mine = new Set<string>();
    ws.on('message', (data, isBinary) => {
      if (!isBinary) onFrame(ws, mine, data.toString());
    });
    ws.on('close', () => {
      for (const topic of mine) removeSubscriber(topic, ws);
    });
    ws.on('error', () => ws.terminate());
  });
  server.listen(0, '127.0.0.1', () => announceReady(server, { target: `${cork ? 'ws-raw-cork' : 'ws-raw'}${deflate ? '+deflate' : ''}` }));
  exitOnSignals(() => relay?.close());
}

void main();
