/** A broker's coded lifecycle errors reach the HTTP push API as 503 broker_unavailable, not 500 internal. */
import { expect, test } from 'vitest';
import { BrokerLifecycleError, memoryBroker, type Broker } from '@firetower/server';
import { useServers } from './helpers.js';

const servers = useServers();

/** A memory broker whose publish reports it is closed (what a closing node's broker answers). */
function closingBroker(): Broker {
  const inner = memoryBroker();
  return {
    kind: 'closing-memory',
    start: (node) => inner.start(node),
    updateLocalCounts: (changes) => inner.updateLocalCounts(changes),
    publish: () => Promise.reject(new BrokerLifecycleError('broker_closed', 'publish: the broker is closed')),
    control: () => Promise.reject(new BrokerLifecycleError('broker_not_started', 'control: the broker is not started')),
    count: (topic) => inner.count(topic),
    topics: () => inner.topics(),
    status: () => inner.status(),
    close: () => inner.close(),
  };
}

test('broker_closed and broker_not_started answer 503 broker_unavailable with Retry-After', async () => {
  const server = await servers.start({ admin: { token: 't' }, broker: closingBroker(), hooks: { onError: () => {} } });
  const headers = { Authorization: 'Bearer t', 'Content-Type': 'application/json' };
  const publish = await fetch(`${server.url}/firetower/api/publish`, { method: 'POST', headers, body: JSON.stringify({ topic: '/t', data: 1 }) });
  expect(publish.status).toBe(503);
  expect(publish.headers.get('retry-after')).toBe('1');
  expect(await publish.json()).toMatchObject({ error: { code: 'broker_unavailable' } });
  const kick = await fetch(`${server.url}/firetower/api/users/u1/kick`, { method: 'POST', headers, body: '{}' });
  expect(kick.status).toBe(503);
  expect(await kick.json()).toMatchObject({ error: { code: 'broker_unavailable' } });
});
