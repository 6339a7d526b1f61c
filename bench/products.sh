#!/usr/bin/env bash
# Times the step's two matrix products, X·A (200×30·30×100) and Xᵀ·G
# (30×200·200×100), float64 and float32, with every kernel of package kernel
# (this project's AVX2 assembly, gonum's pure Go and, when libopenblas-dev is
# installed, OpenBLAS on one thread) and with github.com/viterin/vek v0.4.3,
# in one benchmark binary (bench/vek, a module of its own), COUNT times on
# one core (-cpu 1) and on two (-cpu 2; vek splits each product among
# goroutines, the kernels do not), and prints the medians as a Markdown
# table with their ratios to OpenBLAS (the floor) and to the AVX2 kernel, in
# the same column.
#
#   bench/products.sh              # COUNT=8
set -euo pipefail
cd "$(dirname "$0")"
. ./openblas_env.sh
cd vek
count=${COUNT:-8}
tags=()
if dpkg -s libopenblas-dev >/dev/null 2>&1; then
	tags=(-tags openblas)
else
	echo "bench: no libopenblas-dev; OpenBLAS is left out" >&2
fi
echo "date: $(date -u '+%F %H:%M UTC'); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OpenBLAS settings removed from the environment: ${BENCH_OPENBLAS_REMOVED:-none}"
go test "${tags[@]}" -run XXX -bench StepProducts -cpu 1,2 -count "$count" | tee /dev/stderr | grep '^Benchmark' | python3 -c '
import collections, statistics, sys
times = collections.defaultdict(list)
for line in sys.stdin:
    f = line.split()
    name, cpus = f[0].removeprefix("BenchmarkStepProducts/"), "1"
    if "-" in name.rsplit("/", 1)[1]:
        name, cpus = name.rsplit("-", 1)
    times[(name, cpus)].append(float(f[2]) / 1000)
med = {k: statistics.median(v) for k, v in times.items()}
count = max(len(v) for v in times.values())
names = list(dict.fromkeys(n.rsplit("/", 1)[0] for n, _ in med))
print()
print("| µs, median of %d (range) | float64, 1 core | float64, 2 cores | float32, 1 core | float32, 2 cores |" % count)
print("| --- | --- | --- | --- | --- |")
for n in names:
    cells = []
    for dtype in ("float64", "float32"):
        for cpus in ("1", "2"):
            k = (n + "/" + dtype, cpus)
            if k not in med:
                cells.append("")
                continue
            cell = "%.0f (%.0f–%.0f)" % (med[k], min(times[k]), max(times[k]))
            for ref, label in (("kernel=openblas", "OpenBLAS"), ("kernel=avx2", "avx2")):
                r = med.get((ref + "/" + dtype, cpus))
                if r and n != ref:
                    cell += ", %.2f× %s" % (med[k] / r, label)
            cells.append(cell)
    print("| %s | %s |" % (n, " | ".join(cells)))
'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
