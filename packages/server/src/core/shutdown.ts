import { CloseCode, formatRetryAfter } from '@firetower/protocol';
import type { ShutdownOptions } from '../types.js';

export interface Closable {
  close(code: number, reason: string): void;
}

export interface ResolvedShutdown {
  batchSize: number;
  batchIntervalMs: number;
  maxRetryAfterMs: number;
}

export function resolveShutdown(options: ShutdownOptions = {}): ResolvedShutdown {
  return {
    batchSize: Math.max(1, Math.floor(options.batchSize ?? 500)),
    batchIntervalMs: Math.max(0, options.batchIntervalMs ?? 50),
    maxRetryAfterMs: Math.max(0, options.maxRetryAfterMs ?? 5_000),
  };
}

/**
 * Close connections in batches with CloseCode.ServerShutdown and a random `retry-after` each, so
 * clients come back spread over `maxRetryAfterMs` instead of all at once (no reconnect storm).
 */
export async function closeInBatches(connections: readonly Closable[], options: ResolvedShutdown): Promise<void> {
  for (let start = 0; start < connections.length; start += options.batchSize) {
    if (start > 0 && options.batchIntervalMs > 0) await new Promise((resolve) => setTimeout(resolve, options.batchIntervalMs));
    for (const connection of connections.slice(start, start + options.batchSize)) {
      connection.close(CloseCode.ServerShutdown, formatRetryAfter(Math.random() * options.maxRetryAfterMs));
    }
  }
}
