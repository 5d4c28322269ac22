#!/usr/bin/env bash
# Builds the out-of-tree binaries the integration/e2e harness runs, from upstream Go source at the versions
# pinned in e2e/cluster/versions.env:
#   e2e/.cache/bin/k8s-<ver>/   kube-apiserver kube-controller-manager kube-scheduler kubectl
#   e2e/.cache/bin/etcd-<ver>/  etcd
#   e2e/.cache/bin/gobgp-<ver>/ gobgpd gobgp
#   e2e/.cache/bin/metallb-<ver>/ controller speaker metallb-native.yaml   (only when asked: `metallb`)
#   e2e/.cache/bin/bundlevalidate-<ver>/ bundlevalidate   (tools/bundlevalidate: operator-framework/api's
#                                   OLM validators, run on bundle/ by render/bundlevalidate.int.test.ts)
#   e2e/.cache/bin/frrmetrics-<hash>/ frr-metrics   (tools/frrmetrics, stdlib only: the speaker image's
#                                   /frr-metrics; <hash> is frrmetrics_hash below, which
#                                   speaker/frr/frrmetrics.e2e.test.ts computes the same way to find it)
# Idempotent: a component whose folder holds a matching stamp and all its binaries is skipped, so a cached
# run costs well under a second. Safe to re-run after an interrupted build (the stamp is written last).
#
# Usage: scripts/build-cluster-bins.sh [k8s] [etcd] [gobgp] [bundlevalidate] [frrmetrics] [metallb]
#        (no argument = k8s etcd gobgp bundlevalidate frrmetrics; upstream MetalLB, for the side-by-side bench, is built only when named
#        or with WITH_METALLB=1, so CI stays inside its time)
# Env:   FORCE=1            rebuild even when the stamp matches
#        BUILD_PARALLEL=N   go build -p N (default: number of cores); lower it if memory gets tight
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_DIR="$ROOT/e2e/cluster"
BIN_ROOT="$ROOT/e2e/.cache/bin"

# shellcheck source=../e2e/cluster/versions.env
source "$CLUSTER_DIR/versions.env"

