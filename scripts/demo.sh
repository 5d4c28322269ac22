#!/usr/bin/env bash
# `make demo`: the local demo cluster. The cluster harness (issue 3) is being built; until it lands this
# script says so plainly rather than pretending to start anything.
set -euo pipefail
echo "ironlb demo: the local cluster harness (control plane from upstream Kubernetes modules, simulated"
echo "nodes in network namespaces, FRR router) is not built yet, so there is no demo cluster to start."
echo "What exists today: the metallb.io API schemas, generated CRDs and the config model; run 'make test'."
exit 1
