/** Small helpers for the topic-service tests: a JSON HTTP call, a service per test and a condition wait with a deadline. */
import { afterEach } from 'vitest';
import { startTopicService, type RunningTopicService, type StartTopicServiceOptions } from '../src/service/create.js';

export interface ApiResult<T = any> {
  status: number;
  body: T;
}

export function api(base: string, token?: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    init: { raw?: string; signal?: AbortSignal; headers?: Record<string, string> } = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(base + path, {
      method,
      headers,
      body: init.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: init.signal,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
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
