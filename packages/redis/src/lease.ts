/**
 * A node's place in the cluster: the heartbeat that renews its lease (and sweeps nodes whose
 * lease ran out, their counts and presence), the leave at close, and the list of live nodes. The scripts are in `scripts.ts`.
 */
import type { RedisKeys } from './keys.js';
import { WRITE_BATCH } from './presence.js';
import { type Client, HEARTBEAT, LEAVE, NODES, pairs, runScript } from './scripts.js';

export interface Beat {
  /** This node's own lease had run out: its counts and presence must be rewritten in full. */
  lapsed: boolean;
  /** Presence shares of dead nodes are left: beat again now rather than at the next interval. */
  more: boolean;
}

/** One heartbeat: renew this node's lease and sweep (one batch of) dead nodes. */
export async function heartbeat(pub: Client, keys: RedisKeys, nodeId: string, leaseMs: number): Promise<Beat> {
  const args = [
    nodeId,
    String(leaseMs),
    keys.nodeHashPrefix,
    keys.control,
    keys.presencePrefix,
    keys.presenceSharePrefix,
    keys.topicChannelPrefix,
    String(WRITE_BATCH),
  ];
  const reply = await runScript(pub, HEARTBEAT, [keys.nodes, keys.beats, keys.nodeHash(nodeId)], args);
  const flags = typeof reply === 'number' ? reply : 0;
  return { lapsed: (flags & 1) !== 0, more: (flags & 2) !== 0 };
}

/** Remove this node's counts and presence now; its members leave (in batches: no call holds Redis long). */
export async function leave(pub: Client, keys: RedisKeys, nodeId: string): Promise<void> {
  const scriptKeys = [keys.nodes, keys.beats, keys.nodeHash(nodeId), keys.presenceShares(nodeId)];
  const args = [nodeId, keys.control, keys.presencePrefix, keys.topicChannelPrefix, String(WRITE_BATCH)];
  // -1: presence shares are left for another call.
  while ((await runScript(pub, LEAVE, scriptKeys, args)) === -1);
}

/** Live nodes with their heartbeat lag and topic count (for `status().nodes`). */
export async function liveNodes(pub: Client, keys: RedisKeys): Promise<Array<{ nodeId: string; lagMs: number; topics: number }>> {
  const reply = await runScript(pub, NODES, [keys.nodes, keys.beats], [keys.nodeHashPrefix]);
  return pairs(reply, 3).flatMap(([nodeId, lagMs, topics]) =>
    typeof nodeId === 'string' && typeof lagMs === 'number' && typeof topics === 'number' ? [{ nodeId, lagMs, topics }] : [],
  );
}
