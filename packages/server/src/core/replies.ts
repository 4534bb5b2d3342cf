/**
 * Replies (acks, errors, a subscribe's replay) go out in the order of the client's frames, though
 * some answers come later than others (a publish's ack waits for the broker). A connection's
 * ReplyOrder is made on its first deferred reply; until then, and whenever nothing waits, a reply
 * is written at once. These functions keep that rule out of the Tower.
 */
import { ReplyOrder } from './reply-order.js';

/** The connection as these functions see it. */
export interface Replier {
  replyOrder: ReplyOrder | undefined;
  /** Write a frame of the connection's own, counted in stats. */
  writeText(text: string): boolean;
  /** An unexpected error: report it and close this connection alone. */
  crashed(error: unknown): void;
}

export function replyInOrder(replier: Replier, text: string): void {
  const order = replier.replyOrder;
  if (order === undefined || order.idle) replier.writeText(text);
  else order.push(text);
}

export function replyWithInOrder(replier: Replier, write: () => void): void {
  const order = replier.replyOrder;
  if (order === undefined || order.idle) write();
  else
    order.push(() => {
      try {
        write();
      } catch (error) {
        replier.crashed(error);
      }
    });
}

/** Reserve the next place among the replies; call the result once, with the reply or `null`. */
export function deferReplyInOrder(replier: Replier): (text: string | null) => void {
  const order = (replier.replyOrder ??= new ReplyOrder((text) => void replier.writeText(text)));
  const ticket = order.reserve();
  return (text) => {
    try {
      order.fill(ticket, text);
    } catch (error) {
      replier.crashed(error);
    }
  };
}
