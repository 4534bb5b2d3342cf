/**
 * Which topics show who is there (`FiretowerOptions.presence`), resolved once into a lookup. No
 * option, no lookup: subscribes of a node without presence pay nothing.
 */
import { ruleLookup, type TopicPattern } from '../topic-match.js';

export interface PresenceRule {
  /** The topics it covers (see `history`'s `match`). */
  match: TopicPattern;
  /**
   * Above this many members the topic gives counts only: `ft.presence` and the client's
   * `presence()` answer `truncated: true` with no list, and join/leave events stop, so a
   * 100,000-subscriber topic never builds a huge list. @default 1000
   */
  maxMembers?: number;
}

export interface PresencePolicy {
  readonly maxMembers: number;
}

export type PresenceOption = readonly PresenceRule[];
export type PresenceLookup = (topic: string) => PresencePolicy | undefined;

export const DEFAULT_MAX_MEMBERS = 1000;
const MAX_MAX_MEMBERS = 100_000;

function toPolicy(rule: PresenceRule): PresencePolicy {
  const maxMembers = rule.maxMembers ?? DEFAULT_MAX_MEMBERS;
  if (!Number.isInteger(maxMembers) || maxMembers < 1 || maxMembers > MAX_MAX_MEMBERS) {
    throw new TypeError(`firetower: option presence maxMembers must be an integer from 1 to ${MAX_MAX_MEMBERS}`);
  }
  return Object.freeze({ maxMembers });
}

export function resolvePresence(option: PresenceOption | undefined): PresenceLookup | undefined {
  if (option === undefined) return undefined;
  if (!Array.isArray(option)) throw new TypeError('firetower: option presence must be an array of rules');
  if (option.length === 0) return undefined;
  return ruleLookup(option, 'presence', toPolicy);
}
