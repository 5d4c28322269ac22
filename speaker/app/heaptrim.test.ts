import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { FakeClock } from '../../testkit/fakeclock';
import { HEAP_TRIM_PERIOD_MS, startHeapTrim } from './heaptrim';

describe('the C heap trim', () => {
  it('trims once per period, never before the first period has passed', async () => {
    const clock = new FakeClock();
    let trims = 0;
    const t = startHeapTrim({ clock, trim: () => (trims++, true) });
    await clock.advance(HEAP_TRIM_PERIOD_MS - 1);
    expect(trims).toBe(0);
    await clock.advance(1);
    expect(trims).toBe(1);
    await clock.advance(3 * HEAP_TRIM_PERIOD_MS);
    expect(trims).toBe(4);
    t.stop();
    await clock.advance(10 * HEAP_TRIM_PERIOD_MS);
    expect(trims).toBe(4);
  });

  it('keeps its pace when a trim throws', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const t = startHeapTrim({
      clock,
      periodMs: 1000,
      trim: () => {
        calls++;
        throw new Error('EFAULT');
      },
    });
    await clock.advance(3000);
    expect(calls).toBe(3);
    t.stop();
  });

  it("returns a fragmented C heap's free pages to the kernel (glibc's malloc_trim, in a real process)", () => {
    // 40 MiB in 1 KiB mallocs, then every one freed but each 64th, so glibc cannot shrink its heap from the
    // top by itself: the free pages between the survivors stay in RSS until trimmed.
    const probe = `
      const koffi = require('koffi');
      const libc = koffi.load('libc.so.6');
      const malloc = libc.func('malloc', 'uintptr_t', ['uintptr_t']);
      const free = libc.func('free', 'void', ['uintptr_t']);
      const memset = libc.func('memset', 'uintptr_t', ['uintptr_t', 'int', 'uintptr_t']);
      const { mallocTrim } = require('./speaker/l2/sys/libc');
      const rss = () => Number(/^VmRSS:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
      const chunks = [];
      for (let i = 0; i < 40960; i++) chunks.push(memset(malloc(1024), 1, 1024));
      chunks.forEach((p, i) => { if (i % 64 !== 0) free(p); });
      const before = rss();
      const released = mallocTrim();
      process.stdout.write(JSON.stringify({ before, after: rss(), released }));
    `;
    const out = JSON.parse(
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', probe], {
        cwd: path.resolve(__dirname, '..', '..'),
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
    ) as { before: number; after: number; released: boolean };
    expect(out.released).toBe(true);
    expect(out.before - out.after).toBeGreaterThan(20);
  });
});
