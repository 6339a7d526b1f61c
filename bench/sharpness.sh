#!/usr/bin/env bash
# Times sharpness tracking on the blog's network (n = 200, d = 30, m = 100,
# float64) and shows that a run without it costs what it cost before:
#
#   tracking  go test ./train -bench TrackSharpness: runs of 250 and 1,250
#             steps at lr 0.01 and 0.09, plain, with the sharpness tracked
#             every 10 steps and every step, with the exact sharpness at
#             both ends, and as sweeps and maps track it (exact at both ends,
#             every 10 steps and each of the first 100). A step costs
#             (time at 1,250 − time at 250) / 1,000:
#             the first 250 steps, the graphs and the end measurements are
#             the fixed cost of a run.
#   before    with BEFORE=<git revision>: go test ./graph -bench 'Step$' and
#             go test ./train -bench SGDRun/B=200 (a 20,000-step run) of this
#             tree and of that revision, each process timed by /usr/bin/time
#             (processor time, user + system).
#
# Every sub-benchmark runs once per round and the rounds are repeated RUNS
# times, so that what is compared takes turns; the tables are medians over
# the rounds, and ratios are taken within a round, then their median. Wall
# time and processor time are both given: on a shared machine the wall clock
# also counts the waits for a core.
#
#   bench/sharpness.sh                      # RUNS=8
#   BEFORE=536b307 RUNS=8 bench/sharpness.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-8}
out=${OUT:-bench/out}
mkdir -p "$out"
go test -c -o "$out/train.test" ./train
go test -c -o "$out/graph.test" ./graph
if [ -n "${BEFORE:-}" ]; then
	src=$(mktemp -d)
	git archive "$BEFORE" | tar -x -C "$src"
	(cd "$src" && go test -c -o "$OLDPWD/$out/train-before.test" ./train && go test -c -o "$OLDPWD/$out/graph-before.test" ./graph)
	rm -rf "$src"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
log="$out/sharpness.log"
: >"$log"
for _ in $(seq "$runs"); do
	for lr in 0.01 0.09; do
		for c in plain every=10 every=1 exact-ends experiments; do
			for n in 250 1250; do
				"$out/train.test" -test.run XXX -test.bench "TrackSharpness/^lr=$lr\$/^$c\$/^steps=$n\$" -test.benchtime 2x -test.benchmem |
					grep '^Benchmark' >>"$log"
			done
		done
	done
	if [ -n "${BEFORE:-}" ]; then
		for w in before after; do
			suffix=""
			[ "$w" = before ] && suffix="-before"
			for b in "graph$suffix.test:^BenchmarkStep\$:3000x" "train$suffix.test:SGDRun/B=200:1x"; do
				IFS=: read -r bin bench times <<<"$b"
				line=$(/usr/bin/time -f 'cpu-s %U %S' -o "$out/time.txt" "$out/$bin" -test.run XXX -test.bench "$bench" -test.benchtime "$times" -test.benchmem | grep '^Benchmark')
				echo "$w $line $(cat "$out/time.txt")" >>"$log"
			done
		done
	fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$log" <<'PY'
import re, statistics, sys
from collections import defaultdict
med = statistics.median
wall, cpu, mem = defaultdict(list), defaultdict(list), {}
before = defaultdict(list)
for l in open(sys.argv[1]):
    if l.startswith(('before ', 'after ')):
        w, rest = l.split(' ', 1)
        name = rest.split()[0].rsplit('-', 1)[0]
        n = 20000 if 'SGDRun' in name else 3000
        u, s = map(float, re.search(r'cpu-s ([\d.]+) ([\d.]+)', l).groups())
        before[(name, w, 'cpu')].append((u + s) * 1e6 / n)
        before[(name, w, 'wall')].append(float(re.search(r'(\d+) ns/op', rest).group(1)) / 1000 / (20000 if 'SGDRun' in name else 1))
        before[(name, w, 'mem')] = re.search(r'(\d+ B/op\s+\d+ allocs/op)', rest).group(1)
        continue
    m = re.match(r'BenchmarkTrackSharpness/lr=([\d.]+)/([\w=-]+)/steps=(\d+)', l)
    lr, c, n = m.group(1), m.group(2), int(m.group(3))
    wall[lr, c, n].append(float(re.search(r'([\d.]+) µs/step', l).group(1)) * n)
    cpu[lr, c, n].append(float(re.search(r'([\d.]+) cpu-µs/step', l).group(1)) * n)
    mem[lr, c, n] = re.search(r'(\d+ B/op\s+\d+ allocs/op)', l).group(1)
for label, t in (('wall', wall), ('processor', cpu)):
    print(f'\n{label} time: µs per step after the first 250, ×plain (range), the 1,250-step run per step, ×plain, fixed cost beyond plain')
    for lr in ('0.01', '0.09'):
        def step(c):
            return [(b - a) / 1000 for a, b in zip(t[lr, c, 250], t[lr, c, 1250])]
        def fixed(c):
            return [a - 250 * s for a, s in zip(t[lr, c, 250], step(c))]
        for c in ('plain', 'every=10', 'every=1', 'exact-ends', 'experiments'):
            r = [a / b for a, b in zip(step(c), step('plain'))]
            rr = [a / b for a, b in zip(t[lr, c, 1250], t[lr, 'plain', 1250])]
            f = [a - b for a, b in zip(fixed(c), fixed('plain'))]
            print(f'lr {lr} {c:10s} {med(step(c)):6.1f} µs  ×{med(r):.2f} ({min(r):.2f}–{max(r):.2f})  '
                  f'run {med(t[lr, c, 1250]) / 1250:6.1f} µs ×{med(rr):.2f} ({min(rr):.2f}–{max(rr):.2f})  '
                  f'fixed +{med(f) / 1000:.1f} ms  [{mem[lr, c, 1250]}]')
if before:
    print('\ntracking off, this tree (after) against BEFORE: µs per step, median (range); after/before within a round')
    for name in sorted({k[0] for k in before}):
        for kind in ('wall', 'cpu'):
            a, b = before[name, 'after', kind], before[name, 'before', kind]
            r = [x / y for x, y in zip(a, b)]
            print(f'{name:24s} {kind:4s} before {med(b):6.1f} ({min(b):.0f}–{max(b):.0f})  after {med(a):6.1f} ({min(a):.0f}–{max(a):.0f})  '
                  f'after/before {med(r):.3f} ({min(r):.2f}–{max(r):.2f})')
        print(f"{'':24s} before {before[name, 'before', 'mem']}, after {before[name, 'after', 'mem']}")
PY
