// The Node/V8 flags the speaker runs with: its image's ENTRYPOINT (speaker/Dockerfile) and the harness's
// process kubelet (e2e/harness/kubelet/images.ts) both take them from here; runtimeflags.test.ts keeps the
// Dockerfile in step. The speaker runs on every node, so memory beats peak speed (bench/README.md,
// speaker.bench.ts and layer2recompute.bench.ts have the figures):
// - `--max-semi-space-size=1` (MiB): V8's young generation otherwise grows to 16 MiB per semi-space under a
//   burst of watch events and keeps those pages; the speaker's allocations are small and short-lived.
// - `--no-opt --no-maglev --no-sparkplug`: no compiler tiers above the Ignition interpreter. The optimizing
//   tiers' code in the node binary is paged in (about 9 MiB of RSS) as soon as anything gets hot; Sparkplug's
//   baseline code costs a further 1-2 MiB of code space (bench/README.md, 2026-12-04: idle 70.3-71.2 ->
//   67.9-69.6 MiB, a minute after 1,000 announced 78.5-79.0 -> 73.1-78.0). Ignition is plenty for ARP/NDP
//   replies and the sliced recomputes: layer2recompute.bench.ts settles 1,000 Services within the same
//   10 ms slices with or without Sparkplug.
// - `--optimize-for-size`: V8's own size-over-speed switch (a smaller heap growing factor among others).
// Tried and left out: --single-threaded (no gain), --jitless (also no Sparkplug, but interprets regular
// expressions and turns off WebAssembly, which undici's parser needs), a minified single-file bundle (esbuild:
// 5 MiB more at idle), --compact-on-every-full-gc (a peak 16 MiB higher). Flags only, none that changes
// semantics. NODE_OPTIONS accepts none but the first, hence the ENTRYPOINT.
export const SPEAKER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--no-opt',
  '--no-maglev',
  '--no-sparkplug',
  '--optimize-for-size',
];
