#!/usr/bin/env bash
# Runs the blog's PyTorch code (bench/pytorch/blog.py: the learning-rate
# sweep, label noise for 100,000 steps, small initialization, lr 0.01) with 1
# and with 2 threads, and `igr reproduce`, which trains the same experiments
# and more, one after the other on this machine, RUNS times, and prints the
# median wall times and their ratios to PyTorch at its faster thread count.
#
# igr runs as a user runs it: default flags (its own random numbers, float64,
# a worker per core), and with -rng torch -dtype float32, which trains
# PyTorch's data from PyTorch's initialization in float32 and prints the
# blog's numbers. Both take about as many steps as PyTorch (igr also trains
# plain GD at lr 0.03, about 1,000 steps more).
#
# Needs: Go; Debian's python3-torch (apt-get install -y python3-torch), run by
# /usr/bin/python3; for the OpenBLAS build, libopenblas-dev (which PyTorch then
# uses too, through libblas.so.3). BEFORE=<git revision> also times the igr of
# that revision, built in a temporary worktree.
#
#   bench/vs_pytorch.sh              # RUNS=3 by default
#   RUNS=1 NOISE_STEPS=10000 bench/vs_pytorch.sh   # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
noise=${NOISE_STEPS:-100000}
out=${OUT:-bench/out}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"

. bench/builds.sh

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
	for t in 1 2; do
		echo "run $i/$runs: PyTorch, $t thread(s)" >&2
		"$python" bench/pytorch/blog.py --quiet --threads "$t" --noise-steps "$noise" --json "$out/torch-t$t-$i.json" >/dev/null
	done
	for nb in "${builds[@]}"; do
		b=${nb%%=*}
		echo "run $i/$runs: $b reproduce" >&2
		"${nb#*=}" reproduce -quiet -noise-steps "$noise" -out "$out/$b-default-$i" >/dev/null
		echo "run $i/$runs: $b reproduce -rng torch -dtype float32" >&2
		"${nb#*=}" reproduce -quiet -rng torch -dtype float32 -noise-steps "$noise" -out "$out/$b-torch-$i" >/dev/null
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$out" "$runs" "${builds[@]}" <<'PY'
import json, os, statistics, sys
out, runs, builds = sys.argv[1], int(sys.argv[2]), [b.split("=", 1)[0] for b in sys.argv[3:]]
med = statistics.median
torch = {t: [json.load(open(f"{out}/torch-t{t}-{i}.json")) for i in range(1, runs + 1)] for t in (1, 2)}
twall = {t: med([r["total"]["wall_s"] for r in torch[t]]) for t in (1, 2)}
best = min(twall.values())
t0 = torch[1][0]
print(f"\nPyTorch {t0['meta']['torch']}, float32, BLAS: {t0['meta'].get('blas', '?')}")
print(f"{'':44}{'wall s':>8}{'steps':>9}{'µs/step':>9}{'speed-up':>10}")
for t in (1, 2):
    steps = torch[t][0]["total"]["steps"]
    print(f"{'PyTorch (blog code), ' + str(t) + ' thread' + ('s' if t > 1 else ''):44}{twall[t]:8.1f}{steps:9d}{1e6*twall[t]/steps:9.0f}{best/twall[t]:10.2f}")
for b in builds:
    for mode, label in (("default", "default flags"), ("torch", "-rng torch -dtype float32")):
        sums = [json.load(open(f"{out}/{b}-{mode}-{i}/summary.json")) for i in range(1, runs + 1)]
        wall = med([s["wall_seconds"] for s in sums])
        s0 = sums[0]
        kernel = s0.get("kernel", s0.get("blas", "?"))
        w = s0["workers"]
        name = f"{b} ({kernel}, {w} workers), {label}"
        print(f"{name:44}{wall:8.1f}{s0['total_steps']:9d}{1e6*wall*w/s0['total_steps']:9.0f}{best/wall:10.2f}")
        checks = all(c["holds"] for c in s0["checks"])
        print(f"{'':44}all blog claims hold: {checks}; peak memory {med([s['peak_rss_mb'] for s in sums]):.0f} MB")
print("\nµs/step is wall time × workers / steps; speed-up is PyTorch's wall time at its faster thread count over this one's.")
PY
