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
  return Number.isInteger(code) && (code as number) >= 3000 && (code as number) <= 4999 ? (code as number) : 1000;
}

const encoder = new TextEncoder();

/**
 * The reason cut to at most 123 UTF-8 bytes on a character boundary (a surrogate pair is never
 * split; a lone surrogate counts as the 3 bytes of the U+FFFD it is sent as). Non-strings give ''.
 */
export function closeReasonFor(reason: unknown): string {
  let out = '';
  // Stops at the first character that does not fit, so a huge reason costs at most 124 steps.
  if (typeof reason === 'string') {
    for (const char of reason) {
      if (encoder.encode(out + char).length > MAX_CLOSE_REASON_BYTES) break;
      out += char;
    }
  }
  return out;
}
