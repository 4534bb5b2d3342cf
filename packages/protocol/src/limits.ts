/** Limits with safe defaults; every one is configurable on the server (`options.limits`). */
export interface Limits {
  /** Largest inbound frame in bytes; a bigger one closes the connection with 1009. @default 65536 */
  maxFrameBytes: number;
  /** Topics one connection may hold at once. @default 256 */
  maxTopicsPerConnection: number;
  /** Topics one subscribe or unsubscribe frame may name. @default 64 */
  maxTopicsPerFrame: number;
  /** Longest topic, in characters. @default 256 */
  maxTopicLength: number;
  /** Inbound frames per second per connection (token bucket, burst = 2 × rate). @default 100 */
  maxMessagesPerSecond: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  maxTopicsPerConnection: 256,
  maxTopicsPerFrame: 64,
  maxTopicLength: 256,
  maxMessagesPerSecond: 100,
});

/**
 * A topic is printable ASCII without spaces and without the comma (the original protocol's topic
 * separator): letters, digits and `/ _ - . : @ # $ ~ + = ! * ( ) [ ] { } | ^ ' ?` etc.
 */
const TOPIC_PATTERN = /^[\x21-\x2b\x2d-\x7e]+$/;

export type TopicCheck = { ok: true } | { ok: false; reason: string };

export function checkTopic(topic: unknown, maxLength: number = DEFAULT_LIMITS.maxTopicLength): TopicCheck {
  if (typeof topic !== 'string') return { ok: false, reason: 'topic must be a string' };
  if (topic.length === 0) return { ok: false, reason: 'topic is empty' };
  if (topic.length > maxLength) return { ok: false, reason: `topic is longer than ${maxLength} characters` };
  if (!TOPIC_PATTERN.test(topic)) {
    return { ok: false, reason: 'topic may only hold printable ASCII without spaces or commas' };
  }
  return { ok: true };
}
