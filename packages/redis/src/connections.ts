/**
 * The broker's two Redis connections (commands, subscriber): how they are made, how start waits
 * for them, and how they end.
 */
import createDebug from 'debug';
import { createClient } from 'redis';
import type { ResolvedOptions } from './options.js';
import type { Client } from './scripts.js';

const debug = createDebug('firetower:redis');

/** The command connection and its duplicate for pub/sub; nothing connects yet. */
export function createConnections(options: Pick<ResolvedOptions, 'url' | 'clientOptions' | 'maxReconnectDelayMs'>): { pub: Client; sub: Client } {
  const { url, clientOptions, maxReconnectDelayMs } = options;
  const pub: Client = createClient({
    ...clientOptions,
    url,
    socket: {
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxReconnectDelayMs),
      ...clientOptions.socket,
    },
  });
  return { pub, sub: pub.duplicate() };
}

export async function endClient(client: Client, graceful: boolean): Promise<void> {
  try {
    if (graceful && client.isReady) await client.close();
    else if (client.isOpen) client.destroy();
  } catch (error) {
    debug('closing a connection failed: %O', error);
  }
}

/** True when the promise fulfilled within `ms`; false on timeout or rejection. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL for logs, without its password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
