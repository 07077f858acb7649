import type { Clock } from './clock.js';

/**
 * The slots of a fleet run: at most `size` orgs are being worked on at once. A slot is held while an org's
 * work talks to its org and given up while the work waits (an install, a sync check, a Bulk job), so twenty
 * 20-minute installs overlap instead of queueing behind four slots. Work that comes back from a wait goes before
 * orgs not started yet: what is under way finishes first.
 */
export class SlotPool {
  private free: number;
  private readonly resuming: Array<() => void> = [];
  private readonly starting: Array<() => void> = [];

  public constructor(public readonly size: number) {
    this.free = size;
  }

  /** Takes a slot, waiting for one when all are held; `resume` puts the caller ahead of orgs not started yet. */
  public acquire(resume = false): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => (resume ? this.resuming : this.starting).push(resolve));
  }

  public release(): void {
    const next = this.resuming.shift() ?? this.starting.shift();
    if (next) next();
    else this.free += 1;
  }

  /** How many slots are held now. */
  public get busy(): number {
    return this.size - this.free;
  }
}

/**
 * A clock whose sleeps give the slot back for their length: the org's waits hold no slot. One clock serves one
 * org's work; when that work sleeps in two places at once (reads side by side, each backing off), the slot is given
 * back once, and taken again when the first of them wakes.
 */
export function slotClock(base: Clock, pool: SlotPool): Clock {
  let holding = true;
  let taking: Promise<void> | undefined;
  return {
    now: () => base.now(),
    sleep: async (ms, signal) => {
      if (holding) {
        holding = false;
        pool.release();
      }
      try {
        await base.sleep(ms, signal);
      } finally {
        // Every sleeper that wakes waits for the one slot the org takes back.
        if (!holding) {
          taking ??= pool.acquire(true).then(() => {
            holding = true;
            taking = undefined;
          });
          await taking;
        }
      }
    },
  };
}
