import { createHash } from 'node:crypto';
import { TopicServiceClientError } from '../errors.js';
import { KEY_LIMITS, type ClaimsRequest } from '../wire.js';
import type { ServiceClient } from './client.js';
import { withDeadline } from './deadline.js';
import { claimsReply } from '../replies.js';

/**
 * A key as the service stores it. A longer key than the service takes is hashed instead of
 * refused: every node hashes the same way, so claims still meet publishes, and a publish batch is
 * never rejected (and dropped) for one long key.
 */
export function wireKey(key: string): string {
  if (key.length <= KEY_LIMITS.maxKeyLength) return key;
  return `sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

interface PendingClaim {
  key: string;
  resolve: (fresh: boolean) => void;
  reject: (error: Error) => void;
}

/** Sends one request's keys; resolves to one answer per key, in order. */
export type SendClaims = (keys: string[]) => Promise<boolean[]>;

/**
 * Collects the claims of one event-loop turn and sends them as one request (split at
 * `maxKeys`), so a burst of re-sent publishes after a reconnect costs one round trip.
 */
export class ClaimBatcher {
  private pending: PendingClaim[] = [];
  private flushScheduled = false;

  constructor(
    private readonly send: SendClaims,
    private readonly maxKeys: number = KEY_LIMITS.maxClaimKeys,
  ) {}

  claim(key: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Reject every claim not sent yet (the broker closes). */
  rejectPending(error: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const claim of pending) claim.reject(error);
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (let i = 0; i < pending.length; i += this.maxKeys) this.sendChunk(pending.slice(i, i + this.maxKeys));
  }

  private sendChunk(chunk: PendingClaim[]): void {
    let request: Promise<boolean[]>;
    try {
      request = this.send(chunk.map((c) => c.key));
    } catch (error) {
      request = Promise.reject(error);
    }
    request.then(
      (fresh) => {
        for (let i = 0; i < chunk.length; i++) chunk[i]!.resolve(fresh[i]!);
      },
      (error: unknown) => {
        const err = error instanceof Error ? error : new Error(String(error));
        for (const claim of chunk) claim.reject(err);
      },
    );
  }
}

/**
 * `POST /v1/claims`, bounded by `timeoutMs` and by `closed` (the broker's close), with the answer
 * checked: one boolean per key. Every failure is a `TopicServiceClientError`.
 */
export async function postClaims(client: ServiceClient, body: ClaimsRequest, closed: AbortSignal, timeoutMs: number): Promise<boolean[]> {
  const res = await withDeadline(timeoutMs, closed, async (deadline) => {
    try {
      return await client.request('POST', '/v1/claims', body, deadline.signal, claimsReply);
    } catch (error) {
      if (closed.aborted) throw new TopicServiceClientError('not_running', 'claimKey: the topic-service broker closed');
      if (deadline.timedOut) throw new TopicServiceClientError('timeout', `claimKey: no answer within ${timeoutMs} ms`);
      throw error;
    }
  });
  const fresh = res.fresh;
  if (fresh.length !== body.keys.length) {
    throw new TopicServiceClientError('bad_response', `POST /v1/claims: expected ${body.keys.length} booleans in "fresh"`);
  }
  return fresh;
}
