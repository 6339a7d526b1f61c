#!/usr/bin/env bash
# Runs the blog's experiments (the learning-rate sweep, label noise for
# 100,000 steps, small initialization, lr 0.01) with PyTorch and with igr,
# one after the other on this machine, RUNS times, and prints the median wall
# times and their ratios to PyTorch's fastest configuration, in Markdown.
#
# PyTorch runs two programs, each in four configurations, OPENBLAS_NUM_THREADS=1
# or OpenBLAS's default threads (a thread per core; th.set_num_threads does
# not reach them) × torch's intra-op threads 1 or 2:
#
#   bench/pytorch/blog.py    the blog's code with a timer and a step counter
#   bench/pytorch/seed.py    the blog's code as written, run by run_seed.py,
#                            which only calls th.set_num_threads first
#
# igr runs `igr reproduce` as a user runs it: default flags (its own random
# numbers, float64, a worker per core), and with -rng torch -dtype float32,
# which trains PyTorch's data from PyTorch's initialization in float32 and
# prints the blog's numbers. Both take about as many steps as PyTorch (igr
# also trains plain GD at lr 0.03, about 1,000 steps more). Every program is
# timed as a process, start-up included.
#
# Needs: Go; Debian's python3-torch (apt-get install -y python3-torch), run by
# /usr/bin/python3; for the OpenBLAS build, libopenblas-dev (which PyTorch then
# uses too, through libblas.so.3). BEFORE=<git revision> also times the igr of
# that revision, built in a temporary worktree. bench/vs_pytorch.py does the
# timing and prints the date, the machine, its load and the table.
#
#   bench/vs_pytorch.sh              # RUNS=3 by default
#   RUNS=1 NOISE_STEPS=10000 bench/vs_pytorch.sh   # a quick look (without the seed's code)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
noise=${NOISE_STEPS:-100000}
. bench/prepare.sh

"$python" bench/vs_pytorch.py "$out" "$runs" "$noise" "${builds[@]}"
