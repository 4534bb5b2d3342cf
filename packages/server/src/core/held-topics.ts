/**
 * A connection's held topics: live deliveries wait while a history replay is prepared (the
 * subscriber is live first, then its history is read, so nothing published meanwhile is missed).
 * The HeldDeliveries set is made on the first hold and dropped as soon as nothing is held, so an
 * ordinary connection carries none; these functions keep that rule in one place.
 */
import type { StreamPosition } from '@firetower/protocol';
import { HeldDeliveries } from '../history/held.js';
import type { Frame } from '../transport/send-queue.js';

/** The connection as these functions see it: its held set and its fan-out write. */
export interface HoldingMember {
  held: HeldDeliveries | undefined;
  write(frame: Frame): boolean;
}

export function holdTopics(member: HoldingMember, topics: readonly string[], maxBytes: number): void {
  (member.held ??= new HeldDeliveries(maxBytes)).hold(topics);
}

/** A live delivery of a held topic: held, or written when the topic is past its replay. */
export function deliverHeld(member: HoldingMember, topic: string, frame: Frame, position: StreamPosition | undefined): boolean {
  const held = member.held;
  if (held === undefined) return member.write(frame);
  let written = false;
  held.add(topic, frame, position, (live) => void (written = member.write(live)));
  if (held.size === 0) member.held = undefined;
  return written;
}

/** Stop holding `topic` and write what was held, except publications at or before `through`. */
export function releaseHeld(member: HoldingMember, topic: string, through: StreamPosition | undefined): void {
  const held = member.held;
  if (held === undefined) return;
  held.release(topic, through, (frame) => void member.write(frame));
  if (held.size === 0) member.held = undefined;
}
