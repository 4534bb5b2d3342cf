/** Publish, PublishBatch and PublishStream: three ways into `ft.publish`. */
import type { handleClientStreamingCall, handleUnaryCall, sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import type { PublishResult } from '@firetower/server';
import createDebug from 'debug';
import { callEnded, unary, type CallContext } from './context.js';
import { InvalidArgumentError, toApiError } from './errors.js';
import { answer, malformed, MalformedRequest } from './guard.js';
import type { PublishBatchRequest, PublishReply, PublishRequest, PublishSummary } from './messages.js';
import { validPublish, type ValidPublish } from './validate.js';

const debug = createDebug('firetower:grpc:publish');

/**
 * Tolerant of a server older than PublishResult (its ft.publish resolved to undefined): that is a
 * delivered publish, not a fault.
 */
function isDuplicate(result: PublishResult | undefined): boolean {
  return result?.duplicate === true;
}

/** Counts accepted and rejected messages and keeps the first rejection. */
class SummaryBuilder {
  private readonly summary: PublishSummary = { accepted: 0, rejected: 0, duplicates: 0 };

  accept(result: PublishResult): void {
    this.summary.accepted += 1;
    if (isDuplicate(result)) this.summary.duplicates += 1;
  }

  reject(index: number, error: unknown): void {
    this.summary.rejected += 1;
    if (this.summary.firstError !== undefined) return;
    const apiError = toApiError(error);
    this.summary.firstError = { index, code: apiError.code, message: apiError.message };
  }

  result(): PublishSummary {
    return this.summary;
  }
}

function send(context: CallContext, message: ValidPublish): Promise<PublishResult> {
  return context.ft.publish(message.topic, message.data, message.options);
}

export function publishHandler(context: CallContext): handleUnaryCall<PublishRequest, PublishReply> {
  return unary(context, async (request) => {
    const result = await send(context, validPublish(request, context.options));
    return { duplicate: isDuplicate(result) };
  });
}

export function publishBatchHandler(context: CallContext): handleUnaryCall<PublishBatchRequest, PublishSummary> {
  return unary(context, async (request, call) => {
    const { maxBatch } = context.options;
    if (request.messages.length > maxBatch) {
      throw new InvalidArgumentError('batch_too_large', `batch has ${request.messages.length} messages, more than max_batch ${maxBatch}`);
    }
    // All or nothing on validation: a producer fixes its batch instead of guessing what went out.
    const valid = request.messages.map((message, index) => {
      try {
        return validPublish(message, context.options);
      } catch (error) {
        if (!(error instanceof InvalidArgumentError)) throw error;
        throw new InvalidArgumentError(error.code, `messages[${index}]: ${error.message}`);
      }
    });
    const summary = new SummaryBuilder();
    for (const [index, message] of valid.entries()) {
      // A cancelled or expired call stops publishing the rest; the client sees CANCELLED or
      // DEADLINE_EXCEEDED and knows the batch may be partly published.
      if (callEnded(call)) break;
      try {
        summary.accept(await send(context, message));
      } catch (error) {
        summary.reject(index, error);
      }
    }
    return summary.result();
  });
}

/** Publishes accepted by ft.publish but not yet resolved, per PublishStream call. */
const STREAM_WINDOW = 256;

type StreamState = 'reading' | 'paused' | 'draining' | 'done';

/**
 * Publishes messages without waiting for the previous one: the Broker contract keeps one
 * caller's publishes on a topic in call order, and ft.publish hands each to the broker
 * synchronously. Messages are checked as they arrive but published together once per event-loop
 * turn: Node hands each HTTP/2 message to its own callback, and the server flushes its corked
 * socket writes after every callback, so publishing one by one cost a write per subscriber per
 * message (`pnpm bench --scenarios publish-api`: 76k deliveries/s one by one, 502k batched per
 * turn, into 1,000 subscribers). At most STREAM_WINDOW publishes are pending (queued or in
 * flight); beyond that the call is paused, so HTTP/2 flow control slows the producer instead of
 * our memory growing.
 */
class PublishStreamRun {
  private state: StreamState = 'reading';
  private index = 0;
  private pending = 0;
  private readonly summary = new SummaryBuilder();
  /** Checked messages waiting for this turn's flush, in arrival order. */
  private queued: Array<{ index: number; message: ValidPublish }> = [];

  constructor(
    private readonly context: CallContext,
    private readonly call: ServerReadableStream<PublishRequest, PublishSummary>,
    private readonly callback: sendUnaryData<PublishSummary>,
  ) {
    // Admission already happened before grpc-js read anything (admission.ts).
    call.on('cancelled', () => this.finish());
    call.on('data', (request: PublishRequest | MalformedRequest) => this.guarded(() => this.onMessage(request)));
    call.on('end', () => this.guarded(() => this.onEnd()));
    call.on('error', (error: unknown) => this.fail(error));
  }

  /** Listener faults end this call only: an exception in a stream listener would crash the process. */
  private guarded(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.fail(error);
    }
  }

  private onEnd(): void {
    if (this.state === 'done') return;
    this.state = 'draining';
    this.maybeReply();
  }

  private onMessage(request: PublishRequest | MalformedRequest): void {
    if (this.state === 'done') return;
    if (callEnded(this.call)) {
      this.finish();
      return;
    }
    const index = this.index++;
    let message: ValidPublish;
    try {
      if (request instanceof MalformedRequest) throw malformed(request);
      message = validPublish(request, this.context.options);
    } catch (error) {
      this.summary.reject(index, error);
      return;
    }
    this.pending += 1;
    if (this.queued.length === 0) setImmediate(() => this.guarded(() => this.flush()));
    this.queued.push({ index, message });
    if (this.state === 'reading' && this.pending >= STREAM_WINDOW) {
      this.state = 'paused';
      this.call.pause();
    }
  }

  /** Publish everything that arrived this turn; messages already read still go out after a cancel. */
  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    for (const { index, message } of batch) {
      let publishing: Promise<PublishResult>;
      try {
        publishing = send(this.context, message);
      } catch (error) {
        publishing = Promise.reject(error);
      }
      publishing
        .then(
          (result) => this.summary.accept(result),
          (error: unknown) => this.summary.reject(index, error),
        )
        .finally(() => this.guarded(() => this.settled()));
    }
  }

  private settled(): void {
    this.pending -= 1;
    if (this.state === 'paused' && this.pending <= STREAM_WINDOW / 2) {
      this.state = 'reading';
      this.call.resume();
    }
    this.maybeReply();
  }

  private maybeReply(): void {
    if (this.state !== 'draining' || this.pending > 0) return;
    this.state = 'done';
    answer(this.context, this.info(), () => this.callback(null, this.summary.result()));
  }

  private fail(error: unknown): void {
    if (this.state === 'done') return;
    this.state = 'done';
    const status = this.context.fault(error, this.info());
    if (!this.call.cancelled) answer(this.context, this.info(), () => this.callback(status));
  }

  private info(): { method: string; peer: string } {
    return { method: this.call.getPath(), peer: this.call.getPeer() };
  }

  /** Cancelled or past its deadline: stop reading; publishes already handed over still go out. */
  private finish(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    debug('PublishStream cancelled after %d messages', this.index);
  }
}

export function publishStreamHandler(context: CallContext): handleClientStreamingCall<PublishRequest, PublishSummary> {
  return (call, callback) => {
    new PublishStreamRun(context, call, callback);
  };
}
