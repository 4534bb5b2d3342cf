/**
 * A node's presence: feeds its members to the broker as connections subscribe and leave, writes
 * the broker's join/leave transitions to the local subscribers that asked for them, and answers
 * "who is here" from the broker's cluster-wide view.
 */
import type { PresenceList } from '@firetower/protocol';
import type { Broker } from '../broker/types.js';
import { FiretowerServerError, toError } from '../errors.js';
import { encodePresenceEvent, PresenceEvents } from './events.js';
import { LocalPresence } from './local.js';
import type { PresenceLookup } from './policy.js';

/** What presence needs of a connection. */
export interface PresenceMemberTower {
  readonly memberId: string;
  readonly presenceInfo: string;
  presenceEvents: Set<string> | undefined;
  writeText(text: string): boolean;
}

export interface PresenceHost<T extends PresenceMemberTower> {
  lookup: PresenceLookup;
  broker: Broker;
  subscribersOf(topic: string): T[];
  reportError(error: unknown): void;
}

/** What a member shows is JSON of at most this many bytes. */
export const MAX_PRESENCE_INFO_BYTES = 1024;

export class NodePresence<T extends PresenceMemberTower> {
  readonly local: LocalPresence;
  readonly events: PresenceEvents;

  constructor(private readonly host: PresenceHost<T>) {
    this.local = new LocalPresence((updates) => {
      try {
        host.broker.updatePresence!(updates);
      } catch (error) {
        host.reportError(error);
      }
    });
    this.events = new PresenceEvents(
      (kind, topic, memberId, info) => {
        const frame = encodePresenceEvent(kind, topic, memberId, info);
        for (const tower of host.subscribersOf(topic)) if (tower.presenceEvents?.has(topic) === true) tower.writeText(frame);
      },
      (topic) => host.lookup(topic)?.maxMembers,
    );
  }

  /** The hub's membership listener: presence topics a connection gained or lost. */
  readonly membershipChanged = (tower: T, topics: readonly string[], joined: boolean): void => {
    for (const topic of topics) {
      if (this.host.lookup(topic) === undefined) continue;
      if (joined) {
        this.local.join(topic, tower.memberId, tower.presenceInfo);
      } else {
        this.local.leave(topic, tower.memberId);
        tower.presenceEvents?.delete(topic);
      }
    }
  };

  /** Ask for join/leave events of the frame's topics that have presence. */
  wantEvents(tower: T, topics: readonly string[]): void {
    for (const topic of topics) if (this.host.lookup(topic) !== undefined) (tower.presenceEvents ??= new Set()).add(topic);
  }

  /** `authenticate`'s `presence` as JSON text: bounded, and `null` (reported) when it cannot be. */
  infoOf(presence: unknown, clientId: string): string {
    if (presence === undefined) return 'null';
    let json: string | undefined;
    try {
      json = JSON.stringify(presence);
    } catch (error) {
      this.host.reportError(new FiretowerServerError('hook_failed', `authenticate's presence for ${clientId} is not JSON: ${toError(error).message}`));
      return 'null';
    }
    if (json === undefined) return 'null';
    if (Buffer.byteLength(json) > MAX_PRESENCE_INFO_BYTES) {
      this.host.reportError(
        new FiretowerServerError('hook_failed', `authenticate's presence for ${clientId} is over ${MAX_PRESENCE_INFO_BYTES} bytes; shown as null`),
      );
      return 'null';
    }
    return json;
  }

  /** The topic's members, cluster-wide; only a count above its `maxMembers`. */
  async list(topic: string): Promise<PresenceList> {
    const policy = this.host.lookup(topic);
    if (policy === undefined) throw new FiretowerServerError('no_presence', `topic ${JSON.stringify(topic)} has no presence`);
    const { members, total } = await this.host.broker.presence!(topic, policy.maxMembers);
    if (total > policy.maxMembers) return { members: [], total, truncated: true };
    return {
      members: members.map(({ memberId, info, connections }) => ({ id: memberId, info: JSON.parse(info) as unknown, connections })),
      total,
      truncated: false,
    };
  }
}
