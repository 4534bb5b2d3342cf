import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { RecordingNode, waitFor } from '@firetower/server/testing';
import { topicServiceBroker, type TopicServiceBrokerOptions } from '../src/broker/topic-service-broker.js';
import { TopicServiceClientError, TopicServiceConfigError } from '../src/errors.js';
import { createTopicService, startTopicService } from '../src/service/create.js';
import { useCleanups } from './helpers.js';

const cleanups = useCleanups();

function broker(url: string, errors: TopicServiceClientError[], options: Partial<TopicServiceBrokerOptions> = {}) {
  const b = topicServiceBroker({
    url,
    pollWaitMs: 300,
    backoffMinMs: 10,
    backoffMaxMs: 50,
    startTimeoutMs: 100,
    reportAfterMs: 300,
    requestTimeoutMs: 1000,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => b.close());
  return b;
}

/**
 * A TCP front that either forwards to `target` or kills every connection at once (what a dead
 * service looks like), counting the connections it killed.
 */
async function switchableFront(target: () => number) {
  const sockets = new Set<Socket>();
  const front = {
    up: false,
    killed: 0,
    port: 0,
    server: undefined as unknown as Server,
    /** Go down: reset the live connections too. */
    down() {
      front.up = false;
      for (const s of sockets) s.resetAndDestroy();
    },
  };
  front.server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (!front.up) {
      front.killed += 1;
      client.resetAndDestroy(); // a RST, like a refused connection (a bare close makes fetch wait for its timeout)
      return;
    }
    const up = createConnection({ host: '127.0.0.1', port: target() });
    up.on('error', () => client.destroy());
    client.pipe(up).pipe(client);
  });
  await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
  front.port = (front.server.address() as AddressInfo).port;
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    front.server.close();
  });
  return front;
}

describe('broker configuration', () => {
  it('refuses a blocked port and a non-http URL at construction with a coded error', () => {
    const refused = (url: string) => {
      try {
        topicServiceBroker({ url });
      } catch (error) {
        expect(error).toBeInstanceOf(TopicServiceConfigError);
        return (error as TopicServiceConfigError).code;
      }
      return 'accepted';
    };
    expect(refused('http://127.0.0.1:6666')).toBe('bad_port');
    expect(refused('http://10.0.0.1:6000/prefix')).toBe('bad_port');
    expect(refused('not a url')).toBe('bad_url');
    expect(refused('ftp://127.0.0.1:7070')).toBe('bad_url');
    expect(refused('http://127.0.0.1:7070')).toBe('accepted');
    expect(refused('http://service.internal')).toBe('accepted'); // port 80
  });

  it('startTopicService refuses a blocked port', async () => {
    await expect(startTopicService({ port: 6666 })).rejects.toMatchObject({ code: 'bad_port' });
  });
});

