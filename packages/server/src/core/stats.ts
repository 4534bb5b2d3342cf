import type { FiretowerStats, RecentIssue } from '../types.js';

const RECENT_ISSUES = 100;

type DropKind = keyof FiretowerStats['dropsTotal'];
type RefusalKind = keyof FiretowerStats['refusalsTotal'];

/** Monotonic counters and the ring of recent issues the dashboard reads. */
export class StatsRecorder {
  messagesInTotal = 0;
  messagesOutTotal = 0;
  bytesOutTotal = 0;
  publishesTotal = 0;
  errorsTotal = 0;
  readonly dropsTotal: Record<DropKind, number> = { slow_consumer: 0, duplicate: 0, handler: 0, broker_overflow: 0 };
  readonly refusalsTotal: Record<RefusalKind, number> = {
    origin: 0,
    authenticate: 0,
    beforeSubscribe: 0,
    message: 0,
    rate: 0,
    limits: 0,
  };
  private readonly issues: RecentIssue[] = [];

  issue(kind: RecentIssue['kind'], source: string, message: string, extra?: { clientId?: string; topic?: string }): void {
    const entry: RecentIssue = { time: Date.now(), kind, source, message };
    if (extra?.clientId !== undefined) entry.clientId = extra.clientId;
    if (extra?.topic !== undefined) entry.topic = extra.topic;
    this.issues.push(entry);
    if (this.issues.length > RECENT_ISSUES) this.issues.shift();
  }

  refusal(kind: RefusalKind, message: string, extra?: { clientId?: string; topic?: string }, count = 1): void {
    this.refusalsTotal[kind] += count;
    this.issue('refusal', kind, message, extra);
  }

  drop(kind: DropKind, count: number, message: string, extra?: { clientId?: string; topic?: string }): void {
    this.dropsTotal[kind] += count;
    this.issue('drop', kind, message, extra);
  }

  error(source: string, message: string, extra?: { clientId?: string; topic?: string }): void {
    this.errorsTotal++;
    this.issue('error', source, message, extra);
  }

  recentIssues(): RecentIssue[] {
    return this.issues.map((issue) => ({ ...issue }));
  }

  snapshot(live: { connections: number; topics: number; subscriptions: number }): FiretowerStats {
    return {
      ...live,
      messagesInTotal: this.messagesInTotal,
      messagesOutTotal: this.messagesOutTotal,
      bytesOutTotal: this.bytesOutTotal,
      publishesTotal: this.publishesTotal,
      dropsTotal: { ...this.dropsTotal },
      refusalsTotal: { ...this.refusalsTotal },
      errorsTotal: this.errorsTotal,
    };
  }
}
