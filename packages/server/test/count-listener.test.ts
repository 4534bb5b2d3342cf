import { describe, expect, it } from 'vitest';
import { createMemoryBus, memoryBroker, type TopicCount } from '@firetower/server';
import { waitFor } from '@firetower/server/testing';
import { useServers } from './helpers.js';

const { start, join } = useServers();

/** A listener that records every change it is given. */
function recorder(): { changes: TopicCount[]; listener: (change: TopicCount) => void; last(topic: string): number | undefined } {
  const changes: TopicCount[] = [];
  return {
    changes,
    listener: (change) => void changes.push(change),
    last: (topic) => changes.filter((c) => c.topic === topic).at(-1)?.count,
  };
}

describe('ft.onCountChange', () => {
  it('reports subscribes and unsubscribes of ws clients without any hook, until removed', async () => {
    const server = await start({ countDebounceMs: 10 });
    const kept = recorder();
    const removed = recorder();
    server.ft.onCountChange(kept.listener);
    const off = server.ft.onCountChange(removed.listener);
    const a = await join(server);
    const b = await join(server);
    await a.request({ type: 'subscribe', topic: '/l/room' });
    await b.request({ type: 'subscribe', topic: '/l/room' });
    await waitFor(() => kept.last('/l/room') === 2, 5000, 'count 2');
    expect(removed.last('/l/room')).toBe(2);

    const seenBeforeOff = removed.changes.length;
    off();
    off(); // idempotent
    await b.request({ type: 'unSubscribe', topic: '/l/room' });
    await waitFor(() => kept.last('/l/room') === 1, 5000, 'count 1');
    await a.close();
    await waitFor(() => kept.last('/l/room') === 0, 5000, 'count 0');
    expect(removed.changes).toHaveLength(seenBeforeOff);
    // Debounced and deduplicated: each report differs from the one before.
    const counts = kept.changes.map((c) => c.count);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).not.toBe(counts[i - 1]);
  });

  it('a listener added after subscribers exist still sees the topic fall to 0', async () => {
    const server = await start({ countDebounceMs: 10 });
    const a = await join(server);
    const b = await join(server);
    await a.request({ type: 'subscribe', topic: '/l/late' });
    await b.request({ type: 'subscribe', topic: '/l/late' });
    const late = recorder();
    server.ft.onCountChange(late.listener);
    // Both leave within one debounce window: the only report is 2 → 0.
    await Promise.all([a.close(), b.close()]);
    await waitFor(() => late.last('/l/late') === 0, 5000, 'count 0 for a topic never reported before');
  });

  it('contains a throwing listener like a throwing hook: reported, the others still called', async () => {
    const errors: Error[] = [];
    const server = await start({ countDebounceMs: 10, hooks: { onError: (error) => void errors.push(error) } });
    server.ft.onCountChange(() => {
      throw new Error('listener bug');
    });
    const other = recorder();
    server.ft.onCountChange(other.listener);
    const a = await join(server);
    await a.request({ type: 'subscribe', topic: '/l/throw' });
    await waitFor(() => other.last('/l/throw') === 1, 5000, 'other listener called');
    await waitFor(() => errors.length > 0, 5000, 'error reported');
    expect(errors[0]).toMatchObject({ code: 'hook_failed' });
    expect(errors[0]!.message).toContain('listener bug');
    // The node still works.
    await a.request({ type: 'unSubscribe', topic: '/l/throw' });
    await waitFor(() => other.last('/l/throw') === 0, 5000, 'count 0');
  });

  it('gets the same changes as the onCountChange hook', async () => {
    const hooked = recorder();
    const server = await start({ countDebounceMs: 10, hooks: { onCountChange: hooked.listener } });
    const listened = recorder();
    server.ft.onCountChange(listened.listener);
    const a = await join(server);
    await a.request({ type: 'subscribe', topic: '/l/both' });
    await waitFor(() => listened.last('/l/both') === 1, 5000, 'count 1');
    await a.close();
    await waitFor(() => listened.last('/l/both') === 0, 5000, 'count 0');
    expect(listened.changes).toEqual(hooked.changes);
  });

  it('sees cluster-wide counts: subscribers on another node of a shared memory bus', async () => {
    const bus = createMemoryBus();
    const nodeA = await start({ countDebounceMs: 10, broker: memoryBroker({ bus }) });
    const nodeB = await start({ countDebounceMs: 10, broker: memoryBroker({ bus }) });
    const onA = recorder();
    nodeA.ft.onCountChange(onA.listener);
    const remote = await join(nodeB);
    await remote.request({ type: 'subscribe', topic: '/l/cluster' });
    await waitFor(() => onA.last('/l/cluster') === 1, 5000, 'A sees the subscriber on B');
    const local = await join(nodeA);
    await local.request({ type: 'subscribe', topic: '/l/cluster' });
    await waitFor(() => onA.last('/l/cluster') === 2, 5000, 'A sees 2');
    await remote.close();
    await waitFor(() => onA.last('/l/cluster') === 1, 5000, 'A sees B’s subscriber leave');
    await nodeB.close();
    await local.close();
    await waitFor(() => onA.last('/l/cluster') === 0, 5000, 'A sees 0');
  });

  it('returns a no-op removal after close, and calls nobody', async () => {
    const server = await start({ countDebounceMs: 10 });
    await server.close();
    const after = recorder();
    const off = server.ft.onCountChange(after.listener);
    expect(() => off()).not.toThrow();
    expect(after.changes).toEqual([]);
  });
});
