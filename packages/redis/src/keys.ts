/**
 * Names of everything the broker keeps in Redis, all under one prefix:
 *
 *   <prefix>nodes          zset  nodeId → lease deadline (Redis server ms)
 *   <prefix>beats          zset  nodeId → time of its last heartbeat (for status lag)
 *   <prefix>node:<nodeId>  hash  topic → this node's local subscriber count
 *   <prefix>t:<topic>      channel: deliveries of one topic (only interested nodes subscribe)
 *   <prefix>control        channel: control commands and count notices (every node subscribes)
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

  constructor(readonly prefix: string) {
    this.nodes = `${prefix}nodes`;
    this.beats = `${prefix}beats`;
    this.nodeHashPrefix = `${prefix}node:`;
    this.control = `${prefix}control`;
    this.topicChannelPrefix = `${prefix}t:`;
  }

  nodeHash(nodeId: string): string {
    return this.nodeHashPrefix + nodeId;
  }

  topicChannel(topic: string): string {
    return this.topicChannelPrefix + topic;
  }

  /** The topic of a topic channel, or undefined for any other channel. */
  topicOf(channel: string): string | undefined {
    return channel.startsWith(this.topicChannelPrefix) ? channel.slice(this.topicChannelPrefix.length) : undefined;
  }
}
