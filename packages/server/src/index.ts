/**
 * @firetower/server: topic pub/sub over WebSocket as an Express middleware.
 *
 * @example
 * import express from 'express';
 * import { firetower } from '@firetower/server';
 * const app = express();
 * const ft = firetower({ hooks: { authenticate: ({ query }) => ({ userId: query.get('user') ?? undefined }) } });
 * app.use(ft);
 * app.listen(3000);
 * await ft.publish('/news', { title: 'hello' });
 */
import { createMiddleware, type FiretowerMiddleware } from './http/middleware.js';
import { FiretowerNode } from './core/node.js';
import type { FiretowerOptions } from './types.js';

export function firetower<AppData = Record<string, unknown>>(options: FiretowerOptions<AppData> = {}): FiretowerMiddleware<AppData> {
  return createMiddleware(new FiretowerNode<AppData>(options), options);
}

export type { FiretowerMiddleware } from './http/middleware.js';
export { memoryBroker, createMemoryBus, type MemoryBus, type MemoryBrokerOptions, type MemoryLinkFaults } from './broker/memory.js';
export { BrokerOverflowError } from './broker/types.js';
export {
  ClusterCore,
  sortTopics,
  type BrokerCapabilities,
  type BrokerProblem,
  type BrokerState,
  type BrokerStateChange,
  type ClusterCoreOptions,
  type ClusterTransport,
} from './broker/core.js';
export { BrokerLifecycleError, type BrokerLifecycleErrorCode } from './broker/errors.js';
export { OutageBuffer } from './broker/outage-buffer.js';
export { backoff } from './broker/backoff.js';
export type * from './broker/types.js';
export type * from './types.js';
export { FiretowerRefusal, FiretowerServerError, FiretowerError, type FiretowerErrorCode, type RefusalStatus } from './errors.js';
export {
  CloseCode,
  ErrorCode,
  ReportedCloseCode,
  ServerErrorCode,
  BrokerErrorCode,
  UpgradeRefusalCode,
  UpgradeRefusalStatus,
  FiretowerCodedError,
  HEARTBEAT,
  DEFAULT_LIMITS,
  formatRetryAfter,
  parseRetryAfter,
  isTerminalCloseCode,
  type Limits,
} from '@firetower/protocol';
