// The R bit's window: FRR's rule of restart time seconds from the process's start.
import { restartWindow } from './restart';

describe('restartWindow', () => {
  it('is restarting from the start until the restart time (120 s by default) has passed', () => {
    let now = 1_000_000;
    const restarting = restartWindow(now, () => now);
    expect(restarting()).toBe(true);
    now += 119_999;
    expect(restarting()).toBe(true);
    now += 1;
    expect(restarting()).toBe(false);
  });

  it('takes another restart time', () => {
    let now = 0;
    const restarting = restartWindow(0, () => now, 5);
    now = 4_999;
    expect(restarting()).toBe(true);
    now = 5_000;
    expect(restarting()).toBe(false);
  });
});
