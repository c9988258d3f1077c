#!/usr/bin/env bash
# bench-ui.sh: sigview's cost at size, side by side with top, htop and ps.
#
# It makes NS PID namespaces (unshare --pid --fork --kill-child; half with
# a `sleep` init, half with `tini -- sleep`,
# the sleeps being children of the init or of tini's child) holding enough sleeping processes
# that the machine counts about PROCS in all, then measures, one after the
# other on the same processes:
#   - CPU of the live UI at --interval 1s, of `top -d 1` and of `htop -d 10`,
#     each in a pseudo-terminal of 160x45 for SECS seconds after a warm-up;
#   - CPU of `sigview serve` at its default interval over 2 intervals, and
#     the time of one /metrics scrape;
#   - wall time and peak RSS of `sigview --json` against
#     `ps -eo pid,pidns,caught,ignored,blocked,pending,comm` (median of 3).
# It prints each number and the ratios, and removes every process it made
# (a trap kills the namespaces' unshare parents; --kill-child takes their
# inits, and each namespace's other processes die with its init).
#
# usage: scripts/bench-ui.sh [-n NS] [-p PROCS] [-t SECS] [-b SIGVIEW]...
#   defaults: 300 namespaces, 20000 processes, 20 s per UI measurement; the
#   binary is built from this checkout unless -b names one (-b again
#   measures each binary given on the same processes: an old build and a
#   new one, side by side). -w only makes the processes and holds them
#   until interrupted, for the Go benchmarks (go test -bench
#   'BenchmarkRescan|BenchmarkKeys' ./procinspect ./ui).
# Needs root (unshare --pid), tini, script (util-linux), curl; installs
# htop with apt-get if it is missing. Run it on an idle machine: check
# `uptime` first, and repeat for medians. To keep other runs out, take a
# lock with `flock -o LOCK scripts/bench-ui.sh ...`: without -o every
# process made here inherits the lock's descriptor and holds the lock.
set -euo pipefail

NS=300 PROCS=20000 SECS=20 BINS=() HOLD=0
while getopts "n:p:t:b:wh" o; do
	case $o in
	w) HOLD=1 ;;
	n) NS=$OPTARG ;;
	p) PROCS=$OPTARG ;;
	t) SECS=$OPTARG ;;
	b) BINS+=("$OPTARG") ;;
	*) sed -n '2,25p' "$0"; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench-ui.sh: needs root (unshare --pid)" >&2; exit 1; }
for c in tini script curl unshare; do
	command -v $c >/dev/null || { echo "bench-ui.sh: needs $c" >&2; exit 1; }
done
if ! command -v htop >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq htop >/dev/null
fi

work=$(mktemp -d)
# sigview's kernel-profile cache in the run's own directory: a measurement
# leaves nothing in /run/sigview.
export SIGVIEW_CACHE_DIR=$work/cache
pids=()
# mine PID: PID is still this shell's own child (not reaped, so not reused
# by another process): its parent, in /proc/PID/stat, is this shell.
mine() { [ "$(awk '{sub(/.*\) /, ""); print $2}' "/proc/$1/stat" 2>/dev/null)" = "$$" ]; }
cleanup() {
	set +e
	for p in "${pids[@]}"; do mine "$p" && kill -KILL "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ${#BINS[@]} = 0 ]; then
	export PATH=$PATH:/usr/local/go/bin
	(cd "$(dirname "$0")/.." && go build -o "$work/sigview" ./cmd/sigview)
	BINS=("$work/sigview")
fi

# The pseudo-terminals' input: a FIFO this shell holds open, so it never ends.
mkfifo "$work/in"
exec 9<>"$work/in"

nprocs() { ls /proc | grep -c '^[0-9]'; }

# --- make the namespaces -----------------------------------------------------
base=$(nprocs)
# Per namespace: unshare (host side), its init, tini's sh, and the sleeps.
per=$(((PROCS - base) / NS - 3))
[ "$per" -ge 0 ] || per=0
echo "making $NS namespaces with $per sleeps each (machine had $base processes)"
for i in $(seq "$NS"); do
	if ((i % 2)); then
		unshare --pid --fork --kill-child sh -c "i=0; while [ \$i -lt $per ]; do sleep 1000000 & i=\$((i+1)); done; exec sleep 1000000" </dev/null >/dev/null 2>&1 &
	else
		unshare --pid --fork --kill-child tini -s -- sh -c "i=0; while [ \$i -lt $per ]; do sleep 1000000 & i=\$((i+1)); done; exec sleep 1000000" </dev/null >/dev/null 2>&1 &
	fi
	pids+=($!)
done
want=$((base + NS * (per + 3) - NS / 2))
# Until the count is reached, or stops growing (other processes on the
# machine come and go).
last=0 still=0
for _ in $(seq 600); do
	n=$(nprocs)
	[ "$n" -ge "$want" ] && break
	if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; fi
	[ "$still" -ge 3 ] && break
	last=$n
	sleep 1
done
sleep 2
echo "processes: $(nprocs), load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$HOLD" = 1 ]; then
	echo "holding them until interrupted"
	# wait: a signal runs the trap at once. The sleep is killed on exit
	# too: it inherits the descriptors, a flock's lock among them, and would
	# hold that lock for the rest of its hour.
	while :; do
		sleep 3600 &
		hold=$!
		pids+=("$hold")
		wait "$hold"
	done
