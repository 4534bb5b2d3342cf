import { EventEmitter } from 'eventemitter3';
import { FiretowerError } from './errors.js';

/**
 * A thrown value as text, without trusting it: an app (or a hostile server's data, passed through
 * an app) can throw anything, including objects whose `toString` throws.
 */
export function describeThrown(thrown: unknown): string {
  try {
    return String(thrown instanceof Error ? thrown.message : thrown);
  } catch {
    return typeof thrown;
  }
}

/** The error the client reports when app code it called (a handler, a listener, an option) threw. */
export function callbackError(what: string, thrown: unknown, topic?: string): FiretowerError {
  return new FiretowerError('callback', `${what} threw: ${describeThrown(thrown)}`, { topic, cause: thrown });
}

/** The topic an event is about, when it carries a message or an error naming one. */
function eventTopic(args: readonly unknown[]): string | undefined {
  const topic = (args[0] as { topic?: unknown } | undefined)?.topic;
  return typeof topic === 'string' ? topic : undefined;
}

type AnyListener = (...args: unknown[]) => void;

/**
 * An EventEmitter whose `emit` calls each listener on its own, so one that throws (an app bug)
 * neither unwinds into the caller (the socket's receive path, a state change half done) nor keeps
 * the listeners after it (the client's own `ready()` among them) from hearing the event. What a
 * listener throws goes to `listenerThrew`. Listeners are called with the emitter as `this`, as
 * eventemitter3 does by default; its optional `context` argument is not kept.
 */
export abstract class IsolatedEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  override emit<E extends EventEmitter.EventNames<Events>>(event: E, ...args: EventEmitter.EventArgs<Events, E>): boolean {
    // A copy: listeners added or removed by a listener take effect from the next event.
    const listeners = this.listeners(event) as AnyListener[];
    for (const listener of listeners) {
      // Removes it only if it was added with once(), and before it runs, as eventemitter3 does.
      this.removeListener(event, listener as never, undefined, true);
      try {
        listener.apply(this, args as unknown[]);
      } catch (thrown) {
        this.listenerThrew(event as string, thrown, eventTopic(args));
      }
    }
    return listeners.length > 0;
  }

  protected abstract listenerThrew(event: string, thrown: unknown, topic: string | undefined): void;
}
