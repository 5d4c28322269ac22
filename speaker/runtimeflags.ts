// The Node/V8 flags the speaker runs with: its image's ENTRYPOINT (speaker/Dockerfile) and the harness's
// process kubelet (e2e/harness/kubelet/images.ts) both take them from here; runtimeflags.test.ts keeps the
// Dockerfile in step. The speaker runs on every node, so memory beats peak speed (bench/README.md,
// speaker.bench.ts and layer2recompute.bench.ts have the figures):
// - `--max-semi-space-size=1` (MiB): V8's young generation otherwise grows to 16 MiB per semi-space under a
//   burst of watch events and keeps those pages; the speaker's allocations are small and short-lived.
// - `--no-opt --no-maglev`: no optimizing tiers. Their code in the node binary is paged in (about 9 MiB of
//   RSS) as soon as anything gets hot; Ignition and Sparkplug remain, which is plenty for ARP/NDP replies and
//   the sliced recomputes (1.4-2.8x slower recompute, still settled in tens of milliseconds per 1,000).
// - `--optimize-for-size`: V8's own size-over-speed switch (a smaller heap growing factor among others).
// Tried and left out: --single-threaded (no gain), --jitless/--lite-mode (as small, but no Sparkplug), a
// minified single-file bundle (esbuild: 5 MiB more at idle). Flags only, none that changes semantics.
// NODE_OPTIONS accepts none but the first, hence the ENTRYPOINT.
export const SPEAKER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--no-opt',
  '--no-maglev',
  '--optimize-for-size',
];
