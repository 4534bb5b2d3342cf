import { TopicServiceClientError } from '../errors.js';
import type { ErrorBody, TopicServiceErrorCode } from '../wire.js';

const KNOWN_CODES = new Set<string>([
  'bad_request',
  'payload_too_large',
  'batch_too_large',
  'unauthorized',
  'unknown_node',
  'poll_in_progress',
  'poll_superseded',
  'not_found',
  'closed',
  'internal',
]);

/**
 * A thin JSON-over-HTTP client for the service's API. Uses global fetch (undici), which keeps
 * connections alive between requests, so a busy node reuses a couple of sockets.
 */
export class ServiceClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  /** The current registration's secret, sent with every request (the service checks it on node requests). */
  session: string | undefined;

  constructor(url: string, token: string | undefined) {
    this.base = url.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/json' };
    if (token) this.headers.authorization = `Bearer ${token}`;
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, signal: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.session === undefined ? this.headers : { ...this.headers, 'x-firetower-session': this.session },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new TopicServiceClientError('network', `${method} ${path}: ${describe(error)}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw new TopicServiceClientError('network', `${method} ${path}: ${describe(error)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TopicServiceClientError('bad_response', `${method} ${path}: ${res.status} with a non-JSON body`, res.status);
    }
    if (!res.ok) {
      const error = (parsed as Partial<ErrorBody>).error;
      const code = error && KNOWN_CODES.has(error.code) ? (error.code as TopicServiceErrorCode) : 'bad_response';
      throw new TopicServiceClientError(code, `${method} ${path}: ${res.status} ${error?.message ?? ''}`, res.status);
    }
    return parsed as T;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
