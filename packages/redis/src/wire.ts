/**
 * What travels on the Redis channels.
 *
 * A delivery is `<header>\n<data>`: the header is a JSON array `[originNodeId]` or
 * `[originNodeId, excludeClientId]` (JSON escapes newlines, so the first `\n` ends it) and `data`
 * is the message's JSON text exactly as the origin serialised it — never parsed or re-encoded
 * on the way. The topic is the channel name, so it is not repeated in the payload.
 *
 * A history publish's header is built by the append script in Redis (`history.ts`), which alone
 * knows the position: `[offset, epoch]` or `[offset, epoch, excludeClientId]`. It names no origin:
 * every node delivers it, the origin included, so it starts with a digit where a plain header has
 * a quoted node id and `isOwn` never matches it.
 *
 * A presence event is a JSON object (it starts with `{`, never with `[`), PUBLISHed on the topic's
 * channel by the presence scripts in Redis (`presence-lua.ts`): `{"m":<members>,"j":[[id,info],…],
 * "l":[[id,info],…]}`, the topic's cluster-wide joins and leaves and its distinct members after
 * them; `info` is the member's JSON text as a string. Every node listening on the topic delivers
 * it, the one whose write caused it included.
 *
 * The control channel carries small JSON objects: a control command, or a notice that some
 * topics' counts changed.
 */
import type { StreamPosition } from '@firetower/protocol';
import type { BrokerMessage, ControlCommand, PresenceChange } from '@firetower/server';

export interface DecodedDelivery {
  /** The publishing node ('' for a history publish, whose header does not say). */
  origin: string;
  exclude: string | undefined;
  data: string;
  /** A history publish's place in its topic's stream. */
  position?: StreamPosition;
}

/** What the append script puts after the epoch in a history header: '' or `,<JSON clientId>`. */
export function historyExcludeSuffix(exclude: string | undefined): string {
  return exclude === undefined ? '' : `,${JSON.stringify(exclude)}`;
}

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/** Encodes deliveries for one origin node; the common header (no exclude) is built once. */
export class DeliveryCodec {
  private readonly plainHeader: string;
  /** `["<nodeId>"` — a payload starting with this and then `,` or `]` is this node's echo. */
  private readonly ownPrefix: string;

  constructor(private readonly nodeId: string) {
    this.plainHeader = `${JSON.stringify([nodeId])}\n`;
    this.ownPrefix = JSON.stringify([nodeId]).slice(0, -1);
  }

  encode(message: BrokerMessage): string {
    const header = message.exclude === undefined ? this.plainHeader : `${JSON.stringify([this.nodeId, message.exclude])}\n`;
    return header + message.data;
  }

  /** True when the payload was published by this node (checked without parsing). */
  isOwn(payload: string): boolean {
    if (!payload.startsWith(this.ownPrefix)) return false;
    const next = payload.charCodeAt(this.ownPrefix.length);
    return next === 0x2c /* , */ || next === 0x5d; /* ] */
  }

  /** Undefined for a malformed payload (another writer on our channel): dropped, never thrown. */
  static decode(payload: string): DecodedDelivery | undefined {
    const newline = payload.indexOf('\n');
    if (newline < 0) return undefined;
    const data = payload.slice(newline + 1);
    if (payload.charCodeAt(0) === 0x5b /* [ */ && isDigit(payload.charCodeAt(1))) return decodeHistoryHeader(payload.slice(0, newline), data);
    // Fast path: a header without backslashes has no escaped quotes, so every `"` delimits.
    if (payload.startsWith('["') && payload.startsWith('"]', newline - 2) && payload.lastIndexOf('\\', newline) < 0) {
      const parts = payload.slice(2, newline - 2).split('","');
      if (parts.length === 1 && !parts[0]!.includes('"')) return { origin: parts[0]!, exclude: undefined, data };
      if (parts.length === 2 && !parts[0]!.includes('"') && !parts[1]!.includes('"')) return { origin: parts[0]!, exclude: parts[1], data };
    }
    const header = parseJson(payload.slice(0, newline));
    if (!Array.isArray(header) || typeof header[0] !== 'string') return undefined;
    const exclude: unknown = header[1];
    if (exclude !== undefined && typeof exclude !== 'string') return undefined;
    return { origin: header[0], exclude, data };
  }
}

