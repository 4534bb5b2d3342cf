/**
 * What `client.close(code, reason)` may put in a close frame. The WebSocket API's `close()` throws
 * for anything else (a browser accepts only 1000 and 3000–4999; ws also refuses 1005, 1006 and
 * reasons over 123 bytes), and ws throws after it has already marked the socket as closing, so a
 * refused close would leave the connection open on the server while the client reports `closed`.
 * The client never hands it such a value: it maps and truncates first.
 */

/** The longest close reason, in UTF-8 bytes: a control frame's 125-byte payload less the 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** 1000 and 3000–4999 as given; anything else (1005, 1006, 999, 2999, 5000, NaN, 1000.5, a string…) becomes 1000. */
export function closeCodeFor(code: unknown): number {
  if (typeof code !== 'number' || !Number.isInteger(code)) return 1000;
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/**
 * The reason cut to at most 123 UTF-8 bytes on a character boundary (a surrogate pair is never
 * split); a lone surrogate becomes U+FFFD, as the encoder would send it anyway. Non-strings give ''.
 */
export function closeReasonFor(reason: unknown): string {
  if (typeof reason !== 'string') return '';
  let out = '';
  let bytes = 0;
  for (const char of reason) {
    const point = char.codePointAt(0) ?? 0;
    const lone = point >= 0xd800 && point <= 0xdfff;
    const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (bytes + size > MAX_CLOSE_REASON_BYTES) break;
    bytes += size;
    out += lone ? '\ufffd' : char;
  }
  return out;
}
