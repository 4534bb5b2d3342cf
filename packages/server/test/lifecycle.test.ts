import { describe, expect, it } from 'vitest';
import { CloseCode, parseRetryAfter } from '@firetower/server';
import { connect, UpgradeRefused, waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

describe('heartbeat', () => {
  it('sends a heartbeat text frame and ws pings; a live client stays connected', async () => {
    const server = await start({ heartbeatIntervalMs: 20 });
    const a = await join(server);
    let pings = 0;
    a.ws.on('ping', () => pings++);
    for (let i = 0; i < 6; i++) expect(await a.next((f) => f.type === 'text' && f.text === 'heartbeat')).toMatchObject({ text: 'heartbeat' });
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    expect(server.ft.stats().connections).toBe(1);
  });

  it('terminates a half-open connection after two missed pongs', async () => {
    const offline: Array<{ code: number; reason: string }> = [];
    const server = await start({ heartbeatIntervalMs: 20, hooks: { onOffline: (_t, info) => void offline.push(info) } });
    const healthy = await join(server);
    const halfOpen = await join(server, {}, { autoPong: false });
    expect((await halfOpen.closed).code).toBe(1006);
    await waitFor(() => offline.length === 1, 5000, 'onOffline');
    expect(offline[0]).toEqual({ code: 1006, reason: 'heartbeat timeout' });
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
  });

  it('heartbeatIntervalMs 0 disables it', async () => {
    const server = await start({ heartbeatIntervalMs: 0 });
    const a = await join(server, {}, { autoPong: false });
    await a.request({ type: 'subscribe', topic: '/quiet' });
    expect(a.received.filter((f) => f.type === 'text')).toEqual([]);
  });
});

describe('graceful shutdown', () => {
  it('closes every connection in batches with ServerShutdown and a jittered retry-after, then resolves', async () => {
    const offline: string[] = [];
    const server = await start({ hooks: { onOffline: (tower) => void offline.push(tower.clientId) } });
    const clients = await Promise.all(Array.from({ length: 7 }, (_, i) => join(server, { clientId: `c${i}` })));
    for (const client of clients) await client.request({ type: 'subscribe', topic: '/bye' });

    await server.ft.close({ batchSize: 3, batchIntervalMs: 5, maxRetryAfterMs: 2_000 });
    // Resolved only after every connection went through its hooks.
    expect(offline.sort()).toEqual(clients.map((_, i) => `c${i}`).sort());
    expect(server.ft.stats()).toMatchObject({ connections: 0, topics: 0 });
    for (const client of clients) {
      const { code, reason } = await client.closed;
      expect(code).toBe(CloseCode.ServerShutdown);
      const retryAfter = parseRetryAfter(reason);
      expect(retryAfter).toBeGreaterThanOrEqual(0);
      expect(retryAfter).toBeLessThanOrEqual(2_000);
    }
    expect((await server.ft.broker.status()).connected).toBe(false);
    // No new connections once closing.
    const refused = await connect(server.wsUrl).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(503);
    // close() is idempotent.
    await server.ft.close();
  });

  it('waits for slow async close hooks', async () => {
    let finished = false;
    const server = await start({
      hooks: {
        onOffline: async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          finished = true;
        },
      },
    });
    await join(server);
    await server.ft.close({ batchIntervalMs: 0 });
    expect(finished).toBe(true);
  });
});

describe('ordering under load', () => {
  it("delivers each publisher's messages in order with an async message handler", async () => {
    const server = await start({
      limits: { maxMessagesPerSecond: 100_000 },
      maxInboundQueue: 10_000,
      hooks: {
        // Deliberately uneven async delays: order must come from the per-connection queue.
        onMessage: (_tower, message) => {
          const { i } = message.data as { i: number };
          if (i % 3 === 0) return new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)));
          if (i % 3 === 1) return Promise.resolve(undefined);
          return undefined;
        },
      },
    });
    const subscribers = await Promise.all([join(server), join(server)]);
    for (const s of subscribers) await s.request({ type: 'subscribe', topic: '/load' });
    const publishers = await Promise.all([join(server), join(server), join(server)]);
    const count = 1_000;
    for (let i = 0; i < count; i++) for (const [p, publisher] of publishers.entries()) publisher.send({ type: 'publish', topic: '/load', data: { p, i } });
    for (const subscriber of subscribers) {
      const next = [0, 0, 0];
      for (let n = 0; n < count * publishers.length; n++) {
        const { p, i } = (await subscriber.nextDelivery('/load', 10_000)).data as { p: number; i: number };
        expect(i).toBe(next[p]);
        next[p]!++;
      }
    }
  });
});
