/**
 * Idempotency keys shared by every node through Redis: one short-lived string key per
 * idempotency key (`<prefix>idem:<key>`, value '1', TTL = the node's dedupeWindowMs).
 *
 * A keyed publish records its key with a plain `SET … PX` issued right before its PUBLISH on
 * the same connection: Redis runs a connection's commands in order, so any node that received
 * the message can already see the key. It is not awaited; node-redis writes it in the same
 * pipelined batch as the PUBLISH, so it adds no round trip of its own. A claim is
 * `SET … NX PX`: 'OK' means nobody had the key (and now we do), a null reply means it was seen.
 */
import createDebug from 'debug';
import { RedisBrokerError } from './errors.js';
import type { Client } from './scripts.js';

const debug = createDebug('firetower:redis:idem');

/**
 * The window as Redis wants it (whole ms, ≥ 1), or 0 when keys must not be recorded at all
 * (dedupe off, or a node that does not say).
 */
export function recordWindowMs(dedupeWindowMs: number | undefined): number {
  if (typeof dedupeWindowMs !== 'number' || !Number.isFinite(dedupeWindowMs) || dedupeWindowMs <= 0) return 0;
  return Math.ceil(dedupeWindowMs);
}

/** Issue (not await) the SET that records a published key; call it right before the PUBLISH. */
export function recordKey(pub: Client, redisKey: string, windowMs: number): void {
  pub.sendCommand(['SET', redisKey, '1', 'PX', String(windowMs)]).catch(onLostRecord);
}

const onLostRecord = (error: unknown): void => {
  // The PUBLISH right behind it shares its fate; a retry may then be delivered twice.
  debug('recording an idempotency key failed: %O', error);
};

/**
 * Claim a key for the cluster. Claims issued in one event-loop turn share one pipelined write.
 * Rejects with `claim_timeout` when Redis does not answer within `timeoutMs` (node-redis would
 * otherwise hold the command in its offline queue for as long as the link is down).
 */
export function claim(pub: Client, redisKey: string, windowMs: number, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new RedisBrokerError('claim_timeout', `Redis did not answer an idempotency claim within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    pub.sendCommand(['SET', redisKey, '1', 'NX', 'PX', String(windowMs)]).then(
      (reply: unknown) => {
        clearTimeout(timer);
        resolve(reply === 'OK');
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(
          new RedisBrokerError('claim_failed', `an idempotency claim failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
      },
    );
  });
}
