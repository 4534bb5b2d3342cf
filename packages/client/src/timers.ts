/**
 * Named timers, so the one teardown path can stop every one of them with one call. Each runs
 * through `guard` (the client's guarded entry point).
 */
export class Timers<Name extends string> {
  // Assigned in the constructor; `declare` keeps the bundle from defining it (see client.ts).
  declare private readonly handles: Map<Name, ReturnType<typeof setTimeout>>;

  constructor(private readonly guard: (run: () => void) => void) {
    this.handles = new Map();
  }

  set(name: Name, ms: number, fn: () => void): void {
    this.clear(name);
    this.handles.set(
      name,
      setTimeout(() => {
        this.handles.delete(name);
        this.guard(fn);
      }, ms),
    );
  }

  has(name: Name): boolean {
    return this.handles.has(name);
  }

  clear(name: Name): void {
    clearTimeout(this.handles.get(name));
    this.handles.delete(name);
  }

  clearAll(): void {
    for (const handle of this.handles.values()) clearTimeout(handle);
    this.handles.clear();
  }
}
