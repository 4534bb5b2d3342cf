/**
 * Socket.IO 4 with rooms, websocket transport only: `join` puts the socket in rooms and a
 * `publish` event goes out as `io.to(topic).emit('publish', frame)` with the same envelope every
 * other target sends.
 *   --redis <url>   share rooms between nodes with @socket.io/redis-adapter
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { announceReady, exitOnSignals, readArgs, topicsOf } from './common.js';

const { values } = readArgs({ redis: { type: 'string' } });
const redisUrl = typeof values.redis === 'string' ? values.redis : undefined;

interface PublishFrame {
  topic?: unknown;
  data?: unknown;
}

async function main(): Promise<void> {
  const server = createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
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
  server.listen(0, '127.0.0.1', () => announceReady(server, { target: redisUrl ? 'socketio-redis' : 'socketio' }));
  exitOnSignals(async () => {
    for (const close of closers) await close();
  });
}

void main();
