import { createHash } from 'node:crypto';

/** Idempotency keys longer than this are stored by their SHA-256, so a Redis key stays small. */
export const MAX_RAW_IDEMPOTENCY_KEY = 256;

/**
 * Names of everything the broker keeps in Redis, all under one prefix:
 *
 *   <prefix>nodes          zset  nodeId → lease deadline (Redis server ms)
 *   <prefix>beats          zset  nodeId → time of its last heartbeat (for status lag)
 *   <prefix>node:<nodeId>  hash  topic → this node's local subscriber count
 *   <prefix>t:<topic>      channel: deliveries of one topic (only interested nodes subscribe)
 *   <prefix>control        channel: control commands and count notices (every node subscribes)
 *   <prefix>idem:<key>     string '1' with a TTL of dedupeWindowMs: an idempotency key was seen
 *   <prefix>idemh:<sha256> the same, for a key longer than MAX_RAW_IDEMPOTENCY_KEY
 *   <prefix>hist:<topic>   stream: a history topic's kept publications, entry id `<offset>-0`
 *   <prefix>hmeta:<topic>  hash: that stream's position, fields `o` (last offset) and `e` (epoch)
 *   <prefix>pres:<topic>   hash: a presence topic's members, memberId → `<connections> <info>`
 *                          (connections summed over the nodes; info is the member's JSON text)
 *   <prefix>pshare:<id>    hash: one node's presence shares, `<topic length>:<topic><memberId>`
 *                          → that node's connections of the member on the topic
 *
 * Counts live per node rather than per topic so that a node's whole share can be replaced in
 * one step (resync after a Redis restart) and dropped in one step (lease expiry, close).
 */
export class RedisKeys {
  readonly nodes: string;
  readonly beats: string;
  readonly nodeHashPrefix: string;
  readonly control: string;
  readonly topicChannelPrefix: string;
  readonly idempotencyPrefix: string;
  readonly hashedIdempotencyPrefix: string;
  readonly historyPrefix: string;
  readonly historyMetaPrefix: string;
  readonly presencePrefix: string;
  readonly presenceSharePrefix: string;

  constructor(readonly prefix: string) {
    this.nodes = `${prefix}nodes`;
    this.beats = `${prefix}beats`;
    this.nodeHashPrefix = `${prefix}node:`;
    this.control = `${prefix}control`;
    this.topicChannelPrefix = `${prefix}t:`;
    this.idempotencyPrefix = `${prefix}idem:`;
    // 'idemh:' can never equal 'idem:' + a raw key, so hashed and raw keys cannot collide.
    this.hashedIdempotencyPrefix = `${prefix}idemh:`;
    // 'hist:' and 'hmeta:' differ before any topic text, so no topic's stream is another's meta.
    this.historyPrefix = `${prefix}hist:`;
    this.historyMetaPrefix = `${prefix}hmeta:`;
    // 'pres:' and 'pshare:' differ before any topic or node id, so no topic's hash is a node's.
    this.presencePrefix = `${prefix}pres:`;
    this.presenceSharePrefix = `${prefix}pshare:`;
  }

  /** A presence topic's members with their cluster-wide connections and info. */
  presence(topic: string): string {
    return this.presencePrefix + topic;
  }

  /** One node's presence shares (every topic and member it holds). */
  presenceShares(nodeId: string): string {
    return this.presenceSharePrefix + nodeId;
  }

  /** The Redis key recording an idempotency key (opaque text, any length). */
  idempotency(key: string): string {
    if (key.length <= MAX_RAW_IDEMPOTENCY_KEY) return this.idempotencyPrefix + key;
    return this.hashedIdempotencyPrefix + createHash('sha256').update(key).digest('hex');
  }

  nodeHash(nodeId: string): string {
    return this.nodeHashPrefix + nodeId;
  }

  /** The stream of a history topic's kept publications. */
  historyStream(topic: string): string {
    return this.historyPrefix + topic;
  }

  /** The hash holding a history topic's last offset and epoch. */
  historyMeta(topic: string): string {
    return this.historyMetaPrefix + topic;
  }

  topicChannel(topic: string): string {
    return this.topicChannelPrefix + topic;
  }

  /** The topic of a topic channel, or undefined for any other channel. */
  topicOf(channel: string): string | undefined {
    return channel.startsWith(this.topicChannelPrefix) ? channel.slice(this.topicChannelPrefix.length) : undefined;
  }
}
