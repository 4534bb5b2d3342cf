/**
 * Join and leave events for this node's subscribers who asked for them. Leaves wait
 * `debounceMs`: a member who comes back within it (a tab's reload, a reconnect to another node)
 * produces neither event. The broker's changes are cluster-wide transitions already, so a member
 * still connected elsewhere never leaves.
 */
import type { PresenceChange } from '../broker/types.js';
import { memberKey } from './local.js';

export const PRESENCE_LEAVE_DEBOUNCE_MS = 1_000;

export type PresenceEventKind = 'join' | 'leave';

/** `{"type":"join"|"leave","topic":…,"member":{"id":…,"info":…}}`; `info` is JSON text already. */
export function encodePresenceEvent(kind: PresenceEventKind, topic: string, memberId: string, info: string): string {
  return `{"type":"${kind}","topic":${JSON.stringify(topic)},"member":{"id":${JSON.stringify(memberId)},"info":${info}}}`;
}

export class PresenceEvents {
  /** Leaves waiting out the debounce, by topic and member. */
  private readonly pendingLeaves = new Map<string, { timer: NodeJS.Timeout; topic: string; memberId: string; info: string }>();

  constructor(
    /** Writes an event to the topic's local subscribers that asked for events. */
    private readonly emit: (kind: PresenceEventKind, topic: string, memberId: string, info: string) => void,
    /** The topic's member limit: above it there are no events. */
    private readonly maxMembers: (topic: string) => number | undefined,
    private readonly debounceMs = PRESENCE_LEAVE_DEBOUNCE_MS,
  ) {}

  /** Timers waiting (0 once every pending leave fired or was cancelled). */
  get pending(): number {
    return this.pendingLeaves.size;
  }

  apply(change: PresenceChange): void {
    const max = this.maxMembers(change.topic);
    if (max === undefined || change.members > max) return;
    for (const { memberId, info } of change.joined) {
      const key = memberKey(change.topic, memberId);
      const leaving = this.pendingLeaves.get(key);
      if (leaving !== undefined) {
        // Back within the debounce: the leave never happened.
        clearTimeout(leaving.timer);
        this.pendingLeaves.delete(key);
        continue;
      }
      this.emit('join', change.topic, memberId, info);
    }
    for (const { memberId, info } of change.left) {
      const key = memberKey(change.topic, memberId);
      if (this.pendingLeaves.has(key)) continue;
      const timer = setTimeout(() => {
        this.pendingLeaves.delete(key);
        this.emit('leave', change.topic, memberId, info);
      }, this.debounceMs);
      timer.unref();
      this.pendingLeaves.set(key, { timer, topic: change.topic, memberId, info });
    }
  }

  close(): void {
    for (const { timer } of this.pendingLeaves.values()) clearTimeout(timer);
    this.pendingLeaves.clear();
  }
}
