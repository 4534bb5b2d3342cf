/** Named timers, so the one teardown path can stop every one of them with one call. */
export class Timers<Name extends string> {
  private readonly handles = new Map<Name, ReturnType<typeof setTimeout>>();

  set(name: Name, ms: number, fn: () => void): void {
    this.clear(name);
    this.handles.set(
      name,
      setTimeout(() => {
        this.handles.delete(name);
        fn();
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
