import { isTopicServiceErrorCode } from '@firetower/protocol';
import type { z } from 'zod';
import { TopicServiceClientError } from '../errors.js';
import { errorReply } from '../replies.js';

/**
 * A thin JSON-over-HTTP client for the service's API. Uses global fetch (undici), which keeps
 * connections alive between requests, so a busy node reuses a couple of sockets.
 *
 * It trusts nothing it reads (issue 15.4): a body is read as a stream and abandoned past
 * `maxResponseBytes`, and a success is returned only when it fits the reply's schema. Anything
 * else is a `TopicServiceClientError` with code `bad_response`.
 */
export class ServiceClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  /** The current registration's secret, sent with every request (the service checks it on node requests). */
  session: string | undefined;

  constructor(
    url: string,
    token: string | undefined,
    private readonly maxResponseBytes: number,
  ) {
    this.base = url.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/json' };
    if (token) this.headers.authorization = `Bearer ${token}`;
  }

  async request<S extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, signal: AbortSignal, schema: S): Promise<z.output<S>> {
    const what = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.session === undefined ? this.headers : { ...this.headers, 'x-firetower-session': this.session },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new TopicServiceClientError('network', `${what}: ${describe(error)}`);
    }
    const text = await this.readCapped(res, what);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TopicServiceClientError('bad_response', `${what}: ${res.status} with a non-JSON body`, res.status);
    }
    if (!res.ok) {
      const error = errorReply.safeParse(parsed);
      const code = error.success && isTopicServiceErrorCode(error.data.error.code) ? error.data.error.code : 'bad_response';
      const message = error.success ? error.data.error.message.slice(0, 300) : 'not an error body of the API';
      throw new TopicServiceClientError(code, `${what}: ${res.status} ${message}`, res.status);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.slice(0, 4).join('.')}: ` : '';
      throw new TopicServiceClientError('bad_response', `${what}: the reply is not the API's (${where}${issue?.message ?? 'malformed'})`, res.status);
    }
    return checked.data;
  }

  /** The body as text, abandoned (and the connection with it) beyond `maxResponseBytes`. */
  private async readCapped(res: Response, what: string): Promise<string> {
    const limit = this.maxResponseBytes;
    const tooLarge = () => new TopicServiceClientError('bad_response', `${what}: the reply is larger than ${limit} bytes`, res.status);
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limit) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (!res.body) return '';
    const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge();
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof TopicServiceClientError) throw error;
      throw new TopicServiceClientError('network', `${what}: ${describe(error)}`);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
