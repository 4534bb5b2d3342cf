/**
 * The demo's Firetower hooks: the server side of the chat. Each hook shows one capability of the
 * middleware (see demo-chat/README.md, "What the hooks do").
 */
import { FiretowerRefusal } from '@firetower/server';
import type { FiretowerApi, FiretowerHooks, SubscribeDecision } from '@firetower/server';
import { CountAnnouncer } from './count-announcer.js';
import { ChatRuleError, RateLimiter, memberName, parseChatPost, roomOf, whyRoomIsClosed } from './rules.js';
import type { ChatMessage, ChatRules } from './rules.js';

/**
 * Builds the hooks. `api` is read lazily because the hooks are handed to `firetower()`, which is
 * what creates the API they publish through.
 */
export function chatHooks(api: () => FiretowerApi, rules: ChatRules): FiretowerHooks {
  const limiter = new RateLimiter(rules.rateLimitMessages, rules.rateWindowMs);
  const counts = new CountAnnouncer(api);

  return {
    // SetOnConnectHandler: everyone may join; the nickname the page connects with is what the
    // room's member list shows (presence comes from here, never from a chat frame).
    authenticate({ query }) {
      return { presence: { name: memberName(query.get('name'), rules) } };
    },

    // Client publishes are off unless allowed: a browser may post to chat rooms only.
    canPublish(_tower, topic) {
      return roomOf(topic) !== undefined;
    },

    // SetBeforeSubscribeHandler: only /chat/<room>, never a forbidden room. The refusal reason
    // reaches the browser as the subscription's error.
    beforeSubscribe(_tower, topics): SubscribeDecision {
      const refuse: Record<string, string> = {};
      for (const topic of topics) {
        const reason = whyRoomIsClosed(topic, rules);
        if (reason !== undefined) refuse[topic] = reason;
      }
      return Object.keys(refuse).length > 0 ? { refuse } : true;
    },

    // SetSubscribeHandler / SetUnSubscribeHandler: the room's count changed here.
    onSubscribe(_tower, topics) {
      counts.mark(topics);
    },
    onUnsubscribe(_tower, topics) {
      counts.mark(topics);
    },
    // ...or on another node of the cluster.
    onCountChange({ topic }) {
      counts.mark([topic]);
    },

    // SetReadHandler: validate, rate-limit, then stamp the server's time on the message.
    onMessage(tower, message) {
      const closed = whyRoomIsClosed(message.topic, rules);
      if (closed !== undefined) throw new FiretowerRefusal(closed);
      let post;
      try {
        post = parseChatPost(message.data, rules);
      } catch (error) {
        if (error instanceof ChatRuleError) throw new FiretowerRefusal(error.message);
        throw error;
      }
      if (!limiter.take(tower.clientId)) {
        const seconds = Math.round(rules.rateWindowMs / 1000);
        throw new FiretowerRefusal(`Slow down: at most ${rules.rateLimitMessages} messages every ${seconds} s`);
      }
      const stamped: ChatMessage = { ...post, time: Date.now() };
      return { data: stamped };
    },

    onOffline(tower) {
      limiter.forget(tower.clientId);
    },
  };
}
