import { randomFillSync } from 'node:crypto';

/**
 * Random (version 4) UUIDs for connections that bring no usable `?clientId=`, built as one flat
 * string. `crypto.randomUUID()` returns a rope of about twenty concatenated pieces, and a
 * connection keeps its id for life: measured at ~420 B more retained heap per id than a flat
 * string, on every idle connection.
 */
const BATCH = 128;
const entropy = Buffer.alloc(16 * BATCH);
let offset = entropy.length;
const text = Buffer.alloc(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export function newClientId(): string {
  if (offset === entropy.length) {
    randomFillSync(entropy);
    offset = 0;
  }
  entropy[offset + 6] = (entropy[offset + 6]! & 0x0f) | 0x40; // version 4
  entropy[offset + 8] = (entropy[offset + 8]! & 0x3f) | 0x80; // RFC 4122 variant
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    const byte = entropy[offset + i]!;
    text[at++] = HEX[byte >> 4]!;
    text[at++] = HEX[byte & 0x0f]!;
  }
  offset += 16;
  return text.toString('latin1', 0, 36);
}
