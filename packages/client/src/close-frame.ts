import { truncateCloseReason } from '@firetower/protocol';

/**
 * What `client.close(code, reason)` may put in a close frame. The WebSocket API's `close()` throws
 * for anything else (a browser accepts only 1000 and 3000–4999; ws also refuses 1005, 1006 and
 * reasons over 123 bytes), and ws throws after it has already marked the socket as closing, so a
 * refused close would leave the connection open on the server while the client reports `closed`.
 * The client never hands it such a value: it maps and truncates first.
 */

export { MAX_CLOSE_REASON_BYTES } from '@firetower/protocol';

/** 1000 and 3000–4999 as given; anything else (1005, 1006, 999, 2999, 5000, NaN, 1000.5, a string…) becomes 1000. */
export function closeCodeFor(code: unknown): number {
  return Number.isInteger(code) && (code as number) >= 3000 && (code as number) <= 4999 ? (code as number) : 1000;
}

/** The reason cut to at most 123 UTF-8 bytes on a character boundary; non-strings give ''. */
export const closeReasonFor = truncateCloseReason;
