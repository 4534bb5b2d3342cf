/**
 * The app's hooks for a connection's own lifecycle: onConnect when it starts, onReadTimeout when
 * its inbound queue stays full, onUnsubscribe('closed') and onOffline when it ends. Each builds
 * the hook's arguments and runs it through the host, so the Tower keeps only its state machine.
 */
import { CloseCode } from '@firetower/protocol';
import { FiretowerRefusal } from '../errors.js';
import { andThen } from './settle.js';
import type { TowerHost } from './host.js';
import type { InboundItem, TowerImpl } from './tower.js';
import type { IncomingPublish } from '../types.js';

type Step = void | PromiseLike<void>;

/** onConnect, to run before any frame: a refusal closes with Unauthorized, any other failure with ServerClosed. */
export function onConnectStep<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>): (() => Step) | undefined {
  const onConnect = host.options.hooks.onConnect;
  if (!onConnect) return undefined;
  return () =>
    host.callHook(
      'onConnect',
      tower,
      () => onConnect(tower),
      (error) => {
        if (error instanceof FiretowerRefusal) tower.close(CloseCode.Unauthorized, error.message);
        else tower.close(CloseCode.ServerClosed, 'internal error');
      },
    );
}

/** Report the read timeout and tell onReadTimeout which client publishes were still waiting. */
export function readTimedOutHook<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, waiting: Iterable<InboundItem>): void {
  const pending: IncomingPublish[] = [];
  for (const item of waiting) {
    if (item.kind !== 'frame' || !item.frame.ok || item.frame.frame.type !== 'publish') continue;
    const { topic, data, id, excludeSelf } = item.frame.frame;
    pending.push({ topic, data, id, excludeSelf: excludeSelf === true });
  }
  host.stats.error('onReadTimeout', `inbound queue full for ${host.options.readTimeoutMs} ms`, { clientId: tower.clientId });
  const onReadTimeout = host.options.hooks.onReadTimeout;
  if (onReadTimeout) host.callHook('onReadTimeout', tower, () => onReadTimeout(tower, pending));
}

/** onUnsubscribe('closed') for the topics it had, then onOffline. */
export function closedHooks<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, topics: string[], info: { code: number; reason: string }): Step {
  const { onUnsubscribe, onOffline } = host.options.hooks;
  const unsubscribed = onUnsubscribe && topics.length > 0 ? host.callHook('onUnsubscribe', tower, () => onUnsubscribe(tower, topics, 'closed')) : undefined;
  return andThen(unsubscribed, () => (onOffline ? host.callHook('onOffline', tower, () => onOffline(tower, info)) : undefined));
}
