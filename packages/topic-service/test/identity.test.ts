import { afterEach, describe, expect, it } from 'vitest';
import { topicServiceBroker } from '../src/broker/topic-service-broker.js';
import { startTopicService } from '../src/service/create.js';
import { api, waitFor } from './helpers.js';
import { RecordingNode } from './recording-node.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

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
    await waitFor(() => count() === 3 && service.core.nodeInfos()[0]?.epoch !== 'forged', 5000, 'the victim back with its counts');
    expect(service.core.nodeInfos().map((n) => n.nodeId)).toEqual(['victim']);
  });
});
