import { readdirSync, readFileSync } from 'node:fs';

/**
 * Watches the connection count against the process's file-descriptor limit. When the limit is
 * reached, the operating system layer under Node (libuv) accepts each new connection and closes it
 * at once, and Node is never told: clients see resets and the server logs nothing. So the node
 * warns before that: once when its connections reach 90 % of the descriptors left after start-up,
 * and again only after they fell below 80 % and climbed back. Linux only (/proc); elsewhere it
 * stays silent.
 */
export class FdLimitWatch {
  private readonly warnAt: number | undefined;
  private readonly rearmAt: number;
  private warned = false;

  constructor(
    readonly limit = softFdLimit(),
    baseline = openFds(),
  ) {
    if (limit === undefined || baseline === undefined || limit === Number.POSITIVE_INFINITY) {
      this.warnAt = undefined;
      this.rearmAt = 0;
      return;
    }
    const room = Math.max(1, limit - baseline);
    this.warnAt = Math.max(1, Math.floor(room * 0.9));
    this.rearmAt = Math.floor(room * 0.8);
  }

  /** The message to report when `connections` just crossed the warning level, else undefined. */
  check(connections: number): string | undefined {
    if (this.warnAt === undefined) return undefined;
    if (this.warned) {
      if (connections < this.rearmAt) this.warned = false;
      return undefined;
    }
    if (connections < this.warnAt) return undefined;
    this.warned = true;
    return (
      `${connections} connections open and the process may open at most ${this.limit} files: ` +
      'past that limit new connections are dropped without a trace; raise it (ulimit -n, systemd LimitNOFILE, docker --ulimit nofile)'
    );
  }
}

/** The soft RLIMIT_NOFILE, from /proc/self/limits; undefined where that is not readable. */
export function softFdLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === undefined) return undefined;
    return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return undefined;
  }
}

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
