import { FakeClock } from '../../testkit/fakeclock';
import { FrrReloader, type ReloaderIO } from './reload';

function recording(failures = 0): ReloaderIO & { writes: string[]; signals: number } {
  let left = failures;
  const io = {
    writes: [] as string[],
    signals: 0,
    write(_path: string, text: string) {
      if (left > 0) {
        left--;
        throw new Error('disk full');
      }
      io.writes.push(text);
    },
    signal() {
      io.signals++;
    },
  };
  return io;
}

describe('FrrReloader', () => {
  it('writes only the last text of a burst, when the window its first change opened closes', async () => {
    const clock = new FakeClock();
    const io = recording();
    const r = new FrrReloader({ clock, io, debounceMs: 3000 });
    r.set('a');
    await clock.advance(2000);
    r.set('b');
    await clock.advance(999);
    expect(io.writes).toEqual([]);
    await clock.advance(1);
    expect(io.writes).toEqual(['b']);
    expect(io.signals).toBe(1);
  });

  it('writes a steady stream of changes once a window instead of postponing it (upstream debouncer)', async () => {
    const clock = new FakeClock();
    const io = recording();
    const r = new FrrReloader({ clock, io, debounceMs: 3000 });
    for (let i = 0; i < 10; i++) {
      r.set(`v${i}`);
      await clock.advance(1000);
    }
    expect(io.writes).toEqual(['v2', 'v5', 'v8']);
  });

  it('reapply hands the unchanged last text over again, and nothing before a first hand-over', async () => {
    const clock = new FakeClock();
    const io = recording();
    const r = new FrrReloader({ clock, io, debounceMs: 100 });
    r.reapply();
    await clock.advance(100);
    expect(io.writes).toEqual([]);
    r.set('a');
    await clock.advance(100);
    r.reapply();
    await clock.advance(100);
    expect(io.writes).toEqual(['a', 'a']);
    expect(io.signals).toBe(2);
  });

  it('neither writes nor signals when the text did not change', async () => {
    const clock = new FakeClock();
    const io = recording();
    const r = new FrrReloader({ clock, io, debounceMs: 100 });
    r.set('a');
    await clock.advance(100);
    r.set('a');
    await clock.advance(100);
    expect(io.writes).toEqual(['a']);
    expect(io.signals).toBe(1);
  });

  it('retries a failed write after 5 s', async () => {
    const clock = new FakeClock();
    const io = recording(1);
    const errors: unknown[] = [];
    const r = new FrrReloader({ clock, io, debounceMs: 100, onError: (e) => errors.push(e) });
    r.set('a');
    await clock.advance(100);
    expect(errors).toHaveLength(1);
    await clock.advance(4999);
    expect(io.writes).toEqual([]);
    await clock.advance(1);
    expect(io.writes).toEqual(['a']);
  });
});
