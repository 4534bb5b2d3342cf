/**
 * A subscribe on topics with history: the algorithm that gives a subscriber no gap and no
 * duplicate while publishes keep coming.
 *
 * 1. The connection is subscribed live first, and its live deliveries of those topics are held
 *    (`TowerImpl.hold`).
 * 2. Each topic's stream is read from the broker: after the client's position (recovery), the
 *    newest `limit` (catch-up), or just the position (a fresh subscribe, so the ack can tell it).
 * 3. In the subscribe's place among the replies: the ack with `streams`, then the replayed
 *    publications oldest first, then the held live deliveries minus those the replay already
 *    carried (merged by offset). Then the topic is live as usual.
 *
 * A publish that lands between the read and the release is held (step 1) and not in the read, so
 * it goes out once; one that is in both is dropped from the held ones by its offset.
 */
import { encodeDelivery, RecoveryFailure, type SinceRequest, type StreamState } from '@firetower/protocol';
import type { Broker, HistoryPolicy, HistoryQuery, HistoryRead } from '../broker/types.js';
import type { TowerImpl } from '../core/tower.js';
import type { HistoryLookup } from './policy.js';
import { firstQuery, planReplay, type ReplayPlan } from './recovery.js';
import { withDeadline } from '../core/settle.js';

/** One topic of a subscribe that needs a history read. */
export interface StreamRequest {
  topic: string;
  policy: HistoryPolicy;
  since: SinceRequest | undefined;
}

/** A history read that takes longer than this is given up (the subscribe goes on live). */
export const HISTORY_READ_TIMEOUT_MS = 5_000;

/**
 * The topics of a subscribe that need a read: those with history that the frame asks to replay,
 * and those newly subscribed when the frame wants an ack (which reports their position).
 */
export function streamRequests(
  lookup: HistoryLookup | undefined,
  allowed: readonly string[],
  added: readonly string[],
  since: Readonly<Record<string, SinceRequest>> | undefined,
  wantsAck: boolean,
): StreamRequest[] {
  if (lookup === undefined) return [];
  const requests: StreamRequest[] = [];
  const fresh = wantsAck ? new Set(added) : undefined;
  for (const topic of allowed) {
    const asked = since?.[topic];
    if (asked === undefined && fresh?.has(topic) !== true) continue;
    const policy = lookup(topic);
    if (policy !== undefined) requests.push({ topic, policy, since: asked });
  }
  return requests;
}

/** The read, or a rejection after `HISTORY_READ_TIMEOUT_MS`. */
function readWithDeadline(broker: Broker, topic: string, query: HistoryQuery): Promise<HistoryRead> {
  return withDeadline(() => broker.history!(topic, query), HISTORY_READ_TIMEOUT_MS, `history read of ${topic} timed out`);
}

/** Read and plan every requested topic; a failed read plans nothing (`undefined`) and is reported. */
export function planStreams(broker: Broker, requests: readonly StreamRequest[], reportError: (error: unknown) => void): Promise<Array<ReplayPlan | undefined>> {
  return Promise.all(
    requests.map(({ topic, policy, since }) =>
      readWithDeadline(broker, topic, firstQuery(since, policy))
        .then((read) => planReplay(since, read, policy, (query) => readWithDeadline(broker, topic, query)))
        .catch((error: unknown) => {
          reportError(error);
          return undefined;
        }),
    ),
  );
}

/** The ack's `streams`: each planned topic's state; a failed recovery keeps the client's position. */
export function streamStates(requests: readonly StreamRequest[], plans: ReadonlyArray<ReplayPlan | undefined>): Record<string, StreamState> | undefined {
  let streams: Record<string, StreamState> | undefined;
  requests.forEach(({ topic, since }, i) => {
    const plan = plans[i];
    let state: StreamState | undefined = plan?.state;
    if (state === undefined && since !== undefined && !('limit' in since)) state = { ...since, recovered: false, reason: RecoveryFailure.Unavailable };
    if (state !== undefined) (streams ??= Object.create(null) as Record<string, StreamState>)[topic] = state;
  });
  return streams;
}

/** After the ack: each topic's replay, then its held live deliveries not already replayed. */
export function sendReplays<AppData>(tower: TowerImpl<AppData>, requests: readonly StreamRequest[], plans: ReadonlyArray<ReplayPlan | undefined>): void {
  requests.forEach(({ topic }, i) => {
    const plan = plans[i];
    if (plan === undefined) return tower.release(topic, undefined);
    const { epoch } = plan.state;
    let offset = plan.state.offset;
    for (const publication of plan.publications) {
      offset = publication.offset;
      tower.writeText(encodeDelivery(topic, publication.data, { offset, epoch }));
    }
    tower.release(topic, { offset, epoch });
  });
}
