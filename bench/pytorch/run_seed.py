#!/usr/bin/python3
"""Runs a script of PyTorch code as written, after setting torch's intra-op
threads: run_seed.py THREADS SCRIPT, THREADS a number or "default" (leave
torch's own choice). bench/vs_pytorch.sh runs seed.py, the blog's code, so.

The script's code is not changed: this only calls th.set_num_threads before
running it, as a user would in the session the code is pasted into.
OpenBLAS's own thread pool is not reached by th.set_num_threads; set
OPENBLAS_NUM_THREADS in the environment for that.
"""
import runpy
import sys

import torch as th

if len(sys.argv) != 3:
  sys.exit(__doc__)
if sys.argv[1] != "default":
  th.set_num_threads(int(sys.argv[1]))
runpy.run_path(sys.argv[2], run_name="__main__")
