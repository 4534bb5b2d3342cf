import { createServer, type Server } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { RecordingNode, waitFor } from '@firetower/server/testing';
import { topicServiceBroker, type TopicServiceBrokerOptions } from '../src/broker/topic-service-broker.js';
import { TopicServiceClientError } from '../src/errors.js';
import { createTopicService, startTopicService, type RunningTopicService } from '../src/service/create.js';
import { listenLocally, useCleanups } from './helpers.js';

const cleanups = useCleanups();

async function service(): Promise<RunningTopicService> {
  const s = await startTopicService({ port: 0 });
  cleanups.push(() => s.close());
  return s;
}

async function node(url: string, id: string, options: Partial<TopicServiceBrokerOptions> & { dedupeWindowMs?: number } = {}) {
  const { dedupeWindowMs, ...brokerOptions } = options;
  const broker = topicServiceBroker({ url, pollWaitMs: 2000, backoffMinMs: 20, backoffMaxMs: 200, ...brokerOptions });
  const local = new RecordingNode(id, dedupeWindowMs);
  cleanups.push(() => broker.close());
  await local.start(broker);
  return { broker, local };
}

/** A server that takes requests and never answers: a link that hangs. */
async function blackhole(): Promise<string> {
  const server: Server = createServer(() => {});
  const listening = await listenLocally(server);
  cleanups.push(() => listening.close());
  return listening.url;
}

async function rejection(promise: Promise<unknown>): Promise<TopicServiceClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TopicServiceClientError);
  return error as TopicServiceClientError;
}

describe('claimKey and keyed publishes across brokers', () => {
  it('a keyed publish on one node makes the claim on another node false; a fresh key is claimed once', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    b.local.setCounts({ t: 1 });
    await waitFor(() => s.core.count('t').count === 1, 5000, 'b subscribed');
    await a.broker.publish({ topic: 't', data: '1', idempotencyKey: 'c1:p1' });
    await waitFor(() => b.local.dataOf('t').length === 1, 5000, 'b got the publish');
    // The key is not handed to the receiving node.
    expect(b.local.delivered).toEqual([{ topic: 't', data: '1' }]);
    expect(await b.broker.claimKey('c1:p1')).toBe(false);
    expect(await b.broker.claimKey('c1:p2')).toBe(true);
    expect(await a.broker.claimKey('c1:p2')).toBe(false);
    expect(s.core.keyStats()).toMatchObject({ published: 1, fresh: 1, taken: 2 });
  });

  it('claims made in one turn go out as one request, in order', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const before = s.core.keyStats().claimRequests;
    const answers = await Promise.all(['x', 'y', 'x', 'z', 'y'].map((key) => a.broker.claimKey(key)));
    expect(answers).toEqual([true, true, false, true, false]);
    expect(s.core.keyStats().claimRequests - before).toBe(1);
    // The next turn is a new request.
    expect(await a.broker.claimKey('x')).toBe(false);
    expect(s.core.keyStats().claimRequests - before).toBe(2);
  });

  it('a turn with more keys than one request takes is split', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const keys = Array.from({ length: 2500 }, (_, i) => `k${i}`);
    const answers = await Promise.all(keys.map((key) => a.broker.claimKey(key)));
    expect(answers.every((f) => f)).toBe(true);
    expect(s.core.keyStats()).toMatchObject({ claimRequests: 3, keys: 2500 });
  });

  it('hashes a key longer than the service takes, the same way on every node', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    const b = await node(s.url, 'b');
    const long = `job:${'x'.repeat(2000)}`;
    await a.broker.publish({ topic: 't', data: '1', idempotencyKey: long });
    await waitFor(() => s.core.keyStats().published === 1, 5000, 'the key reached the service');
    expect(await b.broker.claimKey(long)).toBe(false);
    expect(await b.broker.claimKey(`${long}y`)).toBe(true);
    expect((await a.broker.status()).droppedPublishes).toBe(0);
  });

  it('with dedupeWindowMs 0 keys are off: claims are fresh without a request, publishes carry none', async () => {
    const s = await service();
    const a = await node(s.url, 'a', { dedupeWindowMs: 0 });
    const b = await node(s.url, 'b');
    b.local.setCounts({ t: 1 });
    await waitFor(() => s.core.count('t').count === 1, 5000, 'b subscribed');
    expect(await a.broker.claimKey('k')).toBe(true);
    expect(await a.broker.claimKey('k')).toBe(true);
    await a.broker.publish({ topic: 't', data: '1', idempotencyKey: 'k2' });
    await waitFor(() => b.local.dataOf('t').length === 1, 5000, 'b got the publish');
    expect(s.core.keyStats()).toMatchObject({ claimRequests: 0, published: 0, keys: 0 });
  });

  it('uses the node window as the ttl', async () => {
    const s = await service();
    const a = await node(s.url, 'a', { dedupeWindowMs: 30 });
    const b = await node(s.url, 'b', { dedupeWindowMs: 3_600_000 });
    expect(await a.broker.claimKey('k')).toBe(true);
    // a's key lives 30 ms; b's taken answers record nothing, so b gets it once they are over.
    await waitFor(async () => (await b.broker.claimKey('k')) === true, 5000, 'the short window ran out');
    expect(await a.broker.claimKey('k')).toBe(false);
  });
});

