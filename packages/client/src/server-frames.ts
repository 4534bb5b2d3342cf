import { HEARTBEAT, MAX_EPOCH_LENGTH, type PresenceList, type PresenceMember, type StreamPosition } from '@firetower/protocol';

/**
 * Server frames as the client reads them. Codes stay plain strings: a newer server may send
 * codes this client does not know, and `clientCodeFor` maps those to `refused`.
 */
export interface Refusal {
  topic: string;
  code: string;
  reason: string;
}

/** A topic's entry in a subscribe ack's `streams`; `reason` stays a plain string, as codes do. */
export interface AckedStream extends StreamPosition {
  recovered: boolean;
  reason: string | undefined;
}

export type ServerMessage =
  | { type: 'heartbeat' }
  | { type: 'publish'; topic: string; data: unknown; position: StreamPosition | undefined }
  | {
      type: 'ack';
      id: string;
      refused: Refusal[];
      duplicate: boolean;
      streams: Map<string, AckedStream>;
      expiresInMs: number | undefined;
      presence: PresenceList | undefined;
    }
  | { type: 'error'; code: string; message: string; id: string | undefined; topic: string | undefined }
  | { type: 'session'; expiresInMs: number }
  | { type: 'join' | 'leave'; topic: string; member: PresenceMember };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const count = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** A presence member as the server gave it, or undefined when it is not one (no string id). */
function readMember(value: unknown): PresenceMember | undefined {
  if (!isRecord(value) || typeof value.id !== 'string') return undefined;
  const member: PresenceMember = { id: value.id, info: value.info ?? null };
  if (count(value.connections)) member.connections = value.connections;
  return member;
}

function readPresenceList(value: unknown): PresenceList | undefined {
  if (!isRecord(value) || !Array.isArray(value.members)) return undefined;
  const members = value.members.map(readMember).filter((member) => member !== undefined);
  return { members, total: count(value.total) ? value.total : members.length, truncated: value.truncated === true };
}

/** A duration in ms: a finite number, at least 0. */
const duration = (value: unknown): number | undefined => (typeof value === 'number' && value >= 0 && value < Infinity ? value : undefined);

function readRefused(value: unknown): Refusal[] {
  if (!Array.isArray(value)) return [];
  const refused: Refusal[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.topic !== 'string') continue;
    refused.push({ topic: item.topic, code: optionalString(item.code) ?? 'refused', reason: optionalString(item.reason) ?? 'refused' });
  }
  return refused;
}

/**
 * A stream position as the server gave it, or undefined: anything but a safe non-negative integer
 * offset and a short string epoch is no position at all (the message is then delivered as from a
 * topic without history, and never moves the client's own position).
 */
function readPosition(raw: Record<string, unknown>): StreamPosition | undefined {
  const { offset, epoch } = raw;
  return Number.isSafeInteger(offset) && (offset as number) >= 0 && typeof epoch === 'string' && epoch.length <= MAX_EPOCH_LENGTH
    ? { offset: offset as number, epoch }
    : undefined;
}

/** A Map, so a topic named `__proto__` or `constructor` is only a topic. */
function readStreams(value: unknown): Map<string, AckedStream> {
  const streams = new Map<string, AckedStream>();
  if (!isRecord(value)) return streams;
  for (const topic of Object.keys(value)) {
    const entry = value[topic];
    const position = isRecord(entry) && readPosition(entry);
    if (position) streams.set(topic, { ...position, recovered: entry.recovered === true, reason: optionalString(entry.reason) });
  }
  return streams;
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
      return typeof parsed.topic === 'string' ? { type: 'publish', topic: parsed.topic, data: parsed.data, position: readPosition(parsed) } : undefined;
    case 'ack':
      if (typeof parsed.id !== 'string') return undefined;
      return {
        type: 'ack',
        id: parsed.id,
        refused: readRefused(parsed.refused),
        duplicate: parsed.duplicate === true,
        streams: readStreams(parsed.streams),
        expiresInMs: duration(parsed.expiresInMs),
        presence: readPresenceList(parsed.presence),
      };
    case 'error':
      if (typeof parsed.code !== 'string') return undefined;
      return {
        type: 'error',
        code: parsed.code,
        message: optionalString(parsed.message) ?? parsed.code,
        id: optionalString(parsed.id),
        topic: optionalString(parsed.topic),
      };
    case 'session': {
      const expiresInMs = duration(parsed.expiresInMs);
      return expiresInMs === undefined ? undefined : { type: 'session', expiresInMs };
    }
    case 'join':
    case 'leave': {
      const member = readMember(parsed.member);
      return member && typeof parsed.topic === 'string' ? { type: parsed.type, topic: parsed.topic, member } : undefined;
    }
    default:
      return undefined;
  }
}
