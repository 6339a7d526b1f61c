#!/usr/bin/env bash
# Times one training step of the blog's network (X 200×30, A 30×100) on the
# path a user runs, label-noise gradient descent at lr 0.03, against the
# blog's PyTorch loop and against the floor of the machine:
#
#   igr      igr train -lr 0.03 -sigma 1 -steps N -history-every 1000000 -workers 1
#            (float64, the default, and -dtype float32), for N = LO and HI
#   PyTorch  bench/pytorch/blog.py --experiments noise --noise-steps N
#            (the blog's label-noise loop, float32), with 1 and with 2 threads
#   floor    the step's two matrix products, X·A and Xᵀ·G, on OpenBLAS
#            (go test -tags openblas ./internal/kernel -bench StepProducts)
#
# A step costs (wall time at HI − wall time at LO) / (HI − LO), which leaves
# out start-up and set-up; each is the median of RUNS repetitions, all in one
# sitting, the programs taking turns. PyTorch is compared at its faster thread
# count.
#
# Needs: Go; Debian's python3-torch (run by /usr/bin/python3); for the
# OpenBLAS build and the floor, libopenblas-dev. BEFORE=<git revision> also
# times the igr of that revision, built in a temporary worktree.
#
#   bench/step.sh                          # RUNS=5 LO=2000 HI=12000
#   BEFORE=2db877c RUNS=3 bench/step.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
lo=${LO:-2000}
hi=${HI:-12000}
out=${OUT:-bench/out}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"

. bench/builds.sh

floor=""
if [[ " ${builds[*]} " == *igr-openblas=* ]]; then
	echo "floor: OpenBLAS matrix products" >&2
	floor=$(go test -tags openblas ./internal/kernel -run XXX -bench 'StepProducts/kernel=openblas' -count "$runs" 2>/dev/null | grep '^Benchmark')
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" - "$out" "$runs" "$lo" "$hi" "$floor" "${builds[@]}" <<'PY'
import json, statistics, subprocess, sys, time
out, runs, lo, hi, floor = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
builds = [b.split("=", 1) for b in sys.argv[6:]]

def wall(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t

def igr(path, dtype):
    def step(n):
        return wall([path, "train", "-lr", "0.03", "-sigma", "1", "-steps", str(n), "-history-every", "1000000",
                     "-workers", "1", "-quiet", "-dtype", dtype, "-out", f"{out}/step-{n}"])
    return step

def torch(threads):
    def step(n):
        js = f"{out}/torch-step.json"
        subprocess.run([sys.executable, "bench/pytorch/blog.py", "--experiments", "noise", "--noise-steps", str(n),
                        "--threads", str(threads), "--quiet", "--json", js],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.load(open(js))["results"][0]["wall_s"]
    return step

subjects = []
for name, path in builds:
    subjects.append((f"{name}, float64", igr(path, "float64")))
    subjects.append((f"{name}, float32", igr(path, "float32")))
subjects += [("PyTorch, float32, 1 thread", torch(1)), ("PyTorch, float32, 2 threads", torch(2))]

times = {name: [] for name, _ in subjects}
for r in range(runs):
    print(f"run {r+1}/{runs}", file=sys.stderr)
    for name, step in subjects:  # taking turns: slow drifts of the machine hit all alike
        times[name].append(1e6 * (step(hi) - step(lo)) / (hi - lo))
med = {name: statistics.median(v) for name, v in times.items()}
torch_best = min(med["PyTorch, float32, 1 thread"], med["PyTorch, float32, 2 threads"])

floors = {}
for line in floor.splitlines():
    f = line.split()
    dtype = f[0].rsplit("/", 1)[1].split("-")[0]
    floors.setdefault(dtype, []).append(float(f[2]) / 1000)
floors = {k: statistics.median(v) for k, v in floors.items()}

print(f"\nµs per step, median of {runs} ({lo} and {hi} steps differenced); PyTorch at its faster thread count:")
print(f"{'':34}{'µs/step':>9}{'range':>15}{'/ PyTorch':>11}{'/ floor':>9}")
for name, _ in subjects:
    v = times[name]
    dtype = "float32" if "float32" in name else "float64"
    fl = f"{med[name] / floors[dtype]:9.2f}" if dtype in floors and not name.startswith("PyTorch") else f"{'':9}"
    print(f"{name:34}{med[name]:9.0f}{f'{min(v):.0f}–{max(v):.0f}':>15}{med[name] / torch_best:11.2f}{fl}")
for dtype, v in sorted(floors.items()):
    print(f"{'floor: OpenBLAS X·A + Xᵀ·G, ' + dtype:34}{v:9.0f}")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
