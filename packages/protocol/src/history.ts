/**
 * History and recovery on the wire (see the protocol README's "History" section).
 *
 * A topic with history numbers its publications: `offset` grows by one per publish on the topic,
 * cluster-wide, and `epoch` names the stream those offsets belong to. The epoch changes whenever
 * the store lost its memory of the topic (a memory store's process restarted, a flushed Redis, a
 * stream that expired): offsets of one epoch mean nothing in another.
 */

/** Where a subscriber is in a topic's stream: the last offset it saw, and of which epoch. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/**
 * Why a subscription could not be recovered without a gap:
 * - `epoch_changed`: the stream restarted (store restart, flush, expiry); what it holds now is replayed;
 * - `too_old`: some of the missed publications were already trimmed (size or age);
 * - `too_many`: more were missed than one replay may carry; the newest are replayed;
 * - `bad_position`: the position is ahead of the stream (not one the server gave out);
 * - `no_history`: the topic keeps no history;
 * - `unavailable`: the history could not be read (the broker's link is down); live delivery goes
 *   on, and the client recovers again when it sees the next gap.
 */
export const RecoveryFailure = {
  EpochChanged: 'epoch_changed',
  TooOld: 'too_old',
  TooMany: 'too_many',
  BadPosition: 'bad_position',
  NoHistory: 'no_history',
  Unavailable: 'unavailable',
} as const;
export type RecoveryFailure = (typeof RecoveryFailure)[keyof typeof RecoveryFailure];

/**
 * What a subscribe asks of a topic's history, per topic in the frame's `since` map:
 * - `{ offset, epoch }`: recover, i.e. replay every publication after this position;
 * - `{ limit }`: catch up, i.e. replay the newest `limit` publications (`1` = the latest one, MQTT's
 *   retained message).
 */
export type SinceRequest = StreamPosition | { limit: number };

/**
 * A history topic's state in a subscribe ack (`streams[topic]`): the position the subscriber is at
 * once the replay that follows the ack is done, and for a recovery whether it was complete.
 */
export interface StreamState extends StreamPosition {
  /** Only for a `since: { offset, epoch }` request: true when no publication was missed. */
  recovered?: boolean;
  /** Why `recovered` is false. */
  reason?: RecoveryFailure;
}

/** The largest `limit` a frame may ask for; the server caps a replay at the topic's history size. */
export const MAX_SINCE_LIMIT = 10_000;
/** Epochs are short tokens the server made; anything longer is not one of them. */
export const MAX_EPOCH_LENGTH = 64;
