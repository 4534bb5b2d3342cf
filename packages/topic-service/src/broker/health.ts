import { TopicServiceClientErrorCode } from '@firetower/protocol';
import { monotonicNow } from '../clock.js';
import { TopicServiceClientError } from '../errors.js';

/**
 * The link's health as an operator needs it: is something wrong that retrying alone will not fix
 * soon, and what. The broker keeps retrying with backoff either way; this decides what to *say*.
 *
 * - Transient failures (`network`, `timeout`, `closed`, `internal`: the service is down, restarting
 *   or overloaded) become a problem, `unreachable`, only once they have lasted `reportAfterMs`.
 * - Failures retrying cannot fix (`unauthorized`: a token mismatch; `not_found`: a wrong URL path;
 *   `bad_request` and the other 4xx refusals; `bad_response`: replies that are not the service's
 *   API) are a problem at once.
 * - The protocol's own signals (`unknown_node`, `poll_in_progress`, `poll_superseded`) are not.
 *
 * A problem is reported once, when it appears or changes to another code; a success clears it
 * (a recurrence is reported again). So a persistent failure is one report, not a log storm.
 */
export interface LinkProblem {
  code: TopicServiceClientErrorCode;
  message: string;
  /** `Date.now()` when it started (for people; durations use the monotonic clock). */
  since: number;
}

const Code = TopicServiceClientErrorCode;
const TRANSIENT = new Set<TopicServiceClientErrorCode>([Code.Network, Code.Timeout, Code.Closed, Code.Internal, Code.Unreachable]);
const PROTOCOL = new Set<TopicServiceClientErrorCode>([Code.UnknownNode, Code.PollInProgress, Code.PollSuperseded, Code.NotRunning]);

/** Where a problem goes: the broker's core keeps it for `status().error` and reports it once per code. */
export interface ProblemSink {
  raiseProblem(error: TopicServiceClientError): void;
  clearProblem(): void;
}

export class LinkHealth {
  /** Monotonic ms of the first transient failure of the current run, if any. */
  private failingSince: number | undefined;

  constructor(
    private readonly reportAfterMs: number,
    private readonly sink: ProblemSink,
    private readonly now: () => number = () => monotonicNow(),
  ) {}

  /** A request got a valid answer: the link works. */
  ok(): void {
    this.failingSince = undefined;
    this.sink.clearProblem();
  }

  /** A request failed. */
  failed(error: unknown): void {
    const err = error instanceof TopicServiceClientError ? error : new TopicServiceClientError(Code.Network, String((error as Error)?.message ?? error));
    if (PROTOCOL.has(err.code)) return;
    if (TRANSIENT.has(err.code)) {
      const now = this.now();
      this.failingSince ??= now;
      if (now - this.failingSince < this.reportAfterMs) return;
      const seconds = Math.round((now - this.failingSince) / 100) / 10;
      this.raise(new TopicServiceClientError(Code.Unreachable, `the topic service has not answered for ${seconds} s; retrying (last error: ${err.message})`));
      return;
    }
    this.raise(err);
  }

  /** Reported once per code by the sink (a recurrence after a success is reported again). */
  private raise(error: TopicServiceClientError): void {
    this.sink.raiseProblem(error);
  }
}
