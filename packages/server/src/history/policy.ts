/**
 * Which topics keep history, and how much: `FiretowerOptions.history` resolved once into a lookup
 * the node asks per publish and per subscribe. Without the option there is no lookup at all, so a
 * node without history pays nothing on the hot path.
 */
import type { HistoryPolicy } from '../broker/types.js';
import { ruleLookup, type TopicPattern } from '../topic-match.js';

/** One rule of `FiretowerOptions.history`. */
export interface HistoryRule {
  /**
   * The topics it covers: an exact topic, a pattern where `*` stands for any characters but `/`
   * (`'/chat/*'` covers `/chat/lobby` but not `/chat/a/b`), or a RegExp.
   */
  match: TopicPattern;
  /** Publications kept per topic (the newest), 1 to 10,000. */
  size: number;
  /** A publication older than this is dropped. @default 300000 (5 minutes) */
  ttlMs?: number;
  /**
   * How long a topic's position (offset and epoch) outlives its last publish; after it the next
   * publish starts a new epoch, and a subscriber recovering from the old one gets
   * `recovered: false` (`epoch_changed`). @default 86400000 (24 hours)
   */
  metaTtlMs?: number;
}

/** `FiretowerOptions.history`: rules (the first match wins) or a function of the topic. */
export type HistoryOption = readonly HistoryRule[] | ((topic: string) => HistoryRule | Omit<HistoryRule, 'match'> | undefined);

/** The topic's policy, or undefined when it keeps no history. */
export type HistoryLookup = (topic: string) => HistoryPolicy | undefined;

export const MAX_HISTORY_SIZE = 10_000;
export const DEFAULT_HISTORY_TTL_MS = 5 * 60_000;
export const DEFAULT_HISTORY_META_TTL_MS = 24 * 60 * 60_000;
const MAX_TTL_MS = 7 * 24 * 60 * 60_000;

function milliseconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || value > MAX_TTL_MS)
    throw new TypeError(`firetower: option history ${name} must be a number of ms from 1 to ${MAX_TTL_MS}`);
  return Math.ceil(value);
}

/** Validates a rule's numbers into a frozen policy (throws a TypeError naming the option). */
export function toPolicy(rule: Omit<HistoryRule, 'match'>): HistoryPolicy {
  const { size } = rule;
  if (!Number.isInteger(size) || size < 1 || size > MAX_HISTORY_SIZE)
    throw new TypeError(`firetower: option history size must be an integer from 1 to ${MAX_HISTORY_SIZE}`);
  const ttlMs = milliseconds(rule.ttlMs, DEFAULT_HISTORY_TTL_MS, 'ttlMs');
  const metaTtlMs = Math.max(ttlMs, milliseconds(rule.metaTtlMs, DEFAULT_HISTORY_META_TTL_MS, 'metaTtlMs'));
  return Object.freeze({ size, ttlMs, metaTtlMs });
}

/** Resolves the option once (rules validated at start-up, so a typo fails fast). */
export function resolveHistory(option: HistoryOption | undefined): HistoryLookup | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'function') {
    // The app's function may be called often; its answer is validated each time, so a bad one
    // surfaces as an error on that publish rather than a corrupt stream.
    return (topic) => {
      const rule = option(topic);
      return rule === undefined ? undefined : toPolicy(rule);
    };
  }
  if (!Array.isArray(option)) throw new TypeError('firetower: option history must be an array of rules or a function');
  if (option.length === 0) return undefined;
  return ruleLookup(option as readonly HistoryRule[], 'history', toPolicy);
}
