import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, memoryBroker } from '../src/index.js';
import { connect, startServer, waitFor, type StartedServer, type TestClient } from '../src/testing.js';
import type { FiretowerOptions } from '../src/types.js';
import type { BrokerNode } from '../src/broker/types.js';

const HISTORY: FiretowerOptions['history'] = [{ match: '/h/*', size: 5 }];

describe('history and recovery on one node', () => {
  const servers: StartedServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const start = async (options: FiretowerOptions = {}): Promise<StartedServer> => {
    const server = await startServer({ heartbeatIntervalMs: 0, history: HISTORY, ...options });
    servers.push(server);
    return server;
  };
  const join = async (server: StartedServer): Promise<TestClient> => {
    const client = await connect(server.wsUrl);
    clients.push(client);
    return client;
  };

  it('numbers deliveries of a history topic and tells the position in the subscribe ack', async () => {
    const server = await start();
    const client = await join(server);
    const ack = await client.request({ type: 'subscribe', topic: ['/h/a', '/plain'] });
    expect(ack.streams).toEqual({ '/h/a': { offset: 0, epoch: '' } });
    await server.ft.publish('/h/a', { n: 1 });
    await server.ft.publish('/plain', { n: 2 });
    const first = await client.nextDelivery('/h/a');
    expect(first).toMatchObject({ data: { n: 1 }, offset: 1 });
    expect(typeof first.epoch).toBe('string');
    const plain = await client.nextDelivery('/plain');
    expect(plain).not.toHaveProperty('offset');
  });

  it('recovers what a subscriber missed, in order, then continues live without a duplicate', async () => {
    const server = await start({ history: [{ match: '/h/*', size: 100 }] });
    const first = await join(server);
    const ack = await first.request({ type: 'subscribe', topic: ['/h/a'] });
    await server.ft.publish('/h/a', 0);
    const seen = await first.nextDelivery('/h/a');
    first.ws.terminate();
    for (let n = 1; n <= 50; n++) await server.ft.publish('/h/a', n);
    const again = await join(server);
    const reply = again.request({ type: 'subscribe', topic: ['/h/a'], since: { '/h/a': { offset: seen.offset, epoch: seen.epoch } } });
    // A publish racing the replay is delivered once, after it.
    const racing = server.ft.publish('/h/a', 51);
    expect((await reply).streams['/h/a']).toEqual({ offset: 1, epoch: seen.epoch, recovered: true });
    await racing;
    const got: number[] = [];
    for (let n = 1; n <= 51; n++) got.push((await again.nextDelivery('/h/a')).data as number);
    expect(got).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    await server.ft.publish('/h/a', 52);
    expect((await again.nextDelivery('/h/a')).data).toBe(52);
    expect(ack.streams['/h/a'].offset).toBe(0);
  });

  it('says too_old when the missed publications were trimmed, and replays what is kept', async () => {
    const server = await start();
    const client = await join(server);
    for (let n = 1; n <= 8; n++) await server.ft.publish('/h/a', n);
    const { epoch } = await server.ft.history('/h/a');
    const ack = await client.request({ type: 'subscribe', topic: ['/h/a'], since: { '/h/a': { offset: 1, epoch } } });
    expect(ack.streams['/h/a']).toEqual({ offset: 3, epoch, recovered: false, reason: 'too_many' });
    const data = [];
    for (let n = 4; n <= 8; n++) data.push((await client.nextDelivery('/h/a')).data);
    expect(data).toEqual([4, 5, 6, 7, 8]);
  });

  it('says epoch_changed after the store forgot the topic, and replays the new epoch', async () => {
    const bus = createMemoryBus();
    const server = await start({ broker: memoryBroker({ bus }) });
    await server.ft.publish('/h/a', 'old');
    const old = await server.ft.history('/h/a');
    bus.history.clear();
    await server.ft.publish('/h/a', 'new');
    const client = await join(server);
    const ack = await client.request({ type: 'subscribe', topic: ['/h/a'], since: { '/h/a': { offset: old.offset, epoch: old.epoch } } });
    expect(ack.streams['/h/a']).toMatchObject({ offset: 0, recovered: false, reason: 'epoch_changed' });
    expect(ack.streams['/h/a'].epoch).not.toBe(old.epoch);
    expect((await client.nextDelivery('/h/a')).data).toBe('new');
  });

  it('catches up on the newest publications with since { limit }', async () => {
    const server = await start();
    for (let n = 1; n <= 4; n++) await server.ft.publish('/h/a', n);
    const client = await join(server);
    const ack = await client.request({ type: 'subscribe', topic: ['/h/a'], since: { '/h/a': { limit: 1 } } });
    expect(ack.streams['/h/a']).toMatchObject({ offset: 3 });
    expect((await client.nextDelivery('/h/a')).data).toBe(4);
  });

  it('answers bad since values with an error frame and a position ahead of the stream with bad_position', async () => {
    const server = await start();
    const client = await join(server);
    for (const since of [
      { '/h/a': { offset: -1, epoch: '' } },
      { '/h/a': { offset: 1.5, epoch: '' } },
      { '/h/a': { limit: 0 } },
      { '/h/a': { limit: 1e9 } },
      { '/other': { limit: 1 } },
      'x',
      { '/h/a': { offset: 1, epoch: 'e'.repeat(65) } },
    ]) {
      const reply = await client.request({ type: 'subscribe', topic: ['/h/a'], since });
      expect(reply).toMatchObject({ type: 'error', code: 'invalid_field' });
    }
    await server.ft.publish('/h/a', 1);
    const { epoch } = await server.ft.history('/h/a');
    const ack = await client.request({ type: 'subscribe', topic: ['/h/a'], since: { '/h/a': { offset: 99, epoch } } });
    expect(ack.streams['/h/a']).toEqual({ offset: 1, epoch, recovered: false, reason: 'bad_position' });
  });

  it('ft.history pages the kept publications and refuses topics without history', async () => {
    const server = await start();
    for (let n = 1; n <= 7; n++) await server.ft.publish('/h/a', { n });
    const page = await server.ft.history('/h/a', { limit: 2 });
    expect(page.publications).toEqual([
      { offset: 6, data: { n: 6 } },
      { offset: 7, data: { n: 7 } },
    ]);
    expect(page.offset).toBe(7);
    const after = await server.ft.history('/h/a', { since: { offset: 5, epoch: page.epoch } });
    expect(after.publications.map((p) => p.offset)).toEqual([6, 7]);
    await expect(server.ft.history('/plain')).rejects.toMatchObject({ code: 'no_history' });
  });

  it('refuses the history option with a broker that keeps none', async () => {
    const broker = { ...memoryBroker(), history: undefined };
    await expect(startServer({ broker, history: HISTORY })).rejects.toMatchObject({ code: 'no_history' });
  });
});

