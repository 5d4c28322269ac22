# The README's two commands are `make demo` and `make test`; everything else is a step they use.
SHELL := /bin/bash
.PHONY: test test-unit demo demo-down e2e-clean crds manifests bundle lint typecheck deps bench bench-controller bench-membership bench-layer2 bench-bgprecompute bench-speaker bench-failover bench-sxs bench-bfd bench-bgp

deps:
	scripts/ensure-npm.sh

test:
	scripts/test.sh

test-unit:
	IRONLB_TEST_PROJECTS=unit scripts/test.sh

typecheck: deps
	npm run --silent typecheck

lint: deps
	npm run --silent lint

crds: deps
	npm run --silent gen:crds

# manifests/ironlb-native.yaml from the render/ functions the operator also calls (a test fails if it drifts).
manifests: deps
	npm run --silent gen:manifests

# bundle/ (the OLM bundle) and olm/ (its file-based catalog) from render/csv.ts and api/ (a test fails if they drift).
bundle: deps
	npm run --silent gen:bundle

demo:
	scripts/demo.sh

demo-down:
	scripts/demo.sh down


# Allocator cost as a pool fills, against a naive linear scan, then the controller end to end (below); prints
# figures, asserts nothing.
bench: deps
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/allocator.bench.ts
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/controller.bench.ts
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/membership.bench.ts
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/layer2recompute.bench.ts
	$(MAKE) bench-bgprecompute
	$(MAKE) bench-bgp

# The controller as its own process against a real kube-apiserver: time until 5,000 Services have addresses,
# Service-to-IP latency percentiles, controller RSS and CPU (bench/README.md); prints figures, asserts nothing.
bench-controller: deps
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/controller.bench.ts

# Speaker membership over real UDP: detection p50/p99 after a speaker dies and packets per speaker at 3, 10 and
# 20 speakers (bench/README.md); prints figures, asserts nothing.
bench-membership: deps
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/membership.bench.ts

# The speaker's synchronous cost of membership changes with 1,000 IPv6 Services (in process, no root).
bench-layer2: deps
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/layer2recompute.bench.ts

# The speaker's BGP decisions and UPDATEs for 10,000 IPv6 Services and 3 in-memory peers, under the speaker's
# Node flags (in process, no root): advertisement to routes handed over, longest synchronous stretch, heap.
bench-bgprecompute: deps
	PATH=$$PWD/node_modules/.bin:$$PATH node $$(PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only -p "require('./speaker/runtimeflags').SPEAKER_NODE_FLAGS.join(' ')") --expose-gc -r ts-node/register/transpile-only bench/bgprecompute.bench.ts

# Speaker RSS idle and with 1,000 announced Services, in the harness's world (root); prints figures.
bench-speaker: deps
	scripts/install-deps.sh && scripts/build-cluster-bins.sh
	PATH=$$PWD/node_modules/.bin:$$PATH NODE_OPTIONS=--experimental-vm-modules node -r ts-node/register/transpile-only bench/speaker.bench.ts

# Layer 2 failover from the client's side at 3 and 20 nodes (kill of the owner's node to the first gratuitous
# ARP and the first HTTP answer, p50/p99 over 20 trials) and membership packets per speaker at 3, 10 and 20
# nodes, in the harness's world (root); prints figures, asserts nothing.
bench-failover: deps
	scripts/install-deps.sh && scripts/build-cluster-bins.sh
	PATH=$$PWD/node_modules/.bin:$$PATH NODE_OPTIONS=--experimental-vm-modules node -r ts-node/register/transpile-only bench/l2failover.bench.ts

# Removes namespaces (ilb-*) and recorded processes that crashed e2e runs left behind; live runs are skipped.
e2e-clean:
	scripts/e2e-clean.sh

# ironlb's controller and upstream MetalLB's (built from the Go module proxy on first use, about 5 minutes) on
# identical work, one after the other on fresh control planes; a table with both columns and the ratio
# (bench/README.md). Knobs: IRONLB_SXS_SERVICES, IRONLB_SXS_WRITERS, IRONLB_SXS_REPEAT, IRONLB_SXS_RATE.
bench-sxs: deps
	scripts/build-cluster-bins.sh k8s etcd metallb
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/sxs.bench.ts

# BFD detection time against FRR bfdd, 100 ms x 3, five link cuts (speaker/bfd/README.md); needs root; prints
# figures, asserts nothing.
bench-bfd: deps
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/bfd.bench.ts

# The native BGP speaker with 10,000 IPv6 Services and 3 FRR peers: advertisement to every FRR holding all,
# session reset, withdrawal, UPDATEs sent and received, speaker RSS (bench/README.md); needs root; prints
# figures, asserts nothing. Knobs: IRONLB_BENCH_BGP_SERVICES, IRONLB_BENCH_BGP_REPEAT, IRONLB_BENCH_BGP_POLL_MS.
bench-bgp: deps
	scripts/install-deps.sh && scripts/build-cluster-bins.sh
	PATH=$$PWD/node_modules/.bin:$$PATH node -r ts-node/register/transpile-only bench/bgp.bench.ts
