import { HEARTBEAT } from '@firetower/protocol';

/**
 * Server frames as the client reads them. Codes stay plain strings: a newer server may send
 * codes this client does not know, and `clientCodeFor` maps those to `refused`.
 */
export interface Refusal {
  topic: string;
  code: string;
  reason: string;
}

export type ServerMessage =
  | { type: 'heartbeat' }
  | { type: 'publish'; topic: string; data: unknown }
  | { type: 'ack'; id: string; refused: Refusal[]; duplicate: boolean }
  | { type: 'error'; code: string; message: string; id: string | undefined; topic: string | undefined };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function readRefused(value: unknown): Refusal[] {
  if (!Array.isArray(value)) return [];
  const refused: Refusal[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.topic !== 'string') continue;
    refused.push({ topic: item.topic, code: optionalString(item.code) ?? 'refused', reason: optionalString(item.reason) ?? 'refused' });
  }
  return refused;
}

/** Parses one text frame from the server; undefined for anything this client does not know. */
export function decodeServerFrame(text: string): ServerMessage | undefined {
  if (text === HEARTBEAT) return { type: 'heartbeat' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  switch (parsed.type) {
    case 'publish':
      return typeof parsed.topic === 'string' ? { type: 'publish', topic: parsed.topic, data: parsed.data } : undefined;
    case 'ack':
      if (typeof parsed.id !== 'string') return undefined;
      return { type: 'ack', id: parsed.id, refused: readRefused(parsed.refused), duplicate: parsed.duplicate === true };
    case 'error':
      if (typeof parsed.code !== 'string') return undefined;
      return {
        type: 'error',
        code: parsed.code,
        message: optionalString(parsed.message) ?? parsed.code,
        id: optionalString(parsed.id),
        topic: optionalString(parsed.topic),
      };
    default:
      return undefined;
  }
}
