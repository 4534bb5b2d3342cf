import type { FiretowerError } from './errors.js';
import type { ServerMessage } from './server-frames.js';

export type AckMessage = Extract<ServerMessage, { type: 'ack' }>;

/** The server's answer: its ack, or its error frame; neither when the connection ended first. */
export type Answer = (ack: AckMessage | undefined, error?: FiretowerError) => void;

/** Frames other than topic frames and publishes that wait for an answer (presence queries, refreshes), by id. */
export class Requests extends Map<string, Answer> {
  /** True when the id was one of these. */
  answer(id: string, ack: AckMessage | undefined, error?: FiretowerError): boolean {
    const answer = this.get(id);
    this.delete(id);
    answer?.(ack, error);
    return answer !== undefined;
  }

  /** The connection is gone: nothing will be answered. */
  dropped(): void {
    for (const id of [...this.keys()]) this.answer(id, undefined);
  }
}
