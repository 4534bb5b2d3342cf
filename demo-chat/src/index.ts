/** The chat demo as a library: what main.ts, cluster.ts and the browser tests start. */
export { createChatServer, PUBLIC_DIR } from './chat-server.js';
export type { ChatServer, ChatServerOptions } from './chat-server.js';
export { startChatCluster } from './cluster-setup.js';
export type { ChatCluster, ChatClusterOptions } from './cluster-setup.js';
export { brokerFor, startLocalTopicService } from './brokers.js';
export type { BrokerChoice } from './brokers.js';
export { chatHooks } from './hooks.js';
export { DEFAULT_RULES, RateLimiter, parseChatPost, roomOf, whyRoomIsClosed, ChatRuleError } from './rules.js';
export type { ChatMessage, ChatPost, ChatRules, CountMessage, ChatRuleErrorCode } from './rules.js';
