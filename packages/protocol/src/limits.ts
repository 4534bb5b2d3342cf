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
  /**
   * Deepest nesting of arrays and objects in one frame (the frame object itself is level 1).
   * Checked on the text before it is parsed, so nothing ever recurses over a deeper value: a
   * deeper frame is refused with `bad_frame`. @default 64
   */
  maxJsonDepth: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  maxTopicsPerConnection: 256,
  maxTopicsPerFrame: 64,
  maxTopicLength: 256,
  maxMessagesPerSecond: 100,
  maxJsonDepth: 64,
});

/**
 * A topic is printable ASCII without spaces and without the comma (the original protocol's topic
 * separator): letters, digits and `/ _ - . : @ # $ ~ + = ! * ( ) [ ] { } | ^ ' ?` etc.
 */
const TOPIC_PATTERN = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * True when the JSON text nests arrays/objects deeper than `maxDepth`. One pass over the text,
 * skipping strings; run before JSON.parse so that no later step (JSON.stringify, a hook walking
 * the data) can overflow the stack on a hostile value. Invalid JSON is left to JSON.parse.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** A value for an error message: only a string is named, cut to `max` characters. */
export function describeValue(value: unknown, max = 64): string {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

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
