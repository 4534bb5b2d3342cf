/**
 * The per-connection limits on client frames (text only, at most maxFrameBytes, at most
 * maxMessagesPerSecond) and what breaking one costs: a refusal in stats, then the connection
 * closed, or the frame dropped with an error the client can match to its request.
 */
import { CloseCode, ErrorCode, type ErrorFrame } from '@firetower/protocol';
import type { TokenBucket } from './rate-limit.js';
import type { TowerHost } from './host.js';
import type { TowerImpl } from './tower.js';

/** True when the frame may be decoded; otherwise it was refused and dealt with here. */
export function admitFrame<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, bucket: TokenBucket, data: Buffer, isBinary: boolean): boolean {
  const { stats, options } = host;
  if (isBinary) {
    stats.refusal('limits', 'binary frame', { clientId: tower.clientId });
    tower.close(CloseCode.PolicyViolation, 'binary frames are not supported');
    return false;
  }
  if (data.length > options.limits.maxFrameBytes) {
    stats.refusal('limits', `frame of ${data.length} bytes`, { clientId: tower.clientId });
    tower.close(CloseCode.MessageTooBig, 'frame too large');
    return false;
  }
  const verdict = bucket.take();
  if (verdict === 'ok') return true;
  rateLimited(host, tower, verdict, data);
  return false;
}

function rateLimited<AppData>(host: TowerHost<AppData>, tower: TowerImpl<AppData>, verdict: 'warn' | 'drop' | 'close', data: Buffer): void {
  const { stats } = host;
  if (verdict === 'close') {
    stats.refusal('rate', 'closed: inbound rate limit exceeded for too long', { clientId: tower.clientId });
    tower.close(CloseCode.RateLimited, 'rate limited');
    return;
  }
  if (verdict === 'warn') stats.refusal('rate', 'inbound rate limit reached', { clientId: tower.clientId });
  else stats.refusalsTotal.rate++;
  // A dropped frame that carried an id gets its own error, so the client can fail that publish
  // at once instead of waiting for its ack timeout; frames without an id are told only once.
  const id = frameId(data);
  if (verdict === 'warn' || id !== undefined) {
    const error: ErrorFrame = { type: 'error', code: ErrorCode.RateLimited, message: 'too many frames: slow down' };
    if (id !== undefined) error.id = id;
    tower.fail(error);
  }
}

/** The `id` of a client frame, if it has a valid one; never throws. */
function frameId(data: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data.toString());
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const id = (parsed as { id?: unknown }).id;
    return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
  } catch {
    return undefined;
  }
}
