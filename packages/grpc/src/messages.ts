/**
 * The messages of firetower.proto as the handlers see them (proto-loader with LOADER_OPTIONS:
 * camelCase, defaults filled in, `data` naming the oneof case).
 */
import type { BrokerStatus, FiretowerStats } from '@firetower/server';

export type PublishDataCase = 'dataJson' | 'dataText' | 'dataBytes';

export interface PublishRequest {
  topic: string;
  data?: PublishDataCase;
  dataJson?: string;
  dataText?: string;
  dataBytes?: Buffer;
  excludeClientId: string;
  idempotencyKey: string;
}

export interface PublishReply {
  /** Not delivered: the idempotency key was already used within the dedupe window. */
  duplicate: boolean;
}

export interface PublishBatchRequest {
  messages: PublishRequest[];
}

export interface PublishError {
  index: number;
  code: string;
  message: string;
}

export interface PublishSummary {
  /** Messages the server took, duplicates included. */
  accepted: number;
  rejected: number;
  firstError?: PublishError;
  /** Of the accepted, those an idempotency key suppressed (not delivered again). */
  duplicates: number;
}

export interface KickUserRequest {
  userId: string;
  reason: string;
}

export interface UnsubscribeUserRequest {
  userId: string;
  topic: string;
}

export interface TopicRequest {
  topic: string;
}

export interface TopicReply {
  topic: string;
  count: number;
  exists: boolean;
}

export interface ListTopicsRequest {
  pageSize: number;
  pageToken: string;
  prefix: string;
}

export interface ListTopicsReply {
  topics: TopicReply[];
  nextPageToken: string;
  totalSize: number;
}

/** The server's own counters (proto maps carry the drop and refusal reasons as plain strings). */
export interface StatsReply extends Omit<FiretowerStats, 'dropsTotal' | 'refusalsTotal'> {
  nodeId: string;
  dropsTotal: Record<string, number>;
  refusalsTotal: Record<string, number>;
  broker: Pick<BrokerStatus, 'kind' | 'connected' | 'pendingPublishes' | 'droppedPublishes'>;
}

export type Empty = Record<string, never>;
