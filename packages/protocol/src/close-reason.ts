/** The longest close reason, in UTF-8 bytes: a control frame's 125-byte payload less the 2-byte code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

const encoder = new TextEncoder();

/**
 * The reason cut to at most 123 UTF-8 bytes on a character boundary (a surrogate pair is never
 * split; a lone surrogate counts as the 3 bytes of the U+FFFD it is sent as). Non-strings give ''.
 * ws and browsers throw on a longer reason, so the server and the client both cut with this.
 */
export function truncateCloseReason(reason: unknown): string {
  if (typeof reason !== 'string') return '';
  // A UTF-16 unit is at most 3 UTF-8 bytes: short reasons (the usual ones) fit as they are.
  if (reason.length * 3 <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  // Stops at the first character that does not fit, so a huge reason costs at most 124 steps.
  for (const char of reason) {
    if (encoder.encode(out + char).length > MAX_CLOSE_REASON_BYTES) break;
    out += char;
  }
  return out;
}
