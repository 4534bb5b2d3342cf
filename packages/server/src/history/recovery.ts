/**
 * What a subscribe's history read means for the subscriber: which publications to replay and the
 * stream state its ack reports. Pure functions over one or two broker reads, so every broker gets
 * the same answers (the contract suite checks them through each).
 */
import { RecoveryFailure, type SinceRequest, type StreamState } from '@firetower/protocol';
import type { HistoryPolicy, HistoryQuery, HistoryRead, HistoryRecord } from '../broker/types.js';

export interface ReplayPlan {
  /** For the ack's `streams`: the position just before `publications`. */
  state: StreamState;
  /** To send after the ack, oldest first. */
  publications: HistoryRecord[];
}

/** The first read for a subscribe: a recovery reads after its position; a catch-up the newest `limit`; else the position only. */
export function firstQuery(since: SinceRequest | undefined, policy: HistoryPolicy): HistoryQuery {
  if (since === undefined) return { limit: 0, policy };
  if ('limit' in since) return { limit: Math.min(since.limit, policy.size), policy };
  return { after: since.offset, limit: policy.size, policy };
}

/** Does the client's position belong to the stream read? An empty stream's position ('' at 0) precedes any epoch. */
export function sameStream(position: { offset: number; epoch: string }, read: HistoryRead): boolean {
  return position.epoch === read.epoch || (position.epoch === '' && position.offset === 0 && read.epoch !== '');
}

/** The state before a replay of `publications` from `read`. */
function before(read: HistoryRead, publications: readonly HistoryRecord[]): StreamState {
  const first = publications[0];
  return { offset: first === undefined ? read.offset : first.offset - 1, epoch: read.epoch };
}

/**
 * Plans the replay. `reread` runs a second read of the whole kept stream, needed only when a
 * recovery finds another epoch than its own (its offsets mean nothing there).
 */
export async function planReplay(
  since: SinceRequest | undefined,
  read: HistoryRead,
  policy: HistoryPolicy,
  reread: (query: HistoryQuery) => Promise<HistoryRead>,
): Promise<ReplayPlan> {
  if (since === undefined || 'limit' in since) return { state: before(read, read.publications), publications: read.publications };
  if (!sameStream(since, read)) {
    // The stream restarted: replay what the new epoch holds, flagged so the app can refetch.
    const all = read.epoch === '' ? read : await reread({ limit: policy.size, policy });
    return { state: { ...before(all, all.publications), recovered: false, reason: RecoveryFailure.EpochChanged }, publications: all.publications };
  }
  if (since.offset > read.offset) {
    return { state: { offset: read.offset, epoch: read.epoch, recovered: false, reason: RecoveryFailure.BadPosition }, publications: [] };
  }
  const missed = read.offset - since.offset;
  const { publications } = read;
  if (missed === 0 || (publications.length === missed && publications[0]!.offset === since.offset + 1)) {
    return { state: { offset: since.offset, epoch: read.epoch, recovered: true }, publications };
  }
  const reason = missed > policy.size ? RecoveryFailure.TooMany : RecoveryFailure.TooOld;
  return { state: { ...before(read, publications), recovered: false, reason }, publications };
}