/** `[offset, epoch]` or `[offset, epoch, exclude]`; undefined when malformed. */
function decodeHistoryHeader(text: string, data: string): DecodedDelivery | undefined {
  const header = parseJson(text);
  if (!Array.isArray(header) || header.length < 2 || header.length > 3) return undefined;
  const [offset, epoch, exclude] = header as unknown[];
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 1 || typeof epoch !== 'string') return undefined;
  if (exclude !== undefined && typeof exclude !== 'string') return undefined;
  return { origin: '', exclude, data, position: { offset, epoch } };
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** The JSON value of `text`, or undefined when it is not JSON (a foreign writer: dropped, never thrown). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** True when a topic channel's payload is a presence event rather than a delivery. */
export function isPresenceEvent(payload: string): boolean {
  return payload.charCodeAt(0) === 0x7b; /* { */
}

/** `[[id, info], …]` as the change's list; undefined when malformed. Lua's cjson writes an empty list as `{}`. */
function presenceMembers(value: unknown): Array<{ memberId: string; info: string }> | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return [];
  if (!Array.isArray(value)) return undefined;
  const members: Array<{ memberId: string; info: string }> = [];
  for (const entry of value as unknown[]) {
    if (!Array.isArray(entry) || !isString(entry[0]) || !isString(entry[1])) return undefined;
    members.push({ memberId: entry[0], info: entry[1] });
  }
  return members;
}

/** A presence event on `topic`'s channel; undefined for anything malformed (dropped, never thrown). */
export function decodePresence(topic: string, payload: string): PresenceChange | undefined {
  const value = parseJson(payload);
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const joined = presenceMembers(v.j);
  const left = presenceMembers(v.l);
  if (joined === undefined || left === undefined || typeof v.m !== 'number' || !Number.isSafeInteger(v.m) || v.m < 0) return undefined;
  return { topic, joined, left, members: v.m };
}

export type ControlEnvelope = { o: string; k: 'control'; c: ControlCommand } | { o: string; k: 'counts'; t: string[] };

export function encodeControl(envelope: ControlEnvelope): string {
  return JSON.stringify(envelope);
}

function parseCommand(value: unknown): ControlCommand | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  switch (c.kind) {
    case 'kickUser':
      if (!isString(c.userId) || (c.reason !== undefined && !isString(c.reason))) return undefined;
      return c.reason === undefined ? { kind: 'kickUser', userId: c.userId } : { kind: 'kickUser', userId: c.userId, reason: c.reason };
    case 'unsubscribeUser':
      if (!isString(c.userId) || !isString(c.topic)) return undefined;
      return { kind: 'unsubscribeUser', userId: c.userId, topic: c.topic };
    case 'removeTopic':
      if (!isString(c.topic)) return undefined;
      return { kind: 'removeTopic', topic: c.topic };
    case 'sendTo':
      if (!isString(c.clientId) || !isString(c.topic) || !isString(c.data) || !isString(c.requestId) || !isString(c.origin)) return undefined;
      return { kind: 'sendTo', clientId: c.clientId, topic: c.topic, data: c.data, requestId: c.requestId, origin: c.origin };
    case 'sendToUser':
      if (!isString(c.userId) || !isString(c.topic) || !isString(c.data) || !isString(c.requestId) || !isString(c.origin)) return undefined;
      return { kind: 'sendToUser', userId: c.userId, topic: c.topic, data: c.data, requestId: c.requestId, origin: c.origin };
    case 'reached':
      if (!isString(c.requestId) || !isString(c.origin) || !isString(c.nodeId) || typeof c.connections !== 'number' || !Number.isFinite(c.connections))
        return undefined;
      return { kind: 'reached', requestId: c.requestId, origin: c.origin, nodeId: c.nodeId, connections: c.connections };
    default:
      return undefined;
  }
}

/** Undefined for anything malformed: a foreign writer on the channel must not crash a node. */
export function decodeControl(payload: string): ControlEnvelope | undefined {
  const value = parseJson(payload);
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!isString(v.o)) return undefined;
  if (v.k === 'control') {
    const command = parseCommand(v.c);
    return command && { o: v.o, k: 'control', c: command };
  }
  if (v.k === 'counts' && Array.isArray(v.t) && v.t.every(isString)) {
    return { o: v.o, k: 'counts', t: v.t };
  }
  return undefined;
}
