import { MAX_SINCE_LIMIT } from '@firetower/protocol';

export interface SubscribeOptions {
  /**
   * Start with history, on topics that keep it: `'last'` replays the newest message (a retained
   * value, e.g. a status), `{ limit: n }` the newest `n` (1 to 10,000), oldest first, before live
   * ones. Applies to the topics this handle is the first of the client to hold (the server is asked
   * on their first subscribe); on a topic already held it changes nothing.
   * @default live messages only
   */
  since?: 'last' | { limit: number };
  /**
   * Hear who comes and goes on these topics (topics the server gives presence): the handle emits
   * `join` and `leave` with the member. `subscription.presence()` works without it.
   * @default false
   */
  presence?: boolean;
}

export const wantsPresence = (options: SubscribeOptions | undefined): boolean => (Object(options) as SubscribeOptions).presence === true;

/** The catch-up a subscribe asks for: a limit, none, or why the option is wrong (failing the handle like a bad topic). */
export function catchUpLimit(options: SubscribeOptions | undefined): number | string | undefined {
  const since = (Object(options) as SubscribeOptions).since as unknown;
  if (since === undefined) return undefined;
  if (since === 'last') return 1;
  const limit = (Object(since) as { limit?: unknown }).limit;
  return Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_SINCE_LIMIT
    ? (limit as number)
    : `since must be 'last' or { limit } with an integer limit from 1 to ${MAX_SINCE_LIMIT}`;
}
