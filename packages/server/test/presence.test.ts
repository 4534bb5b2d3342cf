import { describe, expect, it, vi } from 'vitest';
import { FiretowerNode } from '../src/core/node.js';
import { PresenceEvents } from '../src/presence/events.js';
import { memoryBroker } from '../src/index.js';
import { waitFor } from '../src/testing.js';
import { useServers } from './helpers.js';

const { start, join } = useServers();

const presenceServer = () =>
  start({
    presence: [{ match: '/room/*' }],
    hooks: {
      authenticate: ({ query }) => ({
        userId: query.get('user') ?? undefined,
        presence: query.get('big') ? { blob: 'x'.repeat(2000) } : query.has('name') ? { name: query.get('name') } : undefined,
      }),
    },
  });

describe('presence on one node', () => {
  it('a reload within the debounce is neither a leave nor a join', async () => {
    const server = await presenceServer();
    const watcher = await join(server, { user: 'w' });
    await watcher.request({ type: 'subscribe', topic: ['/room/a'], presence: true });
    const tab = await join(server, { user: 'ada', name: 'Ada' });
    await tab.request({ type: 'subscribe', topic: ['/room/a'] });
    await watcher.next((frame) => frame.type === 'join' && frame.member.id === 'ada');
    await tab.close();
    const again = await join(server, { user: 'ada', name: 'Ada' });
    await again.request({ type: 'subscribe', topic: ['/room/a'] });
    // A marker: a third member's join arrives after anything the reload could have caused.
    const other = await join(server, { user: 'bob' });
    await other.request({ type: 'subscribe', topic: ['/room/a'] });
    await watcher.next((frame) => frame.type === 'join' && frame.member.id === 'bob');
    await waitFor(() => server.ft.presence('/room/a').then((list) => list.total === 3), 5_000, 'three members');
    expect(watcher.received.filter((frame) => frame.type === 'leave')).toHaveLength(0);
    expect(watcher.received.filter((frame) => frame.type === 'join' && frame.member.id === 'ada')).toHaveLength(1);
  });

  it('answers presence queries only to subscribers of presence topics, with clear errors', async () => {
    const server = await presenceServer();
    const client = await join(server, { user: 'u1', name: 'One' });
    expect(await client.request({ type: 'presence', topic: '/room/a' })).toMatchObject({ type: 'error', code: 'refused' });
    await client.request({ type: 'subscribe', topic: ['/room/a', '/plain'] });
    expect(await client.request({ type: 'presence', topic: '/plain' })).toMatchObject({ type: 'error', code: 'no_presence' });
    expect(await client.request({ type: 'presence', topic: 'bad topic' })).toMatchObject({ type: 'error', code: 'invalid_topic' });
    expect(await client.request({ type: 'subscribe', topic: ['/room/b'], presence: 'yes' })).toMatchObject({ type: 'error', code: 'invalid_field' });
    const ack = await client.request({ type: 'presence', topic: '/room/a' });
    expect(ack.presence).toEqual({ members: [{ id: 'u1', info: { name: 'One' }, connections: 1 }], total: 1, truncated: false });
  });

  it('shows an over-large presence as null and reports it; members return to zero', async () => {
    const server = await presenceServer();
    const big = await join(server, { user: 'big', big: '1' });
    await big.request({ type: 'subscribe', topic: ['/room/a'], presence: true });
    const list = await server.ft.presence('/room/a');
    expect(list.members).toEqual([{ id: 'big', info: null, connections: 1 }]);
    expect(server.ft.recentIssues().some((issue) => issue.message.includes('over 1024 bytes'))).toBe(true);
    const more = await Promise.all([1, 2, 3].map(() => join(server)));
    for (const client of more) await client.request({ type: 'subscribe', topic: ['/room/a'], presence: true });
    await Promise.all([big, ...more].map((client) => client.close()));
    await waitFor(() => server.ft.presence('/room/a').then((l) => l.total === 0), 5_000, 'no member');
  });

  it('refuses the presence option with a broker that has no presence', () => {
    const broker = memoryBroker();
    Object.assign(broker, { updatePresence: undefined });
    expect(() => new FiretowerNode({ broker, presence: [{ match: '/room/*' }] })).toThrow(expect.objectContaining({ code: 'no_presence' }) as Error);
  });
});

describe('presence events debounce', () => {
  it('a leave followed by a join within the debounce emits nothing, ever; a real leave emits after it', () => {
    vi.useFakeTimers();
    try {
      const emitted: string[] = [];
      const events = new PresenceEvents(
        (kind, _topic, memberId) => void emitted.push(`${kind} ${memberId}`),
        () => 1000,
        1000,
      );
      const member = { memberId: 'ada', info: 'null' };
      events.apply({ topic: '/room/a', joined: [], left: [member], members: 0 });
      vi.advanceTimersByTime(500);
      events.apply({ topic: '/room/a', joined: [member], left: [], members: 1 });
      vi.advanceTimersByTime(5_000);
      expect(emitted).toEqual([]);
      expect(events.pending).toBe(0);
      events.apply({ topic: '/room/a', joined: [], left: [member], members: 0 });
      vi.advanceTimersByTime(999);
      expect(emitted).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(emitted).toEqual(['leave ada']);
      expect(events.pending).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
