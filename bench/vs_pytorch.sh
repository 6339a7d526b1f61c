#!/usr/bin/env bash
# Runs the blog's PyTorch code (bench/pytorch/blog.py) and `igr reproduce` on
# the same experiments — the learning-rate sweep, label noise for 100,000
# steps, small initialization, lr 0.01 — one after the other on this machine,
# RUNS times, and prints the median wall times and their ratios.
#
# igr draws PyTorch's numbers (-rng torch), so both train the same data from
# the same initialization and take about the same number of steps; igr also
# trains plain GD at lr 0.03 (about 1,000 steps more).
#
# Needs: Go; Debian's python3-torch (apt-get install -y python3-torch), run by
# /usr/bin/python3; for the OpenBLAS build, libopenblas-dev (which PyTorch then
# uses too, through libblas.so.3).
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

go build -o "$out/igr" ./cmd/igr
builds=(igr)
if go build -tags openblas -o "$out/igr-openblas" ./cmd/igr 2>/dev/null; then
	builds+=(igr-openblas)
else
	echo "bench: no OpenBLAS build (apt-get install libopenblas-dev); skipping it" >&2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
	echo "run $i/$runs: PyTorch" >&2
	"$python" bench/pytorch/blog.py --quiet --threads 1 --noise-steps "$noise" --json "$out/torch-$i.json" >/dev/null
	for b in "${builds[@]}"; do
		for w in 1 "$(nproc)"; do
			echo "run $i/$runs: $b, $w worker(s)" >&2
			"$out/$b" reproduce -rng torch -quiet -workers "$w" -noise-steps "$noise" -out "$out/$b-w$w-$i" >/dev/null
		done
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$out" "$runs" "${builds[@]}" <<'PY'
import json, statistics, sys
out, runs, builds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def med(xs): return statistics.median(xs)
torch = [json.load(open(f"{out}/torch-{i}.json")) for i in range(1, runs + 1)]
t_wall = med([t["total"]["wall_s"] for t in torch])
t_steps = torch[0]["total"]["steps"]
print(f"\nPyTorch {torch[0]['meta']['torch']}, float32, 1 thread, BLAS: {torch[0]['meta'].get('blas', '?')}")
print(f"{'':34}{'wall s (median)':>16}{'steps':>10}{'µs/step':>9}{'PyTorch / igr':>15}")
print(f"{'PyTorch (blog code)':34}{t_wall:16.1f}{t_steps:10d}{1e6*t_wall/t_steps:9.0f}{'1.00':>15}")
import os
for b in builds:
    for w in sorted({1, os.cpu_count()}):
        sums = [json.load(open(f"{out}/{b}-w{w}-{i}/summary.json")) for i in range(1, runs + 1)]
        wall = med([s["wall_seconds"] for s in sums])
        steps = sums[0]["total_steps"]
        name = f"{b} ({sums[0]['blas']} BLAS, {w} worker{'s' if w > 1 else ''})"
        print(f"{name:34}{wall:16.1f}{steps:10d}{1e6*wall*w/steps:9.0f}{t_wall/wall:15.2f}")
        print(f"{'':34}peak memory {med([s['peak_rss_mb'] for s in sums]):.0f} MB")
print("\nµs/step is wall time × workers / steps; the ratio is PyTorch's wall time over igr's.")
PY
