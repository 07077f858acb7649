import { type Clock, clock, withClock } from '../../src/org/clock.js';
import { SlotPool, slotClock } from '../../src/org/fleet-pool.js';

/** A clock whose sleeps end when the test says so, in any order. */
function manualClock(): Clock & { wake(): void; sleeping: number } {
  const sleepers: Array<() => void> = [];
  return {
    now: () => 0,
    sleep: () => new Promise<void>((resolve) => sleepers.push(resolve)),
    wake: () => sleepers.splice(0).forEach((resolve) => resolve()),
    get sleeping() {
      return sleepers.length;
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the slots of a fleet run', () => {
  it('holds at most its size, and gives a slot to the next waiter on release', async () => {
    const pool = new SlotPool(2);
    await pool.acquire();
    await pool.acquire();
    let third = false;
    void pool.acquire().then(() => (third = true));
    await turn();
    expect(third).toBe(false);
    expect(pool.busy).toBe(2);
    pool.release();
    await turn();
    expect(third).toBe(true);
    expect(pool.busy).toBe(2);
  });

  it('gives a waiting org its slot back before an org that has not started', async () => {
    const pool = new SlotPool(1);
    await pool.acquire();
    const order: string[] = [];
    void pool.acquire().then(() => order.push('new'));
    void pool.acquire(true).then(() => order.push('resumed'));
    pool.release();
    await turn();
    pool.release();
    await turn();
    expect(order).toEqual(['resumed', 'new']);
  });

  it('lets other orgs work while one sleeps: waits hold no slot', async () => {
    const base = manualClock();
    const pool = new SlotPool(1);
    const done: string[] = [];
    const org = (name: string, waits: boolean): Promise<void> =>
      pool.acquire().then(() =>
        withClock(slotClock(base, pool), async () => {
          if (waits) await clock().sleep(20 * 60_000);
          done.push(name);
          pool.release();
        })
      );
    const installing = org('installing', true);
    const others = [org('a', false), org('b', false)];
    await Promise.all(others);
    // Both finished while the first was still waiting on the only slot's worth of work.
    expect(done).toEqual(['a', 'b']);
    expect(base.sleeping).toBe(1);
    base.wake();
    await installing;
    expect(done).toEqual(['a', 'b', 'installing']);
    expect(pool.busy).toBe(0);
  });

  it('gives the slot of an org back once when it sleeps in two places at once, and takes one back when it wakes', async () => {
    const base = manualClock();
    const pool = new SlotPool(1);
    await pool.acquire();
    const clockOfOrg = slotClock(base, pool);
    const both = Promise.all([clockOfOrg.sleep(1000), clockOfOrg.sleep(2000)]);
    await turn();
    expect(pool.busy).toBe(0);
    // Another org takes the one slot; this org waits for it when it wakes.
    await pool.acquire();
    expect(pool.busy).toBe(1);
    base.wake();
    await turn();
    let woke = false;
    void both.then(() => (woke = true));
    await turn();
    expect(woke).toBe(false);
    pool.release();
    await both;
    expect(pool.busy).toBe(1);
  });

  it('keeps the clock of each piece of work apart', async () => {
    const a: Clock = { now: () => 1, sleep: () => Promise.resolve() };
    const b: Clock = { now: () => 2, sleep: () => Promise.resolve() };
    const seen = await Promise.all([
      withClock(a, async () => {
        await turn();
        return clock().now();
      }),
      withClock(b, async () => {
        await turn();
        return clock().now();
      }),
    ]);
    expect(seen).toEqual([1, 2]);
    expect(clock().now()).toBeGreaterThan(1_000_000);
  });
});
