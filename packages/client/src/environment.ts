/**
 * The page's network and visibility, so an offline or hidden tab does not hammer the server.
 * Injectable (the `environment` option) for apps with their own signals and for tests.
 */
export type EnvironmentChange = 'online' | 'offline' | 'visible' | 'hidden';

export interface Environment {
  isOnline(): boolean;
  isVisible(): boolean;
  /** Starts reporting changes; returns the function that stops. */
  watch(onChange: (change: EnvironmentChange) => void): () => void;
}

interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

interface BrowserGlobals {
  addEventListener?: EventSource['addEventListener'];
  removeEventListener?: EventSource['removeEventListener'];
  navigator?: { onLine?: boolean };
  document?: EventSource & { visibilityState?: string };
}

/** Uses `online`/`offline` on the window and `visibilitychange` on the document when they exist; elsewhere always online and visible. */
export function browserEnvironment(globals: BrowserGlobals = globalThis): Environment {
  return {
    isOnline: () => globals.navigator?.onLine !== false,
    isVisible: () => globals.document?.visibilityState !== 'hidden',
    watch(onChange) {
      const stops: Array<() => void> = [];
      const listen = (target: EventSource, type: string, listener: () => void) => {
        target.addEventListener(type, listener);
        stops.push(() => target.removeEventListener(type, listener));
      };
      if (typeof globals.addEventListener === 'function' && typeof globals.removeEventListener === 'function') {
        // Called as methods of the globals object (the window), so `this` is right without bind().
        listen(globals as EventSource, 'online', () => onChange('online'));
        listen(globals as EventSource, 'offline', () => onChange('offline'));
      }
      const doc = globals.document;
      if (doc && typeof doc.addEventListener === 'function') {
        listen(doc, 'visibilitychange', () => onChange(doc.visibilityState === 'hidden' ? 'hidden' : 'visible'));
      }
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}
