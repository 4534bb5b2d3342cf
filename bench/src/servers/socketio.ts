/**
 * Socket.IO 4 with rooms, websocket transport only: `join` puts the socket in rooms and a
 * `publish` event goes out as `io.to(topic).emit('publish', frame)` with the same envelope every
 * other target sends.
 *   --redis <url>   share rooms between nodes with @socket.io/redis-adapter
 *   --deflate       `perMessageDeflate: true` (engine.io passes it to ws: 1 KiB threshold, a zlib
 *                   context per socket)
 * `GET /bench/stats` answers `{"server":{"connections":N,"topics":M}}` (the scale scenario's close check).
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { announceReady, exitOnSignals, readArgs, topicsOf } from './common.js';

const { values } = readArgs({ redis: { type: 'string' }, deflate: { type: 'boolean' } });
const redisUrl = typeof values.redis === 'string' ? values.redis : undefined;
const deflate = values.deflate === true;

interface PublishFrame {
  topic?: unknown;
  data?: unknown;
}

async function main(): Promise<void> {
  // engine.io answers its own path and hands every other request to this listener.
  const server = createServer((req, res) => {
    if (req.url !== '/bench/stats') return res.writeHead(404).end();
    // Every socket sits in a room named by its id; the others are topics.
    const topics = [...io.sockets.adapter.rooms.keys()].filter((room) => !io.sockets.sockets.has(room)).length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ server: { connections: io.engine.clientsCount, topics } }));
  });
  const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: deflate });
  const closers: Array<() => Promise<unknown>> = [];
  if (redisUrl !== undefined) {
    // Loaded only for the Redis target: the single-node one must not carry their memory (idle RSS).
    const [{ createAdapter }, { createClient }] = await Promise.all([import('@socket.io/redis-adapter'), import('redis')]);
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    pub.on('error', () => undefined);
    sub.on('error', () => undefined);
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
    closers.push(() => Promise.allSettled([pub.close(), sub.close()]));
  }
  io.on('connection', (socket) => {
    socket.on('join', (topics: unknown, ack?: unknown) => {
      void socket.join(topicsOf(topics));
      if (typeof ack === 'function') (ack as () => void)();
    });
    socket.on('publish', (frame: PublishFrame) => {
      if (typeof frame?.topic !== 'string') return;
      io.to(frame.topic).emit('publish', { type: 'publish', topic: frame.topic, data: frame.data });
    });
  });
  server.listen(0, '127.0.0.1', () => announceReady(server, { target: `${redisUrl ? 'socketio-redis' : 'socketio'}${deflate ? '+deflate' : ''}` }));
  exitOnSignals(async () => {
    for (const close of closers) await close();
  });
}

void main();
