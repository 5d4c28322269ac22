#!/usr/bin/env bash
# `make e2e-clean`: removes what crashed e2e runs left behind, and nothing else:
#   1. processes recorded in e2e/.run/<run>/pids/<name>.pid ("PID STARTTIME"), killed only if the PID still
#      belongs to the process that was recorded (same start time, so a reused PID is never hit);
#   2. network namespaces whose names start with exactly "ilb-" and that hold no process (one that does belongs
#      to a live run of another checkout).
# A run whose owner (e2e/.run/<run>/owner, "PID STARTTIME") is still alive is in use and left alone, unless
# --force is given. -n / --dry-run prints what would be done; --quiet prints only warnings and errors.
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_ROOT="e2e/.run"
PREFIX="ilb-"
force=0
dry=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    # scripts/test.sh cleans before every run: only warnings and errors (stderr) are wanted there.
    --quiet) exec >/dev/null ;;
    -n | --dry-run) dry=1 ;;
    -h | --help)
      sed -n '2,10p' "$0"
      exit 0
      ;;
    *)
      echo "e2e-clean: unknown argument $arg" >&2
      exit 2
      ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  echo "e2e-clean: must run as root (network namespaces)" >&2
  exit 1
fi

act() {
  if [ "$dry" = 1 ]; then
    echo "would: $*"
  else
    "$@"
  fi
}

# Field 22 of /proc/PID/stat (start time in clock ticks); the command name may contain spaces, so cut after ") ".
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  awk '{print $20}' <<<"$stat"
}

# True when the "PID STARTTIME" in file $1 names a process that is still the recorded one.
recorded_alive() {
  local pid start now
  read -r pid start <"$1" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  now=$(start_time "$pid") || return 1
  [ "$now" = "$start" ]
}

declare -A live_ns=()
live_prefixes=()
killed=0
removed=0

shopt -s nullglob
for run in "$RUN_ROOT"/*/; do
  run=${run%/}
  if [ "$force" = 0 ] && [ -f "$run/owner" ] && recorded_alive "$run/owner"; then
    echo "e2e-clean: $run is in use by pid $(cut -d' ' -f1 "$run/owner"); skipping it (use --force to clean anyway)"
    if [ -f "$run/namespaces" ]; then
      while read -r ns; do [ -n "$ns" ] && live_ns["$ns"]=1; done <"$run/namespaces"
    fi
    if [ -f "$run/prefix" ]; then
      read -r p <"$run/prefix" && [[ "$p" == "$PREFIX"?* ]] && live_prefixes+=("$p-")
    fi
    continue
  fi
  for pidfile in "$run"/pids/*.pid; do
    if recorded_alive "$pidfile"; then
      read -r pid _ <"$pidfile"
      echo "e2e-clean: stopping pid $pid ($(basename "$pidfile" .pid), from $run)"
      act kill -TERM "$pid" || true
      killed=$((killed + 1))
    fi
  done
  # Give them a moment to exit on SIGTERM, then SIGKILL whoever is still the recorded process.
  if [ "$dry" = 0 ]; then
    for pidfile in "$run"/pids/*.pid; do
      for _ in 1 2 3 4 5 6 7 8 9 10; do recorded_alive "$pidfile" || break; sleep 0.2; done
      if recorded_alive "$pidfile"; then
        read -r pid _ <"$pidfile"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      rm -f "$pidfile"
    done
  fi
done

# `ip netns list` prints "name" or "name (id: N)".
while read -r ns _; do
  [ -n "$ns" ] || continue
  case "$ns" in
    "$PREFIX"*) ;;
    *) continue ;;
  esac
  if [ -n "${live_ns[$ns]:-}" ]; then
    continue
  fi
  in_use=0
  for p in "${live_prefixes[@]}"; do
    case "$ns" in "$p"*) in_use=1 ;; esac
  done
  [ "$in_use" = 1 ] && continue
  # A namespace that still holds processes belongs to a live run this checkout has no record of (another
  # checkout or worktree of the repository): it is in use, not left behind.
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  if [ -n "$pids" ] && [ "$force" = 0 ]; then
    echo "e2e-clean: $ns holds pids ${pids% } (a run not recorded here); skipping it (use --force to delete)"
    continue
  fi
  echo "e2e-clean: deleting namespace $ns"
  act ip netns del "$ns" || true
  removed=$((removed + 1))
done < <(ip netns list)

echo "e2e-clean: $killed process(es) stopped, $removed namespace(s) deleted"
