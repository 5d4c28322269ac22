// The Node/V8 flags the controller runs with: its image's ENTRYPOINT (controller/Dockerfile), the harness's
// process kubelet (e2e/harness/kubelet/images.ts) and the benches' compiled controller
// (testkit/controllerprocess.ts) all take them from here; runtimeflags.test.ts keeps the Dockerfile in step.
// - `--max-semi-space-size=1` (MiB): V8's young generation otherwise grows to 16 MiB per semi-space under a
//   burst of watch events and keeps those pages. bench/controller.bench.ts and controllerstartup.bench.ts,
//   2026-12-03: idle RSS 87.8 -> 79.4 MiB, 5,000 Services peak 170 -> 141 MiB, controller CPU for the run
//   13.9 -> 14.9 s (within the run-to-run spread; the run is bound by the apiserver), start-up unchanged.
// The speaker's further flags (no optimizing tiers, --optimize-for-size) are not used: the controller's
// allocator and 5,000-Service resyncs are hot loops that those tiers make fast.
export const CONTROLLER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