describe('an older service that refuses keys', () => {
  it('gets the keyed batch again without keys: the messages are not lost', async () => {
    const inner = createTopicService();
    let refused = 0;
    const app = express();
    app.use(express.json());
    // What a service from before idempotency keys answers: its strict schema knows no key fields.
    app.use((req, res, next) => {
      if (req.method === 'POST' && req.path.endsWith('/publish') && /"key(TtlMs)?"/.test(JSON.stringify(req.body))) {
        refused += 1;
        res.status(400).json({ error: { code: 'bad_request', message: 'invalid publish body: unrecognized key "keyTtlMs"' } });
        return;
      }
      next();
    });
    app.use(inner.router);
    const server = createServer(app);
    const { url, close } = await listenLocally(server);
    cleanups.push(async () => {
      await inner.close();
      await close();
    });
    const a = await node(url, 'a');
    const b = await node(url, 'b');
    b.local.setCounts({ t: 1 });
    await waitFor(() => inner.core.count('t').count === 1, 5000, 'b subscribed');
    await a.broker.publish({ topic: 't', data: '1', idempotencyKey: 'k1' });
    await a.broker.publish({ topic: 't', data: '2' });
    await waitFor(() => b.local.dataOf('t').length === 2, 5000, 'b got both');
    expect(b.local.dataOf('t')).toEqual(['1', '2']);
    expect(refused).toBeGreaterThanOrEqual(1);
    expect((await a.broker.status()).droppedPublishes).toBe(0);
  });
});

describe('claimKey failures reject with an Error, never hang', () => {
  it('rejects at once while the service is unreachable', async () => {
    const s = await service();
    const a = await node(s.url, 'a');
    await s.close();
    await waitFor(() => a.broker.currentState === 'unreachable', 5000, 'a notices');
    expect((await rejection(a.broker.claimKey('k'))).code).toBe('unreachable');
  });

  it('rejects when the service does not answer within claimTimeoutMs', async () => {
    const url = await blackhole();
    const a = await node(url, 'a', { claimTimeoutMs: 100, startTimeoutMs: 50 });
    const claims = [a.broker.claimKey('k1'), a.broker.claimKey('k2')];
    for (const claim of claims) expect((await rejection(claim)).code).toBe('timeout');
  });

  it('rejects when the service refuses', async () => {
    const s = await startTopicService({ port: 0, token: 'right' });
    cleanups.push(() => s.close());
    const a = await node(s.url, 'a', { token: 'wrong', startTimeoutMs: 50 });
    expect((await rejection(a.broker.claimKey('k'))).code).toBe('unauthorized');
  });

  it('rejects before start, after close, and claims pending at close', async () => {
    const s = await service();
    const idle = topicServiceBroker({ url: s.url });
    expect((await rejection(idle.claimKey('k'))).code).toBe('not_running');
    const a = await node(s.url, 'a');
    const pending = rejection(a.broker.claimKey('k'));
    await a.broker.close();
    expect((await pending).code).toBe('not_running');
    expect((await rejection(a.broker.claimKey('k'))).code).toBe('not_running');
  });
});
