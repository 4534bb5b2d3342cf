/**
 * CPU time and resident memory of processes, read from /proc (Linux only), so every target is
 * measured the same way from outside, whatever it runs on.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { now } from './loadgen/messages.js';

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

const TICKS = clockTicksPerSecond();

/** utime + stime of a process in seconds (all its threads); 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) are utime and stime; after the name, state is index 0 (field 3).
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / TICKS;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes; 0 when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface ProcSample {
  /** Monotonic ms (see loadgen/messages.ts `now`). */
  at: number;
  cpuSeconds: number;
  rssBytes: number;
}

/** CPU and RSS summed over a group of processes (the servers of one target). */
export function sample(pids: readonly number[]): ProcSample {
  let cpu = 0;
  let rss = 0;
  for (const pid of pids) {
    cpu += cpuSeconds(pid);
    rss += rssBytes(pid);
  }
  return { at: now(), cpuSeconds: cpu, rssBytes: rss };
}