fi

# cpu PID: utime+stime of PID in clock ticks.
cpu() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

# pct CMD...: CPU of CMD in a 160x45 pseudo-terminal over SECS seconds after
# a 5 s warm-up, in percent of one core.
pct() {
	local pidf=$work/pid.$RANDOM
	script -qfec "stty rows 45 cols 160; echo \$\$ >$pidf; exec env TERM=xterm-256color $*" /dev/null <&9 >/dev/null 2>&1 &
	local sp=$!
	pids+=($sp)
	sleep 5
	local p
	p=$(cat "$pidf")
	local a b
	a=$(cpu "$p")
	sleep "$SECS"
	b=$(cpu "$p")
	# Only while it is still script's child: once reaped, its PID may be
	# another process's. script itself is not waited for yet: still ours.
	ours() { [ "$(awk '{sub(/.*\) /, ""); print $2}' "/proc/$p/stat" 2>/dev/null)" = "$sp" ]; }
	ours && kill -TERM "$p" 2>/dev/null || true
	sleep 0.5
	ours && kill -KILL "$p" 2>/dev/null || true
	kill -KILL "$sp" 2>/dev/null || true
	wait "$sp" 2>/dev/null || true
	awk -v a="$a" -v b="$b" -v t="$tck" -v s="$SECS" 'BEGIN { printf "%.2f", (b - a) / t / s * 100 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

# serve BIN: CPU of `BIN serve` at its default interval over 30 s after a
# 5 s warm-up (its first scan), and the median time of three scrapes.
serve() {
	local port=$((20000 + RANDOM % 20000))
	"$1" serve --listen 127.0.0.1:$port >/dev/null 2>&1 &
	local sv=$!
	pids+=($sv)
	for _ in $(seq 100); do curl -fso /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.2; done
	sleep 5
	local a b scrape
	a=$(cpu $sv)
	sleep 30
	b=$(cpu $sv)
	scrape=$(for _ in 1 2 3; do curl -fso /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics"; done | sort -n | sed -n 2p)
	kill -KILL $sv 2>/dev/null || true
	wait $sv 2>/dev/null || true
	echo "  serve at its default interval: $(awk -v a="$a" -v b="$b" -v t="$tck" 'BEGIN { printf "%.2f", (b - a) / t / 30 * 100 }') % of one core over 30 s; a scrape $(awk -v s="$scrape" 'BEGIN { printf "%.1f", s * 1000 }') ms"
}

# med3 CMD...: median wall ms and peak RSS KiB of three runs.
med3() {
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>&1 || true
		cat "$work/t"
	done | sort -n | sed -n 2p | awk '{ printf "%d %d\n", $1 * 1000, $2 }'
}

echo "UI CPU at 1 s, $SECS s each (percent of one core):"
top=$(pct "top -d 1")
echo "  top -d 1               $top %"
htop=$(pct "htop -d 10")
echo "  htop -d 10             $htop %"
read -r pms prss < <(med3 ps -eo pid,pidns,caught,ignored,blocked,pending,comm)
echo "ps -eo pid,pidns,caught,ignored,blocked,pending,comm (median of 3): ${pms} ms, peak RSS $((prss / 1024)) MB"
for BIN in "${BINS[@]}"; do
	echo "== $BIN"
	ui=$(pct "$BIN --interval 1s")
	echo "  UI --interval 1s: $ui % of one core; sigview/top $(ratio "$ui" "$top"), sigview/htop $(ratio "$ui" "$htop")"
	serve "$BIN"
	read -r jms jrss < <(med3 "$BIN" --json --no-probe)
	echo "  --json (median of 3): ${jms} ms, peak RSS $((jrss / 1024)) MB; sigview/ps $(ratio "$jms" "$pms")"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
