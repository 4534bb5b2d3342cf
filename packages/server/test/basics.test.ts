import { describe, expect, it } from 'vitest';
import http from 'node:http';
import express from 'express';
import { CloseCode, ErrorCode, firetower, memoryBroker } from '@firetower/server';
import { connect, waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join, joinUrl } = useServers();

describe('subscribe / publish / unsubscribe', () => {
  it("accepts the original client's exact frames", async () => {
    const server = await start();
    const a = await join(server);
    const b = await join(server);
    a.send('{"type":"subscribe","topic":"/chat/world,/chat/news","data":""}');
    b.send('{"type":"subscribe","topic":"/chat/world","data":""}');
    await waitFor(async () => (await server.ft.count('/chat/world')) === 2, 5000, 'both subscribed');
    expect(await server.ft.count('/chat/news')).toBe(1);

    b.send('{"type":"publish","topic":"/chat/world","data":{"from":"ann","text":"hi"}}');
    for (const client of [a, b]) {
      expect(await client.nextDelivery('/chat/world')).toEqual({ type: 'publish', topic: '/chat/world', data: { from: 'ann', text: 'hi' } });
    }
    a.send('{"type":"unSubscribe","topic":"/chat/world","data":""}');
    await waitFor(async () => (await server.ft.count('/chat/world')) === 1, 5000, 'a left');
    b.send('{"type":"publish","topic":"/chat/news","data":"plain string"}');
    expect((await a.nextDelivery('/chat/news')).data).toBe('plain string');
    // No error frame was sent for any of the original frames.
    expect(a.received.filter((f) => f.type === 'error')).toEqual([]);
  });

  it('acks frames with an id, with topics as a JSON array', async () => {
    const server = await start();
    const a = await join(server);
    expect(await a.request({ type: 'subscribe', topic: ['/a', '/b', '/a'] })).toMatchObject({ type: 'ack', topics: ['/a', '/b'], refused: [] });
    expect(await a.request({ type: 'publish', topic: '/a', data: [1, 2] })).toMatchObject({ type: 'ack' });
    expect((await a.nextDelivery('/a')).data).toEqual([1, 2]);
    expect(await a.request({ type: 'unsubscribe', topic: ['/a'] })).toMatchObject({ type: 'ack', topics: ['/a'] });
    expect(await server.ft.count('/a')).toBe(0);
    expect(await server.ft.count('/b')).toBe(1);
  });

  it('publishes any JSON data, including null, numbers and a missing data field', async () => {
    const server = await start();
    const a = await join(server);
    await a.request({ type: 'subscribe', topic: '/any' });
    for (const data of [null, 0, 'x', true, { nested: { deep: [1] } }]) {
      a.send({ type: 'publish', topic: '/any', data });
      expect((await a.nextDelivery('/any')).data).toEqual(data);
    }
    a.send({ type: 'publish', topic: '/any' });
    expect((await a.nextDelivery('/any')).data).toBeNull();
  });

  it('rawDelivery sends only the data (firetower v0.4 style)', async () => {
    const server = await start({ rawDelivery: true });
    const a = await join(server);
    await a.request({ type: 'subscribe', topic: '/raw' });
    a.send({ type: 'publish', topic: '/raw', data: { x: 1 } });
    expect(await a.next((f) => f.x === 1)).toEqual({ x: 1 });
    await server.ft.publish('/raw', 42);
    expect(await a.next((f) => f.type === 'text')).toMatchObject({ value: 42 });
  });

  it('excludeSelf keeps a publish from its sender', async () => {
    const server = await start();
    const a = await join(server);
    const b = await join(server);
    await a.request({ type: 'subscribe', topic: '/x' });
    await b.request({ type: 'subscribe', topic: '/x' });
    a.send({ type: 'publish', topic: '/x', data: 1, excludeSelf: true });
    a.send({ type: 'publish', topic: '/x', data: 2 });
    expect((await b.nextDelivery('/x')).data).toBe(1);
    expect((await a.nextDelivery('/x')).data).toBe(2);
  });

  it('dedupes a retried publish by clientId:id, across a reconnect', async () => {
    const server = await start();
    const watcher = await join(server);
    await watcher.request({ type: 'subscribe', topic: '/once' });
    const first = await join(server, { clientId: 'retry-client' });
    first.send({ type: 'publish', topic: '/once', data: 'hello', id: 'm1' });
    expect(await first.next((f) => f.id === 'm1')).toEqual({ type: 'ack', id: 'm1' });
    await first.close();
    const second = await join(server, { clientId: 'retry-client' });
    second.send({ type: 'publish', topic: '/once', data: 'hello', id: 'm1' });
    expect(await second.next((f) => f.id === 'm1')).toEqual({ type: 'ack', id: 'm1', duplicate: true });
    second.send({ type: 'publish', topic: '/once', data: 'next', id: 'm2' });
    expect((await watcher.nextDelivery('/once')).data).toBe('hello');
    expect((await watcher.nextDelivery('/once')).data).toBe('next');
    expect(server.ft.stats().dropsTotal.duplicate).toBe(1);
  });

  it('uses a valid ?clientId= and generates one otherwise', async () => {
    const server = await start();
    await join(server, { clientId: 'my_id-1' });
    await join(server, { clientId: 'bad id!' });
    await join(server, { clientId: 'x'.repeat(65) });
    await join(server, { clientId: 'my_id-1' });
    const ids = [...server.ft.towers()].map((t) => t.clientId);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toBe('my_id-1');
    for (const id of ids.slice(1)) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('treats __proto__, constructor and hasOwnProperty as ordinary topics', async () => {
    const server = await start();
    const a = await join(server);
    const topics = ['__proto__', 'constructor', 'hasOwnProperty', 'toString'];
    expect(await a.request({ type: 'subscribe', topic: topics })).toMatchObject({ topics });
    for (const topic of topics) {
      await server.ft.publish(topic, { topic });
      expect((await a.nextDelivery(topic)).data).toEqual({ topic });
    }
    expect((await server.ft.topics()).map((t) => t.topic).sort()).toEqual([...topics].sort());
    await a.close();
    await waitFor(async () => (await server.ft.topics()).length === 0, 5000, 'index empty');
    expect(server.ft.stats()).toMatchObject({ connections: 0, topics: 0, subscriptions: 0 });
  });
});

describe('mounting', () => {
  it('works with http.createServer(app) + attach(server)', async () => {
    const server = await start({}, { createServer: true });
    const a = await join(server);
    await a.request({ type: 'subscribe', topic: '/attached' });
    await server.ft.publish('/attached', 'ok');
    expect((await a.nextDelivery('/attached')).data).toBe('ok');
  });

  it.each([
    ['an HTTP server made without ft.attach(server)', 'no-attach'],
    ['firetower() mounted on a Router', 'router'],
  ])('answers an upgrade that never reached the tower (%s) with 426 and a hint, reported once', async (_name, mistake) => {
    const errors: Error[] = [];
    const ft = firetower({ hooks: { onError: (error) => void errors.push(error) } });
    const app = express();
    if (mistake === 'router') {
      const router = express.Router();
      router.use(ft);
      app.use(router);
    } else {
      app.use(ft);
    }
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      for (let i = 0; i < 2; i++) {
        const refused = await connect(`ws://127.0.0.1:${port}/ws`).then(
          () => undefined,
          (error: unknown) => error as { status: number; body: string },
        );
        expect(refused?.status).toBe(426);
        expect(JSON.parse(refused!.body)).toMatchObject({ error: { code: 'not_attached', message: expect.stringContaining('ft.attach(server)') } });
      }
      expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['not_attached']);
    } finally {
      await ft.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('serves the WebSocket under the mount path and leaves other routes to the app', async () => {
    const app = express();
    const ft = firetower({ path: '/live' });
    app.get('/hello', (_req, res) => void res.json({ hello: true }));
    app.use('/rt', ft);
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const a = await joinUrl(`ws://127.0.0.1:${port}/rt/live`);
      expect(await a.request({ type: 'subscribe', topic: '/m' })).toMatchObject({ type: 'ack' });
      const hello = await fetch(`http://127.0.0.1:${port}/hello`);
      expect(await hello.json()).toEqual({ hello: true });
      await expect(connect(`ws://127.0.0.1:${port}/elsewhere`)).rejects.toMatchObject({ status: 404 });
    } finally {
      await ft.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('hands upgrades straight to firetower: app middleware neither delays nor sees them', async () => {
    const seen: string[] = [];
    const server = await start(
      {},
      {
        setup: (app) =>
          app.use((req, res, next) => {
            seen.push(req.url);
            if (req.url.startsWith('/ws')) res.status(401).end();
            else next();
          }),
      },
    );
    const a = await join(server);
    // Sent at once after open: handled in order, nothing was lost.
    a.send({ type: 'subscribe', topic: '/early', id: 'e1' });
    a.send({ type: 'publish', topic: '/early', data: 'first' });
    expect(await a.next((f) => f.id === 'e1')).toMatchObject({ type: 'ack', topics: ['/early'] });
    expect((await a.nextDelivery('/early')).data).toBe('first');
    expect(seen).toEqual([]);
    expect(server.ft.getTower([...server.ft.towers()][0]!.clientId)!.request.url).toBe('/ws');
  });

  it('runs two firetower instances on one app on different paths', async () => {
    const app = express();
    const one = firetower({ path: '/one' });
    const two = firetower({ path: '/two' });
    app.use(one);
    app.use(two);
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const a = await joinUrl(`ws://127.0.0.1:${port}/one`);
      const b = await joinUrl(`ws://127.0.0.1:${port}/two`);
      await a.request({ type: 'subscribe', topic: '/t' });
      await b.request({ type: 'subscribe', topic: '/t' });
      expect(await one.count('/t')).toBe(1);
      expect(await two.count('/t')).toBe(1);
      await two.publish('/t', 'two only');
      expect((await b.nextDelivery('/t')).data).toBe('two only');
      await one.publish('/t', 'one only');
      expect((await a.nextDelivery('/t')).data).toBe('one only');
      expect(a.received.filter((f) => f.type === 'publish')).toHaveLength(1);
    } finally {
      await Promise.all([one.close(), two.close()]);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('serves the client bundle or a JSON 404 when it is not built', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/firetower/client.js`);
    if (response.status === 200) {
      expect(response.headers.get('content-type')).toContain('javascript');
      expect((await response.text()).length).toBeGreaterThan(100);
    } else {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'client_bundle_missing', message: 'run pnpm build' } });
    }
    const off = await start({ serveClient: false });
    expect((await fetch(`${off.url}/firetower/client.js`)).status).toBe(404);
  });

  it('keeps the Express app intact (the API does not shadow app members)', async () => {
    const ft = firetower();
    expect(typeof ft.use).toBe('function');
    expect(typeof ft.set).toBe('function');
    expect(typeof ft.publish).toBe('function');
    expect(ft.broker.kind).toBe('memory');
    await ft.close();
  });
});

describe('sendTo and tower.send (ToSelf)', () => {
  it('delivers to one connection only', async () => {
    const server = await start();
    const a = await join(server, { clientId: 'target' });
    const b = await join(server);
    await b.request({ type: 'subscribe', topic: '/dm' });
    expect(await server.ft.sendTo('target', '/dm', { secret: 1 })).toEqual({ connections: 1, complete: true });
    expect(await a.nextDelivery('/dm')).toEqual({ type: 'publish', topic: '/dm', data: { secret: 1 } });
    expect(await server.ft.sendTo('nobody', '/dm', 1)).toEqual({ connections: 0, complete: true });
    await server.ft.publish('/dm', 'public');
    expect((await b.nextDelivery('/dm')).data).toBe('public');
    expect(b.received.filter((f) => f.type === 'publish')).toHaveLength(1);
  });

  it('sendToUser and sendTo refuse an empty or 10 KB id and a bad topic with coded errors', async () => {
    const server = await start();
    await expect(server.ft.sendToUser('', '/dm', 1)).rejects.toMatchObject({ code: 'invalid_target' });
    await expect(server.ft.sendToUser('u'.repeat(10_240), '/dm', 1)).rejects.toMatchObject({ code: 'invalid_target' });
    await expect(server.ft.sendTo('c'.repeat(10_240), '/dm', 1)).rejects.toMatchObject({ code: 'invalid_target' });
    await expect(server.ft.sendToUser('u1', 'bad topic', 1)).rejects.toMatchObject({ code: 'invalid_topic' });
    await expect(server.ft.sendToUser('u1', '/dm', { n: 1n })).rejects.toMatchObject({ code: 'invalid_data' });
  });

  it('sendToUser resolves, incomplete, when the broker never says which nodes there are', async () => {
    const broker = memoryBroker();
    broker.status = () => new Promise(() => {});
    const server = await start({ broker, hooks: { authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined }) } });
    const tab = await join(server, { user: 'u1' });
    expect(await server.ft.sendToUser('u1', '/dm', 'hi')).toEqual({ connections: 1, complete: false });
    expect((await tab.nextDelivery('/dm')).data).toBe('hi');
  });

  it('rejects an invalid topic or unserialisable data from the API', async () => {
    const server = await start();
    await expect(server.ft.publish('bad topic', 1)).rejects.toMatchObject({ code: 'invalid_topic' });
    await expect(server.ft.publish('/ok', { n: 1n })).rejects.toMatchObject({ code: 'invalid_data' });
  });
});

describe('errors on a closed connection', () => {
  it('tower.close defaults to ServerClosed', async () => {
    const server = await start();
    const a = await join(server, { clientId: 'c1' });
    server.ft.getTower('c1')!.close();
    expect((await a.closed).code).toBe(CloseCode.ServerClosed);
    expect(server.ft.getTower('c1')).toBeUndefined();
  });

  it('answers an unknown frame type with an error frame and keeps the connection', async () => {
    const server = await start();
    const a = await join(server);
    for (const type of ['kick', 'kickUser', 'removeTopic', 'unsubscribeUser', 'ack', 'heartbeat']) {
      expect(await a.request({ type, topic: '/a', userId: 'x' })).toMatchObject({ type: 'error', code: ErrorCode.UnknownType });
    }
    expect(server.ft.stats().connections).toBe(1);
  });
});
