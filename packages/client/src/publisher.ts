import { checkTopic, CloseCode } from '@firetower/protocol';
import { describeThrown } from './callbacks.js';
import { FiretowerError } from './errors.js';
import { PublishQueue, type PendingPublish, type PublishResult } from './publish-queue.js';

export interface PublishOptions {
  /** Do not deliver this message back to this client. @default false */
  excludeSelf?: boolean;
  /** Overrides the client's `publishTimeoutMs` for this publish. */
  timeoutMs?: number;
}

interface PublisherLink {
  /** Sends a frame on the open socket; false when there is none. */
  send(text: string): boolean;
  nextId(): string;
  /** Open, and the topics sent on open are answered: publishes may go out now. */
  canSend(): boolean;
  isClosed(): boolean;
}

interface PublisherLimits {
  maxFrameBytes: number;
  maxQueuedPublishes: number;
  publishTimeoutMs: number;
}

const encoder = new TextEncoder();

/** The per-call options, read defensively: null or a primitive is no options, and a timeout must be a positive number. */
function readOptions(given: unknown, defaultTimeoutMs: number): { excludeSelf: boolean; timeoutMs: number } {
  const { excludeSelf, timeoutMs } = Object(given) as PublishOptions;
  return { excludeSelf: !!excludeSelf, timeoutMs: typeof timeoutMs === 'number' && timeoutMs > 0 ? timeoutMs : defaultTimeoutMs };
}

/**
 * Publishes from the call to the ack: local checks, the bounded offline queue, ack timeouts, and
 * what happens to them when a connection ends (re-sent with the same id, or rejected).
 */
export class Publisher {
  // Assigned in the constructor; `declare` keeps the bundle from defining it (see client.ts).
  declare private readonly queue: PublishQueue;

  constructor(
    private readonly link: PublisherLink,
    private readonly limits: PublisherLimits,
  ) {
    this.queue = new PublishQueue();
  }

  get queuedCount(): number {
    return this.queue.queuedCount();
  }

  publish(topic: string, data: unknown, given: PublishOptions): Promise<PublishResult> {
    return new Promise((resolve, reject) => {
      // Plain JavaScript callers can pass anything: only a string topic is named in an error.
      const about = typeof topic === 'string' ? { topic } : {};
      if (this.link.isClosed()) return reject(new FiretowerError('closed', 'the client is closed', about));
      const check = checkTopic(topic);
      if (!check.ok) return reject(new FiretowerError('invalid', check.reason, about));
      const options = readOptions(given, this.limits.publishTimeoutMs);
      const id = this.link.nextId();
      let text: string;
      try {
        text = JSON.stringify({ type: 'publish', topic, data: data ?? null, id, ...(options.excludeSelf ? { excludeSelf: true } : {}) });
      } catch (error) {
        return reject(new FiretowerError('invalid', `data is not JSON-serialisable: ${describeThrown(error)}`, about));
      }
      const bytes = encoder.encode(text).byteLength;
      const { maxFrameBytes, maxQueuedPublishes } = this.limits;
      if (bytes > maxFrameBytes) {
        return reject(new FiretowerError('too_large', `publish frame is ${bytes} bytes, over maxFrameBytes ${maxFrameBytes}`, about));
      }
      const sendNow = this.link.canSend();
      if (!sendNow && this.queue.queuedCount() >= maxQueuedPublishes) {
        return reject(new FiretowerError('queue_full', `${maxQueuedPublishes} publishes already wait for a connection`, about));
      }
      const entry: PendingPublish = { id, text, bytes, timeoutMs: options.timeoutMs, status: 'queued', timer: undefined, resolve, reject };
      this.queue.add(entry);
      if (sendNow) this.send(entry);
    });
  }

  /** Sends the queued publishes in the order they were made (retries keep their ids). */
  flush(): void {
    if (!this.link.canSend()) return;
    for (const entry of this.queue.queued()) this.send(entry);
  }

  /** True when the id was a publish. */
  acknowledged(id: string, duplicate: boolean): boolean {
    const entry = this.queue.take(id);
    entry?.resolve({ id, duplicate });
    return entry !== undefined;
  }

  failed(id: string, error: FiretowerError): boolean {
    const entry = this.queue.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** The connection ended: publishes on the wire go back to the queue, to be re-sent with their ids. */
  dropped(closeCode: number): void {
    if (closeCode === CloseCode.MessageTooBig) {
      // Re-sending the frame the server choked on would loop forever.
      const culprit = this.queue.largestSent();
      if (culprit) {
        this.queue.take(culprit.id);
        culprit.reject(new FiretowerError('too_large', 'the server closed with 1009: message too big', { closeCode }));
      }
    }
    this.queue.requeueSent();
  }

  rejectAll(error: FiretowerError): void {
    this.queue.rejectAll(error);
  }

  private send(entry: PendingPublish): void {
    if (!this.link.send(entry.text)) return;
    entry.status = 'sent';
    entry.timer = setTimeout(() => {
      this.queue.take(entry.id);
      entry.reject(new FiretowerError('timeout', `no acknowledgement within ${entry.timeoutMs} ms`));
    }, entry.timeoutMs);
  }
}
