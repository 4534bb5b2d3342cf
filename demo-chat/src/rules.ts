/**
 * The chat's house rules, kept free of Firetower types so they are easy to test and to read:
 * which rooms exist, what a chat message looks like, and how fast one sender may post.
 */

/** Every chat room is the topic `/chat/<room>`. */
export const ROOM_PREFIX = '/chat/';

/** Messages of a room a newcomer sees at once (the room's history). */
export const SCROLLBACK = 50;

/** Lower-case letters, digits, `-` and `_`, starting with a letter or digit. */
const ROOM_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface ChatRules {
  /** Rooms nobody may join (the page shows the refusal). @default ['admin'] */
  forbiddenRooms: string[];
  /** Longest message text, in characters. @default 500 */
  maxMessageLength: number;
  /** Longest nickname, in characters. @default 32 */
  maxNameLength: number;
  /** Messages one connection may send per `rateWindowMs` before it is refused. @default 5 */
  rateLimitMessages: number;
  /** @default 5000 */
  rateWindowMs: number;
}

export const DEFAULT_RULES: Readonly<ChatRules> = Object.freeze({
  forbiddenRooms: ['admin'],
  maxMessageLength: 500,
  maxNameLength: 32,
  rateLimitMessages: 5,
  rateWindowMs: 5000,
});

/** A rule was broken; `message` is shown to the user as the refusal reason. */
export class ChatRuleError extends Error {
  readonly code: ChatRuleErrorCode;
  constructor(code: ChatRuleErrorCode, message: string) {
    super(message);
    this.name = 'ChatRuleError';
    this.code = code;
  }
}

export type ChatRuleErrorCode = 'not_a_room' | 'forbidden_room' | 'bad_message' | 'empty' | 'too_long' | 'rate_limited';

/** The room name of a topic, or undefined when the topic is not a chat room. */
export function roomOf(topic: string): string | undefined {
  if (!topic.startsWith(ROOM_PREFIX)) return undefined;
  const room = topic.slice(ROOM_PREFIX.length);
  return ROOM_NAME.test(room) ? room : undefined;
}

/** Why a topic may not be joined, or undefined when it may. */
export function whyRoomIsClosed(topic: string, rules: ChatRules): string | undefined {
  const room = roomOf(topic);
  if (room === undefined) return `${topic} is not a chat room (rooms are /chat/<a-z, 0-9, - or _>)`;
  if (rules.forbiddenRooms.includes(room)) return `#${room} is reserved for moderators`;
  return undefined;
}

/** What a browser publishes. */
export interface ChatPost {
  type: 'chat';
  /** Nickname. */
  from: string;
  text: string;
  /** The sending tab's id: lets a tab recognise its own messages. */
  sid: string;
  /** The message id chosen by the sender: lets it match the echo to its pending line. */
  mid: string;
}

/** What every subscriber receives: the post stamped with the server's time. */
export interface ChatMessage extends ChatPost {
  /** Unix ms, set by the server. */
  time: number;
}

/** The cluster-wide online count of a room, published by the server. */
export interface CountMessage {
  type: 'count';
  count: number;
}

const SHORT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The nickname a connection shows in member lists (from its connect URL; cut, never empty). */
export function memberName(name: string | null, rules: ChatRules): string {
  const trimmed = (name ?? '').trim().slice(0, rules.maxNameLength);
  return trimmed === '' ? 'anonymous' : trimmed;
}

/** Checks a client's publish; throws ChatRuleError with a reason the user can read. */
export function parseChatPost(data: unknown, rules: ChatRules): ChatPost {
  if (typeof data !== 'object' || data === null) throw new ChatRuleError('bad_message', 'A message must be an object');
  const post = data as Record<string, unknown>;
  if (post.type !== 'chat') throw new ChatRuleError('bad_message', 'Only chat messages may be sent');
  const { from, text, sid, mid } = post;
  if (typeof from !== 'string' || from.trim() === '') throw new ChatRuleError('bad_message', 'A nickname is required');
  if (typeof sid !== 'string' || !SHORT_ID.test(sid) || typeof mid !== 'string' || !SHORT_ID.test(mid)) {
    throw new ChatRuleError('bad_message', 'A message needs a sender id and a message id');
  }
  if (typeof text !== 'string' || text.trim() === '') throw new ChatRuleError('empty', 'Empty messages are not sent');
  if (text.length > rules.maxMessageLength) {
    throw new ChatRuleError('too_long', `Messages may be at most ${rules.maxMessageLength} characters`);
  }
  return { type: 'chat', from: from.trim().slice(0, rules.maxNameLength), text, sid, mid };
}

/**
 * A sliding-window limiter per sender: at most `limit` events per `windowMs`. Refused events do
 * not count, so a sender who waits gets through again.
 */
export class RateLimiter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an event for `key`; false when the key is over its limit. */
  take(key: string): boolean {
    const now = this.now();
    const recent = (this.events.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.events.set(key, recent);
      return false;
    }
    recent.push(now);
    this.events.set(key, recent);
    return true;
  }

  forget(key: string): void {
    this.events.delete(key);
  }
}
