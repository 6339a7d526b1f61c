# Sourced by bench/step.sh and bench/vs_pytorch.sh, which time igr against
# PyTorch, from the root of the repository: sets out (OUT, default
# bench/out, created) and python (PYTHON, default /usr/bin/python3, the
# Debian python that has torch; exported for bench/harness.py), removes
# OpenBLAS's settings from the environment (bench/openblas_env.sh) and builds
# the igr binaries into the array builds (bench/builds.sh).
out=${OUT:-bench/out}
python=${PYTHON:-/usr/bin/python3}
export PYTHON=$python
mkdir -p "$out"

. bench/openblas_env.sh
. bench/builds.sh
