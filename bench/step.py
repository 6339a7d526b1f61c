"""The timing half of bench/step.sh (read that first): one training step of
igr and of the blog's PyTorch loop, in turns, printed as a Markdown table.

  python3 bench/step.py OUT RUNS LO HI FLOOR NAME=BINARY...

FLOOR is the test binary of internal/kernel built with -tags openblas, or
empty.
"""
import subprocess
import sys

import harness

out, runs, lo, hi, floor = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
builds = [b.split("=", 1) for b in sys.argv[6:]]


def igr(path, dtype):
  def wall(steps):
    return harness.run([path, "train", "-lr", "0.03", "-sigma", "1", "-steps", str(steps), "-history-every", "1000000",
                        "-workers", "1", "-quiet", "-dtype", dtype, "-out", "%s/step-%d" % (out, steps)])
  return wall


def torch(cfg):
  def wall(steps):
    return harness.run([harness.PYTHON, "bench/pytorch/blog.py", "--experiments", "noise", "--noise-steps", str(steps),
                        "--threads", str(cfg.intra), "--quiet"], env=cfg.env())
  return wall


subjects = []
for name, path in builds:
  subjects.append(("%s, float64" % name, "float64", igr(path, "float64")))
  subjects.append(("%s, float32" % name, "float32", igr(path, "float32")))
torch_names = []
for cfg in harness.TORCH_CONFIGS:
  torch_names.append("PyTorch, float32, " + cfg.label())
  subjects.append((torch_names[-1], "torch", torch(cfg)))



def floor_products():
  """The OpenBLAS products' µs per call, by dtype, from one run of the benchmark."""
  p = subprocess.run([floor, "-test.run", "XXX", "-test.bench", "StepProducts/kernel=openblas/",
                      "-test.benchtime", "2000x"], capture_output=True, text=True, check=True)
  out = {}
  for line in p.stdout.splitlines():
    if line.startswith("Benchmark"):
      f = line.split()
      out[f[0].rsplit("/", 1)[1].split("-")[0]] = float(f[2]) / 1000
  return out


header = harness.machine()
times = {name: [] for name, _, _ in subjects}
cpu = {name: [] for name, _, _ in subjects}
floors = {}
for r in range(runs):
  print("run %d/%d" % (r + 1, runs), file=sys.stderr)
  for name, _, wall in subjects:  # in turns: a slow drift of the machine's load hits all alike
    d = wall(hi) - wall(lo)
    times[name].append(1e6 * d.wall / (hi - lo))
    cpu[name].append(1e6 * d.cpu / (hi - lo))
  if floor:
    for dtype, us in floor_products().items():
      floors.setdefault(dtype, []).append(us)
med = {name: harness.median(v) for name, v in times.items()}
fastest = min(torch_names, key=lambda n: med[n])
floor_ranges = floors
floors = {k: harness.median(v) for k, v in floors.items()}

print("\n".join(header))
print("load average after: %s; other processes using the CPU now: %d" % (harness.load(), harness.busy()))
print()
print("One step, µs: (wall time at %d steps − at %d) / %d, median of %d runs taking turns. "
      "The fastest PyTorch configuration is %s." % (hi, lo, hi - lo, runs, fastest[len("PyTorch, float32, "):]))
print()
rows = []
for name, dtype, _ in subjects:
  fl = "%.2f" % (med[name] / floors[dtype]) if dtype in floors else ""
  rows.append([name, "%.0f" % med[name], harness.span(times[name]), "%.2f" % (med[name] / med[fastest]), fl,
               "%.0f (%s)" % (harness.median(cpu[name]), harness.span(cpu[name]))])
for dtype, v in sorted(floors.items(), reverse=True):
  rows.append(["floor: OpenBLAS X·A + Xᵀ·G, %s, one thread" % dtype, "%.0f" % v, harness.span(floor_ranges[dtype]),
               "", "", ""])
print(harness.table(["median of %d" % runs, "µs/step", "range", "÷ fastest PyTorch", "÷ floor",
                     "CPU µs/step (range)"], rows))
print()
print("CPU µs/step: the user + system time of the process, all its threads, differenced the same way; for a "
      "program on one thread it is what the wall time would be on a quiet machine.")
