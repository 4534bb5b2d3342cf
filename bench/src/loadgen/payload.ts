/**
 * The `data` of every benchmark message, as one JSON string built by the publisher. Besides the
 * measuring fields (`ts`, `s`, `w`, read by the subscribers) it holds either a run of `x` (`pad`)
 * or a market-data feed update (`trades`, exactly `bytes` long).
 *
 * The trades payload is what the compression scenario sends: realistic JSON that deflate, without
 * any context from earlier messages, makes about 3.3× smaller at 1 KB (one delivery frame,
 * `zlib.deflateRawSync`, level 6). The content comes from a seeded generator per publisher, so
 * every target receives the same messages in the same order.
 */
import type { PayloadKind } from '../types.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'NVDA', 'META', 'TSLA', 'JPM'] as const;
const VENUES = ['XNAS', 'XNYS', 'ARCX', 'BATS', 'EDGX', 'IEXG'] as const;
const CONDITIONS = ['F', 'T', 'I', '4'] as const;
/** 2025-11-30T00:00:00Z: trade times are made up, but well-formed and increasing. */
const EPOCH_MS = 1_764_460_800_000;

/** A small linear congruential generator: deterministic, fast, good enough for made-up trades. */
export class SeededRandom {
  constructor(private seed: number) {}

  next(): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) & 0x7fffffff;
    return this.seed / 0x80000000;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)]!;
  }
}

export interface PayloadParams {
  kind: PayloadKind;
  /** Target length of the JSON text (ASCII, so also its byte length). */
  bytes: number;
  ts: number;
  seq: number;
  probe: 0 | 1;
  topic: number;
  random: SeededRandom;
}

/** The `data` JSON of one message. */
export function payloadJson(p: PayloadParams): string {
  const head = `{"ts":${p.ts},"s":${p.seq},"w":${p.probe}`;
  // The pad stays the fixed length it always was (about `bytes`, give or take the digits of ts).
  if (p.kind === 'pad') return `${head},"pad":"${'x'.repeat(Math.max(0, p.bytes - 52))}"}`;
  return tradesJson(head, p);
}

function tradesJson(head: string, p: PayloadParams): string {
  const symbol = SYMBOLS[p.topic % SYMBOLS.length]!;
  const base = 100 + (p.topic % 8) * 37;
  const start = `${head},"channel":"trades","symbol":"${symbol}","trades":[`;
  const startMs = EPOCH_MS + p.seq * 250;
  let body = '';
  for (let n = 0; ; n++) {
    const r = p.random;
    const trade =
      `{"id":${p.seq * 16 + n},"price":${(base + r.next() * 2).toFixed(2)},"size":${1 + Math.floor(r.next() * 500)},` +
      `"side":"${r.next() < 0.5 ? 'buy' : 'sell'}","venue":"${r.pick(VENUES)}",` +
      `"time":"${new Date(startMs + Math.floor(r.next() * 250)).toISOString()}","conditions":["@","${r.pick(CONDITIONS)}"]}`;
    // Room for the separator, the closing `],"pad":""}` and at least nothing of padding.
    if (start.length + body.length + trade.length + 12 > p.bytes && n > 0) break;
    body += n === 0 ? trade : `,${trade}`;
  }
  const open = `${start}${body}],"pad":"`;
  return `${open}${'x'.repeat(Math.max(0, p.bytes - open.length - 2))}"}`;
}