if ! command -v go >/dev/null 2>&1; then
  if [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; else
    echo "build-cluster-bins: Go toolchain not found (expected on PATH or at /usr/local/go/bin/go)" >&2
    exit 1
  fi
fi

# -mod=mod lets go.sum be completed on a fresh checkout instead of failing; GOTOOLCHAIN=local makes a too-old
# Go fail loudly rather than fetching another toolchain behind our back. CGO is off so the binaries are
# static and do not depend on the host's libc or a C compiler.
export GOFLAGS=-mod=mod
export GOTOOLCHAIN=local
export CGO_ENABLED=0
PARALLEL="${BUILD_PARALLEL:-$(nproc)}"
GO_VERSION="$(go env GOVERSION)"

log() { printf '[build-cluster-bins] %s\n' "$*"; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Fails when a wrapper go.mod pins a different version than versions.env, because the harness locates the
# binaries by the versions.env value and would otherwise run something other than what the folder name says.
check_pin() {
  local module_dir="$1" module="$2" version="$3"
  if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?${module//./\\.}[[:space:]]+${version//./\\.}([[:space:]]|$)" \
    "$CLUSTER_DIR/$module_dir/go.mod"; then
    echo "build-cluster-bins: e2e/cluster/$module_dir/go.mod does not require $module $version (versions.env)." >&2
    echo "  Update both together, e.g.: (cd e2e/cluster/$module_dir && go get $module@$version && go mod tidy)" >&2
    exit 1
  fi
}

# The stamp records what produced the binaries; any difference (version, Go toolchain, go.sum) rebuilds.
stamp_of() {
  local module_dir="$1" version="$2"
  local sum=none
  [[ -f "$CLUSTER_DIR/$module_dir/go.sum" ]] && sum="$(sha256sum "$CLUSTER_DIR/$module_dir/go.sum" | cut -c1-16)"
  printf 'version=%s go=%s gosum=%s\n' "$version" "$GO_VERSION" "$sum"
}

up_to_date() {
  local out="$1" stamp="$2"
  shift 2
  [[ "${FORCE:-0}" == 1 ]] && return 1
  [[ -f "$out/.stamp" ]] && [[ "$(cat "$out/.stamp")" == "$stamp" ]] || return 1
  local b
  for b in "$@"; do [[ -x "$out/$b" ]] || return 1; done
}

# build NAME MODULE_DIR MODULE VERSION "LDFLAGS" BIN=PKG...
build() {
  local name="$1" module_dir="$2" module="$3" version="$4" ldflags="$5"
  shift 5
  local out="$BIN_ROOT/$name-$version"
  local bins=() pkgs=() pair
  for pair in "$@"; do bins+=("${pair%%=*}"); pkgs+=("${pair#*=}"); done

  check_pin "$module_dir" "$module" "$version"
  local stamp
  stamp="$(stamp_of "$module_dir" "$version")"
  if up_to_date "$out" "$stamp" "${bins[@]}"; then
    log "$name $version: up to date in ${out#"$ROOT"/}"
    return 0
  fi

  local t0
  t0="$(now)"
  log "$name $version: building ${bins[*]} (go $GO_VERSION, -p $PARALLEL) ..."
  mkdir -p "$out"
  rm -f "$out/.stamp"
  # Build into a scratch folder and move in at the end so a killed build never leaves a half-written
  # binary that looks usable.
  local tmp
  tmp="$(mktemp -d "$out/.tmp.XXXXXX")"
  (
    cd "$CLUSTER_DIR/$module_dir"
    local flags=(-p "$PARALLEL" -trimpath -ldflags "-s -w $ldflags")
    if [[ ${#pkgs[@]} -eq 1 ]]; then
      go build "${flags[@]}" -o "$tmp/${bins[0]}" "${pkgs[0]}"
    else
      # One invocation for all packages so shared dependencies compile once and links run in parallel;
      # with -o DIR each binary is named after its package's last path element, which callers match.
      go build "${flags[@]}" -o "$tmp/" "${pkgs[@]}"
    fi
  ) || {
    rm -rf "$tmp"
    echo "build-cluster-bins: $name build failed" >&2
    exit 1
  }
  local b
  for b in "${bins[@]}"; do mv -f "$tmp/$b" "$out/$b"; done
  rm -rf "$tmp"
  # go.sum may have just been completed by -mod=mod; stamp with its final content.
  stamp_of "$module_dir" "$version" >"$out/.stamp"
  log "$name $version: built in $(elapsed "$t0")s -> ${out#"$ROOT"/}"
}

# Upstream release builds stamp the version through ldflags (hack/lib/version.sh); without it the binaries
# report v0.0.0-master, which confuses version-skew checks and `kubectl version`.
k8s_ldflags() {
  local v="${K8S_VERSION#v}" major minor
  major="${v%%.*}"
  minor="${v#*.}"
  minor="${minor%%.*}"
  local f="" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    f+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$f"
}

# Upstream MetalLB is built straight from its own module (`go install pkg@version`: its go.mod and go.sum, no
# wrapper module, so no replace can sneak in), the way its Dockerfiles build it. Its release manifest and CRDs
# are copied from the same module source so the bench installs exactly what that version's users install.
# v0.16.x is not used: it requires github.com/metallb/frr-k8s v0.0.27, which the Go module proxy refuses (403).
build_metallb() {
  local version="$METALLB_VERSION" out="$BIN_ROOT/metallb-$METALLB_VERSION"
  local stamp
  stamp="$(printf 'version=%s go=%s\n' "$version" "$GO_VERSION")"
  if up_to_date "$out" "$stamp" controller speaker && [[ -f "$out/metallb-native.yaml" ]] &&
    [[ -f "$out/metallb-frr.yaml" ]] && [[ -f "$out/frr-reloader.sh" ]]; then
    log "metallb $version: up to date in ${out#"$ROOT"/}"
    return 0
  fi
  local t0 tmp
  t0="$(now)"
  log "metallb $version: building controller speaker (go $GO_VERSION, -p $PARALLEL) ..."
  mkdir -p "$out"
  rm -f "$out/.stamp"
  tmp="$(mktemp -d "$out/.tmp.XXXXXX")"
  # internal/version is what upstream's Dockerfile stamps; -mod=mod is not accepted outside a main module.
  local vpkg=go.universe.tf/metallb/internal/version
  (
    cd "$tmp"
    GOFLAGS= GOBIN="$tmp" go install -p "$PARALLEL" -trimpath \
      -ldflags "-s -w -X $vpkg.version=$version -X $vpkg.gitCommit=release -X $vpkg.gitBranch=release" \
      "go.universe.tf/metallb/controller@$version" "go.universe.tf/metallb/speaker@$version"
  ) || {
    rm -rf "$tmp"
    echo "build-cluster-bins: metallb build failed" >&2
    exit 1
  }
  local src
  src="$(GOFLAGS= go env GOMODCACHE)/go.universe.tf/metallb@$version"
  # The release manifests of both modes, and the reloader script its FRR mode runs in the frr image
  # (frr-tools/reloader/frr-reloader.sh), for the BGP rows of bench-sxs.
  cp "$src/config/manifests/metallb-native.yaml" "$src/config/manifests/metallb-frr.yaml" \
    "$src/frr-tools/reloader/frr-reloader.sh" "$tmp/"
  chmod u+w "$tmp/metallb-native.yaml" "$tmp/metallb-frr.yaml" "$tmp/frr-reloader.sh"
  mv -f "$tmp/controller" "$tmp/speaker" "$tmp/metallb-native.yaml" "$tmp/metallb-frr.yaml" \
    "$tmp/frr-reloader.sh" "$out/"
  rm -rf "$tmp"
  printf '%s' "$stamp" >"$out/.stamp"
  log "metallb $version: built in $(elapsed "$t0")s -> ${out#"$ROOT"/}"
}

# frr-metrics is ironlb's own code, so no version names it: its folder is named after its sources (go.mod and
# the .go files, concatenated in byte order of their names), so an edit builds a new one.
frrmetrics_hash() {
  (cd "$ROOT/tools/frrmetrics" && printf "%s\n" go.mod *.go | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)
}

build_frrmetrics() {
  local hash out stamp t0 tmp
  hash="$(frrmetrics_hash)"
  out="$BIN_ROOT/frrmetrics-$hash"
  stamp="$(printf 'sources=%s go=%s\n' "$hash" "$GO_VERSION")"
  if up_to_date "$out" "$stamp" frr-metrics; then
    log "frrmetrics $hash: up to date in ${out#"$ROOT"/}"
    return 0
  fi
  t0="$(now)"
  log "frrmetrics $hash: building frr-metrics (go $GO_VERSION) ..."
  mkdir -p "$out"
  rm -f "$out/.stamp"
  tmp="$(mktemp -d "$out/.tmp.XXXXXX")"
  (cd "$ROOT/tools/frrmetrics" && go build -p "$PARALLEL" -trimpath -ldflags "-s -w" -o "$tmp/frr-metrics" .) || {
    rm -rf "$tmp"
    echo "build-cluster-bins: frrmetrics build failed" >&2
    exit 1
  }
  mv -f "$tmp/frr-metrics" "$out/frr-metrics"
  rm -rf "$tmp"
  printf '%s' "$stamp" >"$out/.stamp"
  log "frrmetrics $hash: built in $(elapsed "$t0")s -> ${out#"$ROOT"/}"
}

want() {
  if [[ ${#SELECTED[@]} -eq 0 ]]; then
    [[ "$1" != metallb || "${WITH_METALLB:-0}" == 1 ]]
    return
  fi
  local s
  for s in "${SELECTED[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  return 1
}

SELECTED=("$@")
for s in "${SELECTED[@]}"; do
  case "$s" in k8s | etcd | gobgp | bundlevalidate | frrmetrics | metallb) ;; *)
    echo "build-cluster-bins: unknown component '$s' (expected k8s, etcd, gobgp, bundlevalidate, frrmetrics, metallb)" >&2
    exit 2
    ;;
  esac
done

T_ALL="$(now)"
# Smallest first: etcd and gobgp take a minute or two, and the harness's etcd-only tests can start using
# them while the much longer Kubernetes build is still running in another invocation.
if want etcd; then
  build etcd etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "" \
    etcd=go.etcd.io/etcd/server/v3
fi
if want gobgp; then
  build gobgp gobgp github.com/osrg/gobgp/v3 "$GOBGP_VERSION" "" \
    gobgpd=github.com/osrg/gobgp/v3/cmd/gobgpd \
    gobgp=github.com/osrg/gobgp/v3/cmd/gobgp
fi
# The OLM validators are a module of ours (tools/bundlevalidate), not a wrapper in e2e/cluster/; its go.mod pins
# operator-framework/api, the newest the Go module proxy serves.
if want bundlevalidate; then
  build bundlevalidate ../../tools/bundlevalidate github.com/operator-framework/api v0.36.0 "" \
    bundlevalidate=.
fi
if want frrmetrics; then
  build_frrmetrics
fi
if want k8s; then
  build k8s k8s k8s.io/kubernetes "$K8S_VERSION" "$(k8s_ldflags)" \
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
    kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
    kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler \
    kubectl=k8s.io/kubernetes/cmd/kubectl
fi
if want metallb; then
  build_metallb
fi
log "total $(elapsed "$T_ALL")s"
