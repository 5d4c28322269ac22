// The speaker's C heap, handed back to the kernel at a steady pace. Node's own allocations (TLS records,
// HTTP parsers, V8's compiler zones) go through glibc's malloc, which keeps freed memory mapped: after the
// watch-event burst of 1,000 Services the main arena held about 8 MiB, of which about 2 were free pages that
// never went back (bench/speaker.bench.ts, speaker/README's memory figures). Go's runtime returns such pages
// by itself (its scavenger), so upstream's speaker needs nothing like this.
import type { Clock, TimerHandle } from '../../kube/clock';

/** Every 30 s: a trim that finds nothing to free costs microseconds; one that does, a few milliseconds. */
export const HEAP_TRIM_PERIOD_MS = 30_000;

export interface HeapTrimOptions {
  readonly clock: Clock;
  /** malloc_trim(0) (speaker/l2/sys/libc.ts); false when nothing was released or the C library has none. */
  readonly trim: () => boolean;
  readonly periodMs?: number;
}

export interface HeapTrim {
  stop(): void;
}

export function startHeapTrim(options: HeapTrimOptions): HeapTrim {
  const period = options.periodMs ?? HEAP_TRIM_PERIOD_MS;
  let timer: TimerHandle | undefined;
  const tick = (): void => {
    try {
      options.trim();
    } catch {
      // A C library call that fails is not worth more than skipping this round.
    }
    timer = options.clock.setTimeout(tick, period);
  };
  timer = options.clock.setTimeout(tick, period);
  return {
    stop: () => {
      if (timer !== undefined) options.clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
