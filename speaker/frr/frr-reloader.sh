#!/bin/sh
# The `reloader` container of the speaker DaemonSet in FRR mode (render/frr.ts) runs this inside the FRR
# image, copied there from the speaker image by the `cp-reloader` init container. It keeps upstream's contract
# (MetalLB frr-tools/reloader/frr-reloader.sh), which speaker/frr/reload.ts and reloadstatus.ts rely on:
#   $SHARED_VOLUME/reloader.pid  this shell's pid, written at start; the speaker SIGHUPs it
#   $SHARED_VOLUME/frr.conf      the speaker's whole configuration, checked then applied on each SIGHUP
#   $SHARED_VOLUME/.status       `<epoch seconds> success|failure` after each reload
# POSIX sh on purpose: FRR's image is Alpine, whose /bin/sh is busybox ash (no pipefail, no $SECONDS, no
# file descriptors above 9), and the e2e tests run it with dash.
# A failed check or reload is logged and recorded in .status; the reloader itself never exits on one.

SHARED_VOLUME="${SHARED_VOLUME:-/etc/frr_reloader}"
# frr-reload.py's place in FRR's images; an override for hosts where FRR lives elsewhere.
FRR_RELOAD_PY="${FRR_RELOAD_PY:-/usr/lib/frr/frr-reload.py}"
PIDFILE="$SHARED_VOLUME/reloader.pid"
FILE_TO_RELOAD="$SHARED_VOLUME/frr.conf"
LOCKFILE="$SHARED_VOLUME/lock"
STATUSFILE="$SHARED_VOLUME/.status"

record_status() {
  # No trailing newline: the speaker splits `<epoch> <outcome>` on the space (speaker/frr/reloadstatus.ts).
  printf '%s %s' "$(date +%s)" "$1" >"$STATUSFILE"
}

# Runs frr-reload.py with the given options on the speaker's file; its output goes to the log with passwords
# masked, its exit status is the function's. Output is captured first because sh has no pipefail.
run_frr_reload() {
  output="$(python3 "$FRR_RELOAD_PY" "$@" --stdout "$FILE_TO_RELOAD" 2>&1)"
  rc=$?
  [ -n "$output" ] && printf '%s\n' "$output" | sed 's/password.*/password <retracted>/g'
  return $rc
}

# One reload at a time, in the order the signals came: each runs in the background (so a SIGHUP is handled
# while an earlier reload is still running) and waits for the lock on fd 9.
reload_frr() {
  flock 9
  started="$(date +%s)"
  echo "Caught SIGHUP and acquired lock: reloading FRR"
  echo "Checking the configuration file syntax"
  if ! run_frr_reload --test; then
    echo "Syntax error spotted: aborting after $(($(date +%s) - started)) seconds"
    record_status failure
    return
  fi
  echo "Applying the configuration file"
  if ! run_frr_reload --reload --overwrite; then
    echo "Failed to fully apply the configuration file after $(($(date +%s) - started)) seconds"
    record_status failure
    return
  fi
  echo "FRR reloaded successfully in $(($(date +%s) - started)) seconds"
  record_status success
} 9<"$LOCKFILE"

clean_files() {
  rm -f "$PIDFILE" "$LOCKFILE"
}

sleep_pid=
kill_sleep() {
  [ -n "$sleep_pid" ] && kill "$sleep_pid" 2>/dev/null
  sleep_pid=
}

cleanup() {
  echo "Caught an exit signal: stopping after the reloads in progress"
  kill_sleep
  wait
  clean_files
  exit 0
}

trap cleanup TERM INT
trap 'reload_frr &' HUP

clean_files
touch "$LOCKFILE"
echo "PID is: $$, writing to $PIDFILE"
printf '%s' "$$" >"$PIDFILE"

# A trapped signal ends `wait`, not the sleep it waits for; the sleep is killed before the next one, so no
# sleeps pile up. A finite sleep in a loop: busybox's sleep may not take `infinity`.
while true; do
  sleep 3600 &
  sleep_pid=$!
  wait "$sleep_pid" 2>/dev/null
  kill_sleep
done
