import { expect, it } from 'vitest';
import type { PresenceRule } from '../presence/policy.js';
import type { StartedServer } from './server.js';
import type { TestClient, TestFrame } from './client.js';
import { waitFor } from './client.js';

/** The presence rules every contract node runs with (`/pres/*`, and `/pres-small/*` with 2 members at most). */
export const CONTRACT_PRESENCE: readonly PresenceRule[] = [{ match: '/pres/*' }, { match: '/pres-small/*', maxMembers: 2 }];

/** What the presence tests need of the contract's per-test cluster. */
export interface PresenceContext {
  size: number;
  timeoutMs: number;
  nodes(): Array<{ server: StartedServer }>;
  join(node: { server: StartedServer }, query?: Record<string, string>): Promise<TestClient>;
}

const isMemberEvent = (frame: TestFrame, type: string, id?: string): boolean =>
  frame.type === type && (id === undefined || (frame.member as { id: string }).id === id);

const memberIds = (frame: TestFrame): string[] => (frame.presence as { members: Array<{ id: string }> }).members.map((member) => member.id).sort();

/**
 * Presence through every node: a user with tabs on several nodes is one member (join on the first
 * connection anywhere, leave after the last), `ft.presence` agrees on every node, info comes from
 * `authenticate`, a topic over `maxMembers` gives counts only, and everything returns to zero.
 */
export function describePresenceTests(context: PresenceContext): void {
  const { size, timeoutMs } = context;
  const skipWithoutPresence = (): boolean => context.nodes()[0]!.server.ft.broker.updatePresence === undefined;

  it('presence: a user on several nodes is one member; join once, leave after the last connection, seen on every node', async ({ skip }) => {
    if (skipWithoutPresence()) return skip();
    const nodes = context.nodes();
    const topic = '/pres/room';
    const watcher = await context.join(nodes[size - 1]!, { user: 'watcher', name: 'Watcher' });
    expect(await watcher.request({ type: 'subscribe', topic: [topic], presence: true }, timeoutMs)).toMatchObject({ type: 'ack' });
    const tabs: TestClient[] = [];
    for (const node of nodes) {
      const tab = await context.join(node, { user: 'ada', name: 'Ada' });
      expect(await tab.request({ type: 'subscribe', topic: [topic] }, timeoutMs)).toMatchObject({ type: 'ack' });
      tabs.push(tab);
    }
    expect(await watcher.next((frame) => isMemberEvent(frame, 'join', 'ada'), timeoutMs)).toEqual({
      type: 'join',
      topic,
      member: { id: 'ada', info: { name: 'Ada' } },
    });
    for (const node of nodes) {
      await waitFor(
        async () => {
          const list = await node.server.ft.presence(topic);
          return list.total === 2 && list.members.find((member) => member.id === 'ada')?.connections === size;
        },
        timeoutMs,
        `ada with ${size} connections on every node`,
      );
    }
    const asked = await watcher.request({ type: 'presence', topic }, timeoutMs);
    expect(memberIds(asked)).toEqual(['ada', 'watcher']);
    // Closing all but one tab is no leave: the user is still there.
    for (const tab of tabs.slice(1)) await tab.close();
    await tabs[0]!.close();
    expect(await watcher.next((frame) => frame.type === 'leave', timeoutMs)).toMatchObject({ topic, member: { id: 'ada' } });
    expect(watcher.received.filter((frame) => isMemberEvent(frame, 'join', 'ada'))).toHaveLength(1);
    expect(watcher.received.filter((frame) => frame.type === 'leave')).toHaveLength(1);
    await waitFor(async () => (await nodes[0]!.server.ft.presence(topic)).total === 1, timeoutMs, 'only the watcher left');
  });

  it('presence: over maxMembers a topic gives counts only; anonymous connections are members of their own; all returns to zero', async ({ skip }) => {
    if (skipWithoutPresence()) return skip();
    const nodes = context.nodes();
    const topic = '/pres-small/room';
    const clients: TestClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await context.join(nodes[i % size]!, i === 0 ? {} : { user: `u${i}` });
      await client.request({ type: 'subscribe', topic: [topic] }, timeoutMs);
      clients.push(client);
    }
    await waitFor(async () => (await nodes[0]!.server.ft.presence(topic)).total === 3, timeoutMs, 'three members');
    expect(await nodes[size - 1]!.server.ft.presence(topic)).toEqual({ members: [], total: 3, truncated: true });
    await clients[2]!.close();
    await waitFor(async () => (await nodes[0]!.server.ft.presence(topic)).total === 2, timeoutMs, 'two members');
    const list = await nodes[0]!.server.ft.presence(topic);
    expect(list.truncated).toBe(false);
    expect(list.members.map((member) => member.id).filter((id) => id.startsWith('client:'))).toHaveLength(1);
    await Promise.all(clients.slice(0, 2).map((client) => client.close()));
    for (const node of nodes) await waitFor(async () => (await node.server.ft.presence(topic)).total === 0, timeoutMs, 'no member left');
    await expect(nodes[0]!.server.ft.presence('/not-presence')).rejects.toMatchObject({ code: 'no_presence' });
  });
}
