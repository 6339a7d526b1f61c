#!/usr/bin/env bash
# Times one training step of the blog's network (X 200×30, A 30×100) on the
# path a user runs, label-noise gradient descent at lr 0.03, against the
# blog's PyTorch loop and against the floor of the machine:
#
#   igr      igr train -lr 0.03 -sigma 1 -steps N -history-every 1000000 -workers 1
#            (float64, the default, and -dtype float32), for N = LO and HI
#   PyTorch  bench/pytorch/blog.py --experiments noise --noise-steps N
#            (the blog's label-noise loop, float32) in four configurations:
#            OPENBLAS_NUM_THREADS=1 or OpenBLAS's default threads (a thread
#            per core; th.set_num_threads does not reach them) × torch's
#            intra-op threads 1 or 2 (--threads)
#   floor    the step's two matrix products, X·A and Xᵀ·G, on OpenBLAS
#            (BenchmarkStepProducts of internal/kernel built with -tags
#            openblas), once per round like the others
#
# A step costs (wall time at HI − wall time at LO) / (HI − LO), which leaves
# out start-up and set-up; each is the median of RUNS repetitions, all in one
# sitting, the programs taking turns. igr is compared with PyTorch's fastest
# configuration. bench/step.py does the timing and prints the date, the
# machine, its load and the table, in Markdown.
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
. bench/prepare.sh

floor=""
if [[ " ${builds[*]} " == *igr-openblas=* ]]; then
	floor=$out/kernel-openblas.test
	go test -c -tags openblas -o "$floor" ./internal/kernel
fi

"$python" bench/step.py "$out" "$runs" "$lo" "$hi" "$floor" "${builds[@]}"
