/**
 * Wakes the worker loop when new work may be due (an event arrived, a job ended). A wake-up that arrives while
 * the loop is busy claiming is remembered, so the loop looks for work again before it sleeps.
 */
export class WakeSignal {
  private woken = false;
  private wakeUp?: () => void;

  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    if (wake) wake();
    else this.woken = true;
  }

  /** Forgets earlier wake-ups: the loop is about to look for work. */
  reset(): void {
    this.woken = false;
  }

  /** Whether a wake-up arrived since the last reset. */
  get pending(): boolean {
    return this.woken;
  }

  /** Sleeps until woken or `ms` elapsed. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
