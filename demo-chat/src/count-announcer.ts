/**
 * Tells every member of a room how many people are in it, cluster-wide (the original's
 * GetConnectNum, pushed). Each node announces to its own members only:
 *
 * - a local subscribe or unsubscribe marks the room (so a newcomer always gets the count, even
 *   when the number did not change in the end);
 * - `onCountChange` marks it when members came or went on other nodes;
 * - one loop per node reads the counts of the marked rooms and sends each to its local members.
 *
 * Publishing the count cluster-wide instead would make every node announce every change, and two
 * nodes' announcements could arrive in the wrong order; here reads on one node never overlap, so
 * the last announcement a member gets is the latest count.
 */
import debugModule from 'debug';
import type { FiretowerApi } from '@firetower/server';
import { roomOf } from './rules.js';
import type { CountMessage } from './rules.js';

const debug = debugModule('firetower:demo-chat');

type AnnouncerState = 'idle' | 'announcing' | 'stopped';

export class CountAnnouncer {
  private state: AnnouncerState = 'idle';
  private readonly dirty = new Set<string>();

  constructor(private readonly api: () => FiretowerApi) {}

  /** Rooms whose count may have changed. Non-room topics are ignored. */
  mark(topics: Iterable<string>): void {
    if (this.state === 'stopped') return;
    for (const topic of topics) if (roomOf(topic) !== undefined) this.dirty.add(topic);
    if (this.state === 'idle' && this.dirty.size > 0) void this.announce();
  }

  stop(): void {
    this.state = 'stopped';
    this.dirty.clear();
  }

  private async announce(): Promise<void> {
    this.state = 'announcing';
    while (this.dirty.size > 0 && this.state === 'announcing') {
      const topics = [...this.dirty];
      this.dirty.clear();
      const api = this.api();
      await Promise.all(
        topics.map(async (topic) => {
          try {
            const update: CountMessage = { type: 'count', count: await api.count(topic) };
            if (this.state !== 'announcing') return;
            // The demo's rooms are small; a node with many connections would keep a room index.
            for (const tower of api.towers()) if (tower.topics.has(topic)) tower.send(topic, update);
          } catch (error) {
            debug('count of %s not announced: %O', topic, error);
          }
        }),
      );
    }
    if (this.state === 'announcing') this.state = 'idle';
  }
}
