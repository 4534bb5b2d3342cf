import type { PresenceList } from '@firetower/protocol';
import { callbackError } from './callbacks.js';
import { refreshDelay, withParams, type ParamsOption } from './credentials.js';
import { FiretowerError } from './errors.js';
import type { ServerMessage } from './server-frames.js';

export type AckMessage = Extract<ServerMessage, { type: 'ack' }>;

/** The server's answer: its ack, or its error frame; neither when the connection ended first. */
export type Answer = (ack: AckMessage | undefined, error?: FiretowerError) => void;

interface RequestsLink {
  /** Sends a frame on the open socket; false when there is none. */
  send(text: string): boolean;
  nextId(): string;
  /** Runs a timer's work as one of the client's guarded entry points. */
  guarded(run: () => void): void;
  report(error: FiretowerError): void;
}

/**
 * Frames other than topic frames and publishes that wait for an answer, by id: presence queries,
 * and credential refreshes, which go out ahead of the expiry the server announces. The refresh
 * timer and a generation end with the connection (`dropped()`), so a `params` provider that
 * answers late never refreshes the next one.
 */
export class Requests extends Map<string, Answer> {
  declare private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  declare private generation: number;

  constructor(
    private readonly link: RequestsLink,
    private readonly options: { params?: ParamsOption | undefined },
  ) {
    super();
    this.generation = 0;
  }

  /** Sends a frame that waits for an answer; false (and no answer) when there is no open socket. */
  send(frame: object, answer: Answer): boolean {
    const id = this.link.nextId();
    const sent = this.link.send(JSON.stringify({ ...frame, id }));
    if (sent) this.set(id, answer);
    return sent;
  }

  presence(topic: string): Promise<PresenceList> {
    return new Promise((resolve, reject) => {
      const sent = this.send({ type: 'presence', topic }, (ack, error) => {
        if (ack?.presence) resolve(ack.presence);
        else reject(error ?? new FiretowerError(ack ? 'invalid' : 'closed', 'no presence list', { topic }));
      });
      if (!sent) reject(new FiretowerError('closed', 'no presence list: not connected', { topic }));
    });
  }

  /**
   * The credentials expire in `expiresInMs` (a `session` frame, a refresh ack; undefined: they no
   * longer do). With a `params` provider, a refresh goes out at `refreshDelay`; a refused one is
   * reported and the server's 4005 at expiry brings a reconnect with fresh params.
   */
  expiresIn(expiresInMs: number | undefined): void {
    const provider = this.options.params;
    clearTimeout(this.refreshTimer);
    if (expiresInMs === undefined || typeof provider !== 'function') return;
    this.refreshTimer = setTimeout(() => this.link.guarded(() => this.refresh(provider)), refreshDelay(expiresInMs));
  }

  /** True when the id was one of these. */
  answer(id: string, ack: AckMessage | undefined, error?: FiretowerError): boolean {
    const answer = this.get(id);
    this.delete(id);
    answer?.(ack, error);
    return answer !== undefined;
  }

  /** The connection is gone: nothing will be answered, or refreshed. */
  dropped(): void {
    clearTimeout(this.refreshTimer);
    this.generation++;
    for (const id of [...this.keys()]) this.answer(id, undefined);
  }

  private refresh(provider: ParamsOption): void {
    const generation = this.generation;
    const { link } = this;
    withParams(
      provider,
      (credentials) => {
        if (generation === this.generation)
          this.send({ type: 'refresh', credentials }, (ack, error) => (ack ? this.expiresIn(ack.expiresInMs) : error && link.report(error)));
      },
      (thrown) => {
        if (generation === this.generation) link.report(callbackError('params', thrown));
      },
    );
  }
}
