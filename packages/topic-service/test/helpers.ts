/**
 * Small helpers for the topic-service tests: a JSON HTTP call, a service per test, per-test cleanups
 * and a local listener. Waiting on a condition is `waitFor` from `@firetower/server/testing`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { startTopicService, type RunningTopicService, type StartTopicServiceOptions } from '../src/service/create.js';

export interface ApiResult<T = any> {
  status: number;
  body: T;
}

/** The session of each node registered through `api()`, by service URL and node id. */
const sessions = new Map<string, string>();

/**
 * A JSON HTTP call to a service. Like a broker, it keeps the session each registration returns
 * and sends it (`x-firetower-session`) on that node's requests, unless `init.headers` names one
 * (or `init.session` is false: a request without it).
 */
export function api(base: string, token?: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    init: { raw?: string; signal?: AbortSignal; headers?: Record<string, string>; session?: boolean } = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const nodeId = /^\/v1\/nodes\/([^/?]+)(?:[/?]|$)/.exec(path)?.[1];
    const session = nodeId === undefined || nodeId === 'register' ? undefined : sessions.get(`${base} ${decodeURIComponent(nodeId)}`);
    if (session !== undefined && init.session !== false) headers['x-firetower-session'] = session;
    Object.assign(headers, init.headers);
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(base + path, {
      method,
      headers,
      body: init.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: init.signal,
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (path === '/v1/nodes/register' && res.status === 200) sessions.set(`${base} ${parsed.nodeId}`, parsed.session);
    return { status: res.status, body: parsed };
  };
}

/** Cleanups for the current test: push one, they run after it, last first; a failing one does not stop the rest. */
export function useCleanups(): Array<() => unknown> {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await Promise.resolve(cleanups.pop()!()).catch(() => undefined);
  });
  return cleanups;
}

/** Listens on a free port of 127.0.0.1: the server's URL, and a close that also ends its open (keep-alive) connections. */
export async function listenLocally(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `start(options)` runs a service on a free port for the current test and closes it after. */
export function useServicePerTest(): (options?: StartTopicServiceOptions) => Promise<{ service: RunningTopicService; call: ReturnType<typeof api> }> {
  let service: RunningTopicService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });
  return async (options = {}) => {
    service = await startTopicService({ port: 0, ...options });
    return { service, call: api(service.url, options.token) };
  };
}
