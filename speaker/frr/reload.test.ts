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
  it('writes only the last text of a burst, once the debounce window has passed', async () => {
    const clock = new FakeClock();
    const io = recording();
    const r = new FrrReloader({ clock, io, debounceMs: 3000 });
    r.set('a');
    await clock.advance(2000);
    r.set('b');
    await clock.advance(2999);
    expect(io.writes).toEqual([]);
    await clock.advance(1);
    expect(io.writes).toEqual(['b']);
    expect(io.signals).toBe(1);
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
