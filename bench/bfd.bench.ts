// BFD detection time against FRR bfdd (8.4), 100 ms x 3 (testkit/bfd/frrpair.ts). Each trial waits until both
// sides are Up, cuts the link, and measures how long each side takes to declare the session Down (ironlb: its
// onDown, which drops the BGP session; FRR: `show bfd peers json` polled every 5 ms). Then the link comes
// back. Needs root. Prints figures, asserts nothing.
import { startFrrPair, until } from '../testkit/bfd/frrpair';

const TRIALS = Number(process.env.IRONLB_BENCH_BFD_TRIALS ?? 5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main(): Promise<void> {
  const pair = await startFrrPair();
  try {
    const ours: number[] = [];
    const theirs: number[] = [];
    const handshakes: number[] = [];
    let linkUp = Date.now();
    for (let t = 0; t < TRIALS; t++) {
      // The first trial may see ironlb's Up before this loop started; later ones wait for a new one.
      const from = t === 0 ? 0 : pair.events.length;
      await until('both sides Up', () => pair.events.slice(from).some((e) => e.event === 'up'));
      await until('FRR Up', () => pair.frrPeer()?.status === 'up');
      handshakes.push(Date.now() - linkUp);
      await sleep(1000 + Math.random() * 200);
      const mark = pair.events.length;
      const cut = pair.setLink(false);
      const frrDown = await until('FRR Down', () => pair.frrPeer()?.status === 'down', 5000, 5);
      await until('ironlb Down', () => pair.events.slice(mark).some((e) => e.event === 'down'), 5000);
      ours.push((pair.events.slice(mark).find((e) => e.event === 'down')?.at ?? NaN) - cut);
      theirs.push(frrDown - cut);
      linkUp = pair.setLink(true);
    }
    const line = (name: string, xs: number[]) =>
      console.log(`${name.padEnd(44)} p50 ${pct(xs, 50)} ms  max ${Math.max(...xs)} ms  (${xs.join(', ')})`);
    console.log(`BFD 100 ms x 3 against FRR bfdd, ${TRIALS} link cuts (goal: about 300 ms)`);
    line('ironlb detects the cut (link down -> onDown)', ours);
    line('FRR detects the cut (polled every 5 ms)', theirs);
    line('both Up again after the link returns', handshakes.slice(1));
  } finally {
    pair.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
