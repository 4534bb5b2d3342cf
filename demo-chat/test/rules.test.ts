import { describe, expect, it } from 'vitest';
import { ChatRuleError, DEFAULT_RULES, RateLimiter, parseChatPost, roomOf, whyRoomIsClosed } from '../src/rules.js';

const post = { type: 'chat', from: 'ann', text: 'hi', sid: 'tab1', mid: 'tab1-1' };

function ruleCode(data: unknown): string | undefined {
  try {
    parseChatPost(data, DEFAULT_RULES);
    return undefined;
  } catch (error) {
    if (error instanceof ChatRuleError) return error.code;
    throw error;
  }
}

describe('rooms', () => {
  it('maps /chat/<room> topics to room names and nothing else', () => {
    expect(roomOf('/chat/world')).toBe('world');
    expect(roomOf('/chat/my-room_2')).toBe('my-room_2');
    expect(roomOf('/chat/')).toBeUndefined();
    expect(roomOf('/chat/World')).toBeUndefined();
    expect(roomOf('/chat/a/b')).toBeUndefined();
    expect(roomOf('/news/world')).toBeUndefined();
  });

  it('closes forbidden rooms and non-room topics with a reason', () => {
    expect(whyRoomIsClosed('/chat/world', DEFAULT_RULES)).toBeUndefined();
    expect(whyRoomIsClosed('/chat/admin', DEFAULT_RULES)).toBe('#admin is reserved for moderators');
    expect(whyRoomIsClosed('/secret', DEFAULT_RULES)).toMatch(/not a chat room/);
  });
});

describe('parseChatPost', () => {
  it('accepts a chat post and trims the nickname', () => {
    expect(parseChatPost({ ...post, from: '  ann  ', extra: 1 }, DEFAULT_RULES)).toEqual({ ...post, from: 'ann' });
  });

  it('refuses empty, over-long and malformed posts with their own codes', () => {
    expect(ruleCode({ ...post, text: '   ' })).toBe('empty');
    expect(ruleCode({ ...post, text: 'x'.repeat(DEFAULT_RULES.maxMessageLength + 1) })).toBe('too_long');
    expect(ruleCode({ ...post, text: 'x'.repeat(DEFAULT_RULES.maxMessageLength) })).toBeUndefined();
    expect(ruleCode({ ...post, type: 'count' })).toBe('bad_message');
    expect(ruleCode({ ...post, mid: '<b>' })).toBe('bad_message');
    expect(ruleCode({ ...post, from: '' })).toBe('bad_message');
    expect(ruleCode('hi')).toBe('bad_message');
    expect(ruleCode(null)).toBe('bad_message');
  });
});

describe('RateLimiter', () => {
  it('allows `limit` events per window per key, then refuses until the window moves on', () => {
    let now = 1_000;
    const limiter = new RateLimiter(2, 1_000, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 999;
    expect(limiter.take('a')).toBe(false);
    now += 1;
    expect(limiter.take('a')).toBe(true);
    limiter.forget('a');
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
  });
});
