import type { DecodeResult } from '@firetower/protocol';
import type { Hub } from './hub.js';
import type { ResolvedOptions } from '../options.js';
import type { StatsRecorder } from './stats.js';
import type { TowerImpl } from './tower.js';
import type { FiretowerHooks, PublishOptions, PublishResult, SlowConsumerEvent } from '../types.js';
import type { DedupeWindow } from './dedupe.js';
import type { Broker } from '../broker/types.js';
import type { NodePresence } from '../presence/node-presence.js';

export type HookName = keyof FiretowerHooks;

/** What a Tower and the frame handlers need from the node that owns them. */
export interface TowerHost<AppData> {
  readonly options: ResolvedOptions<AppData>;
  readonly hub: Hub<TowerImpl<AppData>>;
  readonly stats: StatsRecorder;
  readonly dedupe: DedupeWindow;
  readonly broker: Broker;
  /** Presence, when the server has presence topics. */
  readonly presence: NodePresence<TowerImpl<AppData>> | undefined;
  decode(text: string): DecodeResult;
  handleFrame(tower: TowerImpl<AppData>, frame: DecodeResult): void | PromiseLike<void>;
  /**
   * Run a hook, sync or async. A throw or rejection is reported (onError) and never escapes; the
   * returned promise (for async hooks) always resolves.
   */
  callHook(name: HookName, tower: TowerImpl<AppData> | undefined, run: () => unknown, onFailure?: (error: unknown) => void): void | PromiseLike<void>;
  reportError(error: unknown, tower?: TowerImpl<AppData>): void;
  slowConsumer(tower: TowerImpl<AppData>, event: SlowConsumerEvent): void;
  /** JSON text of a value (`null` for undefined); throws FiretowerServerError('invalid_data'). */
  serialise(data: unknown): string;
  publish(topic: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  /**
   * Publish already-serialised data; returns 'duplicate' when the idempotency key was seen within
   * the window (nothing is published), else the broker's promise.
   */
  publishJson(topic: string, json: string, exclude: string | undefined, idempotencyKey: string | undefined): 'duplicate' | Promise<void>;
  /**
   * Claim an idempotency key across the cluster (the broker's `claimKey`): true when it is fresh.
   * Undefined when the broker has no shared store (dedupe is per node) or the window is 0.
   */
  claimKey(key: string): Promise<boolean> | undefined;
  towerClosing(tower: TowerImpl<AppData>): void;
  towerClosed(tower: TowerImpl<AppData>): void;
}
