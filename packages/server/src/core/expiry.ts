/**
 * A connection's credentials expiry: one timer, re-armed by `renew` (a `refresh` frame), that
 * calls `expire` when the time passes. setTimeout's longest delay is about 24.8 days, so a later
 * expiry is reached in steps.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** An expiry the app gave, if it is a real time (anything else means no expiry). */
function validExpiry(expiresAt: unknown): number | undefined {
  return typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? expiresAt : undefined;
}

export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined;
  private expiresAt: number | undefined;

  constructor(
    private readonly expire: () => void,
    private readonly onTimerError: (error: unknown) => void,
  ) {}

  /**
   * Arm for `expiresAt` (ms since the epoch), or disarm with anything that is not a time. Returns
   * the ms left (0: already expired, `expire` was called), or undefined when nothing expires.
   */
  renew(expiresAt: unknown): number | undefined {
    this.stop();
    this.expiresAt = validExpiry(expiresAt);
    if (this.expiresAt === undefined) return undefined;
    const left = this.expiresAt - Date.now();
    if (left <= 0) {
      this.expire();
      return 0;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        try {
          this.renew(this.expiresAt);
        } catch (error) {
          this.onTimerError(error);
        }
      },
      Math.min(left, MAX_TIMER_MS),
    );
    this.timer.unref();
    return left;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