describe('persistent broker failures are reported once, visibly, and again only on a change', () => {
  it('a service that does not answer: one `unreachable` report after reportAfterMs, however many retries; recovery clears it; a new outage is reported again', async () => {
    const service = await startTopicService({ port: 0 });
    cleanups.push(() => service.close());
    const front = await switchableFront(() => service.port);
    const errors: TopicServiceClientError[] = [];
    const b = broker(`http://127.0.0.1:${front.port}`, errors);
    await b.start(new RecordingNode('n'));
    await waitFor(() => errors.length === 1, 10_000, 'the first report');
    expect(errors[0]!.code).toBe('unreachable');
    const status = await b.status();
    expect(status).toMatchObject({ connected: false, state: 'registering', error: { code: 'unreachable' } });
    // It keeps retrying (with backoff) without saying it again.
    const killed = front.killed;
    await waitFor(() => front.killed >= killed + 15, 10_000, 'fifteen more attempts');
    expect(errors).toHaveLength(1);

    front.up = true;
    await waitFor(async () => (await b.status()).connected, 10_000, 'connected once the service answers');
    expect((await b.status()).error).toBeUndefined();
    expect(errors).toHaveLength(1);

    front.down();
    await waitFor(() => errors.length === 2, 10_000, 'the new outage reported');
    expect((await b.status()).connected).toBe(false);
  });

  it('a token mismatch: one `unauthorized` report at once, shown in status, while the broker keeps retrying with backoff', async () => {
    const service = createTopicService({ token: 'right' });
    cleanups.push(() => service.close());
    let requests = 0;
    const app = express();
    app.use((_req, _res, next) => {
      requests += 1;
      next();
    });
    app.use(service.app);
    const server = app.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const errors: TopicServiceClientError[] = [];
    const b = broker(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, errors, { token: 'wrong' });
    await b.start(new RecordingNode('n'));
    await waitFor(() => requests >= 10, 10_000, 'ten attempts');
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
    expect(await b.status()).toMatchObject({ connected: false, state: 'registering', error: { code: 'unauthorized' } });
  });

  it('a wrong URL path (404 from something that is not the service): reported once as not_found', async () => {
    const service = await startTopicService({ port: 0 });
    cleanups.push(() => service.close());
    const errors: TopicServiceClientError[] = [];
    const b = broker(`${service.url}/wrong-prefix`, errors);
    await b.start(new RecordingNode('n'));
    await waitFor(() => errors.length >= 1, 10_000, 'a report');
    expect(errors.map((e) => e.code)).toEqual(['not_found']);
    expect((await b.status()).connected).toBe(false);
  });

  it("without onError the report goes to the node's reportError when the server provides one", async () => {
    const service = createTopicService({ token: 'right' });
    cleanups.push(() => service.close());
    const server = service.app.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const node = new RecordingNode('n');
    const b = broker(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, [], { token: 'wrong', onError: undefined });
    await b.start(node);
    await waitFor(() => node.errors.length === 1, 10_000, 'reported to the node');
    expect(node.errors[0]).toMatchObject({ code: 'unauthorized' });
  });
});

describe('the problem is visible where operators look', () => {
  it("a firetower node's /api/stats shows the broker DOWN with the problem (a token mismatch)", async () => {
    const { startNode } = await import('./cluster-harness.js');
    const service = await startTopicService({ port: 0, token: 'right' });
    cleanups.push(() => service.close());
    const errors: TopicServiceClientError[] = [];
    const node = await startNode(service.url, { token: 'wrong', startTimeoutMs: 100, onError: (e) => errors.push(e) }, { admin: { token: 'adm' } });
    cleanups.push(() => node.close());
    await waitFor(() => errors.length === 1, 10_000, 'the report');
    const base = node.wsUrl.replace('ws://', 'http://').replace(/\/ws$/, '');
    const res = await fetch(`${base}/firetower/api/stats`, { headers: { authorization: 'Bearer adm' } });
    const feed = (await res.json()) as { broker: { kind: string; connected: boolean; error?: { code: string } } };
    expect(feed.broker).toMatchObject({ kind: 'topic-service', connected: false, error: { code: 'unauthorized' } });
  });

  it("without the broker's own onError, a real node counts the problem once and hands it to the app's onError", async () => {
    const { startNode } = await import('./cluster-harness.js');
    const service = await startTopicService({ port: 0, token: 'right' });
    cleanups.push(() => service.close());
    const appErrors: Error[] = [];
    const node = await startNode(service.url, { token: 'wrong', startTimeoutMs: 100 }, { hooks: { onError: (e) => void appErrors.push(e) } });
    cleanups.push(() => node.close());
    await waitFor(() => appErrors.length === 1, 10_000, 'the report');
    expect(appErrors[0]).toMatchObject({ code: 'unauthorized' });
    expect(node.ft.stats().errorsTotal).toBe(1);
    expect(node.ft.recentIssues()).toContainEqual(expect.objectContaining({ kind: 'error', source: 'broker_failed' }));
  });
});
