import type { EventEmitter } from 'eventemitter3';
import { FiretowerError } from './errors.js';

/**
 * A thrown value as text, without trusting it: an app (or a hostile server's data, passed through
 * an app) can throw anything, including objects whose `toString` throws.
 */
export function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error) return String(thrown.message);
    if (typeof thrown === 'string') return thrown;
    return typeof thrown;
  } catch {
    return 'an unprintable value';
  }
}

/** The error the client reports when app code it called (a handler, a listener, an option) threw. */
export function callbackError(what: string, thrown: unknown, topic?: string): FiretowerError {
  const message = `${what} threw: ${describeThrown(thrown)}`;
  return new FiretowerError('callback', message, topic === undefined ? { cause: thrown } : { topic, cause: thrown });
}

/** The topic an event is about, when it carries a message or an error naming one. */
export function eventTopic(args: readonly unknown[]): string | undefined {
  const first = args[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const topic = (first as { topic?: unknown }).topic;
  return typeof topic === 'string' ? topic : undefined;
}

type AnyListener = (...args: unknown[]) => void;

/**
 * Emits an event calling each listener on its own, so one that throws (an app bug) neither
 * unwinds into the caller (the socket's receive path, a state change half done) nor keeps the
 * listeners after it (the client's own `ready()` among them) from hearing the event. What a
 * listener throws goes to `report`. Listeners are called with the emitter as `this`, as
 * eventemitter3 does by default; its optional `context` argument is not kept.
 */
export function emitIsolated(emitter: EventEmitter, event: string, args: readonly unknown[], report: (thrown: unknown) => void): boolean {
  // A copy: listeners added or removed by a listener take effect from the next event.
  const listeners = emitter.listeners(event) as AnyListener[];
  for (const listener of listeners) {
    // Removes it only if it was added with once(), and before it runs, as eventemitter3 does.
    emitter.removeListener(event, listener, undefined, true);
    try {
      listener.apply(emitter, args as unknown[]);
    } catch (thrown) {
      report(thrown);
    }
  }
  return listeners.length > 0;
}
