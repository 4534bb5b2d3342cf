import { describe, expect, it } from 'vitest';
import { RecordingNode, waitFor } from '@firetower/server/testing';
import { topicServiceBroker } from '../src/broker/topic-service-broker.js';
import { startTopicService } from '../src/service/create.js';
import { api, useCleanups } from './helpers.js';

const cleanups = useCleanups();

describe('node identity', () => {
  it('a caller with the token cannot act as a node; taking its id over is noticed and the broker re-sends its full counts', async () => {
    const service = await startTopicService({ port: 0, token: 'shared' });
    cleanups.push(() => service.close());
    const broker = topicServiceBroker({ url: service.url, token: 'shared', pollWaitMs: 500, backoffMinMs: 20, backoffMaxMs: 200 });
    cleanups.push(() => broker.close());
    const node = new RecordingNode('victim');
    node.counts.set('/t', 3);
    await broker.start(node);
    const count = () => service.core.count('/t').count;
    await waitFor(() => count() === 3, 5000, 'the real counts');
    const victimOrigin = service.core.nodeInfos()[0]!.origin;

    // Without the victim's session the forger can neither rewrite its counts nor publish as it.
    const forger = api(service.url, 'shared');
    const rewrite = await forger('POST', '/v1/nodes/victim/counts', { full: true, changes: [] }, { headers: { 'x-firetower-session': 'guessed' } });
    expect(rewrite.status).toBe(409);
    expect(count()).toBe(3);

    // It can register the id anew (it holds the token): that cuts the victim off, its counts go...
    const taken = await forger('POST', '/v1/nodes/register', { nodeId: 'victim', epoch: 'forged' });
    expect(taken.status).toBe(200);
    expect(count()).toBe(0);
    // ...but not silently: the victim is told (its poll is superseded, then unknown_node), registers
    // again and re-sends its full counts.
    await waitFor(() => count() === 3 && service.core.nodeInfos()[0]?.origin === victimOrigin, 5000, 'the victim back with its counts');
    expect(service.core.nodeInfos().map((n) => n.nodeId)).toEqual(['victim']);
  });

  it("a node's epoch is never shown, so its sequences cannot be poisoned: a forger's huge seq under the victim's id does not silence the victim", async () => {
    const service = await startTopicService({ port: 0, token: 'shared' });
    cleanups.push(() => service.close());
    const call = api(service.url, 'shared');
    // The victim (registered through the API so the test knows its epoch) and a receiver.
    await call('POST', '/v1/nodes/register', { nodeId: 'victim', epoch: 'secret-epoch-4f1c' });
    await call('POST', '/v1/nodes/register', { nodeId: 'rx', epoch: 'e' });
    await call('POST', '/v1/nodes/rx/counts', { changes: [{ topic: 't', count: 1 }] });
    await call('POST', '/v1/nodes/victim/publish', { seq: 1, messages: [{ topic: 't', data: '1' }] });
    // Nothing a token holder can read shows the epoch: the node list, a relayed entry.
    const listed = JSON.stringify((await call('GET', '/v1/nodes')).body);
    const relayed = JSON.stringify((await call('GET', '/v1/nodes/rx/poll?wait=0')).body);
    expect(listed).not.toContain('secret-epoch-4f1c');
    expect(relayed).not.toContain('secret-epoch-4f1c');
    // A forger takes the id over with an epoch of its own and publishes the largest sequence.
    const forger = api(service.url, 'shared');
    await forger('POST', '/v1/nodes/register', { nodeId: 'victim', epoch: 'guess' });
    await forger('POST', '/v1/nodes/victim/publish', { seq: Number.MAX_SAFE_INTEGER, messages: [{ topic: 't', data: 'forged' }] });
    // The victim comes back (same process, same epoch) and goes on with its own sequence.
    await call('POST', '/v1/nodes/register', { nodeId: 'victim', epoch: 'secret-epoch-4f1c' });
    const pub = await call('POST', '/v1/nodes/victim/publish', { seq: 2, messages: [{ topic: 't', data: '2' }] });
    expect(pub.body).toMatchObject({ deliveries: 1, duplicates: 0 });
    const items = (await call('GET', '/v1/nodes/rx/poll?wait=0&ack=1')).body.items as Array<{ data: string; origin: string }>;
    expect(items.map((i) => i.data)).toEqual(['forged', '2']);
    // The forged entry carries another origin than the victim's: receivers keep them apart.
    expect(items[0]!.origin).not.toBe(items[1]!.origin);
  });
});
