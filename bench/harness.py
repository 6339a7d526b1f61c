"""What bench/step.py and bench/vs_pytorch.py share: PyTorch's
configurations, running a program and timing it, the record of the machine
and of its load, medians, and the Markdown tables they print.

Debian's PyTorch does its matrix products through the system BLAS, OpenBLAS
once libopenblas-dev is installed, and OpenBLAS keeps a thread pool of its
own that th.set_num_threads does not reach: OPENBLAS_NUM_THREADS does. So
PyTorch is timed in four configurations, OpenBLAS's threads (1, or its
default, a thread per core) × torch's intra-op threads (1 or 2), and igr is
compared with the fastest.
"""
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")


class TorchConfig:
  """One configuration of PyTorch's threads: openblas is the value of
  OPENBLAS_NUM_THREADS, or None to leave it unset (OpenBLAS's default);
  intra is the argument of th.set_num_threads."""

  def __init__(self, openblas, intra):
    self.openblas, self.intra = openblas, intra

  def label(self):
    ob = "OPENBLAS_NUM_THREADS=%s" % self.openblas if self.openblas else "OpenBLAS default threads"
    return "%s, th.set_num_threads(%d)" % (ob, self.intra)

  def key(self):
    return "ob%s-t%d" % (self.openblas or "default", self.intra)

  def env(self):
    """The environment of a PyTorch run: this one without the variables that
    set OpenBLAS's threads (OpenBLAS reads OMP_NUM_THREADS too), then
    OPENBLAS_NUM_THREADS when the configuration sets it."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")}
    if self.openblas:
      env["OPENBLAS_NUM_THREADS"] = self.openblas
    return env


TORCH_CONFIGS = [TorchConfig(ob, t) for ob in (None, "1") for t in (1, 2)]


class Times:
  """The wall time of a run and the CPU time (user + system, all threads)
  its process used, in seconds. On a shared machine the CPU time of a
  single-threaded program is what its wall time would be on a quiet one,
  give or take the caches other work shares."""

  def __init__(self, wall, cpu):
    self.wall, self.cpu = wall, cpu

  def __sub__(self, other):
    return Times(self.wall - other.wall, self.cpu - other.cpu)


def run(cmd, env=None):
  """Runs cmd to completion and returns its Times; a failure stops the
  benchmark with the program's own message."""
  with tempfile.TemporaryFile(mode="w+") as errors:
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
      errors.seek(0)
      sys.exit("bench: %s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, errors.read()[-2000:]))
  return Times(wall, usage.ru_utime + usage.ru_stime)


def load():
  with open("/proc/loadavg") as f:
    return " ".join(f.read().split()[:3])


def machine():
  """Lines that record what measured: the date, the CPU, the Go and PyTorch
  in use, the BLAS PyTorch loads, the OpenBLAS settings of the environment,
  and the load."""
  info = {}
  with open("/proc/cpuinfo") as f:
    for line in f:
      if ":" in line:
        k, v = line.split(":", 1)
        info.setdefault(k.strip(), v.strip())
  cpu = "%s (family %s, model %s)" % (info.get("model name", "?"), info.get("cpu family", "?"), info.get("model", "?"))
  probe = ("import os, torch; (torch.ones(64, 64) @ torch.ones(64, 64)).sum(); "
           "maps = open('/proc/self/maps').read().split(); "
           "blas = sorted({os.path.realpath(p) for p in maps if 'blas' in p.rsplit('/', 1)[-1]}); "
           "print(torch.__version__, torch.get_num_threads(), ','.join(blas))")
  try:
    version, threads, blas = subprocess.run([PYTHON, "-c", probe], check=True, capture_output=True,
                                            text=True).stdout.split()
  except (subprocess.CalledProcessError, ValueError, OSError) as e:
    version, threads, blas = "not found (%s)" % e, "?", "?"
  go = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
  settings = " ".join("%s=%s" % (k, v) for k, v in sorted(os.environ.items()) if k.startswith("OPENBLAS_"))
  removed = os.environ.get("BENCH_OPENBLAS_REMOVED", "")
  return [
      "date: %s" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
      "machine: %d cores, %s" % (os.cpu_count(), cpu),
      "%s; PyTorch %s (default intra-op threads here: %s), BLAS %s" % (go, version, threads, blas),
      "OpenBLAS settings in the environment: %s; removed for these runs (bench/openblas_env.sh): %s; "
      "OpenBLAS's kernels: %s" % (settings or "none", removed or "none", openblas_core()),
      "load average before: %s; other processes using the CPU now: %s" % (load(), busy()),
  ]


def openblas_core():
  """The name of the kernels OpenBLAS uses in this environment."""
  probe = ("import ctypes, ctypes.util; lib = ctypes.CDLL('libopenblas.so.0'); "
           "lib.openblas_get_corename.restype = ctypes.c_char_p; print(lib.openblas_get_corename().decode())")
  p = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True)
  return p.stdout.strip() or "unknown (no libopenblas.so.0)"


def busy():
  """The number of other processes in state R (running) right now: the
  other work on a shared machine."""
  n = 0
  for stat in glob.glob("/proc/[0-9]*/stat"):
    try:
      with open(stat) as f:
        if f.read().rsplit(")", 1)[1].split()[0] == "R":
          n += 1
    except (OSError, IndexError):
      pass
  return max(n - 1, 0)  # this process


def median(v):
  return statistics.median(v)


def span(v, fmt="%.0f"):
  return (fmt + "–" + fmt) % (min(v), max(v))


def table(header, rows):
  """A Markdown table."""
  out = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
  out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
  return "\n".join(out)