describe('history replay racing live publishes', () => {
  it('holds live deliveries during a slow read and sends each publication once, in order', async () => {
    const broker = memoryBroker();
    const read = broker.history!.bind(broker);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let reads = 0;
    broker.history = async (topic, query) => {
      reads++;
      const result = await read(topic, query);
      await gate;
      return result;
    };
    const server = await startServer({ heartbeatIntervalMs: 0, broker, history: [{ match: '/h/*', size: 100 }] });
    try {
      for (let n = 1; n <= 3; n++) await server.ft.publish('/h/a', n);
      const { epoch } = await read('/h/a', { limit: 0, policy: { size: 100, ttlMs: 60_000, metaTtlMs: 60_000 } });
      const client = await connect(server.wsUrl);
      const reply = client.request({ type: 'subscribe', topic: ['/h/a'], since: { '/h/a': { offset: 1, epoch } } });
      await waitFor(() => reads === 1, 5_000, 'the history read started');
      // Published after the read: held, then sent after the replay.
      for (let n = 4; n <= 6; n++) await server.ft.publish('/h/a', n);
      open();
      expect((await reply).streams['/h/a']).toMatchObject({ recovered: true, offset: 1 });
      const got = [];
      for (let n = 2; n <= 6; n++) got.push((await client.nextDelivery('/h/a')).offset as number);
      expect(got).toEqual([2, 3, 4, 5, 6]);
      await server.ft.publish('/h/a', 7);
      expect((await client.nextDelivery('/h/a')).offset).toBe(7);
      client.ws.terminate();
    } finally {
      await server.close();
    }
  });
});

describe('history replay with a broker whose live deliveries lag its reads', () => {
  it('drops a live copy of a publication the replay already carried (the topic-service case)', async () => {
    const broker = memoryBroker();
    const start = broker.start.bind(broker);
    let node: BrokerNode | undefined;
    broker.start = (started) => {
      node = started;
      return start(started);
    };
    const server = await startServer({ heartbeatIntervalMs: 0, broker, history: [{ match: '/h/*', size: 100 }] });
    try {
      for (let n = 1; n <= 3; n++) await server.ft.publish('/h/a', n);
      const { epoch } = await server.ft.history('/h/a');
      const client = await connect(server.wsUrl);
      const ack = await client.request({ type: 'subscribe', topic: ['/h/a'], since: { '/h/a': { offset: 0, epoch: '' } } });
      expect(ack.streams['/h/a']).toMatchObject({ recovered: true, offset: 0 });
      for (let n = 1; n <= 3; n++) expect((await client.nextDelivery('/h/a')).offset).toBe(n);
      // The live copy of offset 2 arrives after the replay, as over a long poll that lags the read.
      node!.deliver({ topic: '/h/a', data: '2', position: { offset: 2, epoch } });
      await server.ft.publish('/h/a', 4);
      expect(await client.nextDelivery('/h/a')).toMatchObject({ offset: 4, data: 4 });
      expect(client.received.filter((frame) => frame.type === 'publish').map((frame) => frame.offset as number)).toEqual([1, 2, 3, 4]);
      client.ws.terminate();
    } finally {
      await server.close();
    }
  });
});
