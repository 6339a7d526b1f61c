"""The timing half of bench/vs_pytorch.sh (read that first): the blog's
experiments, PyTorch against igr, in turns, printed as a Markdown table.

  python3 bench/vs_pytorch.py OUT RUNS NOISE_STEPS NAME=BINARY...
"""
import json
import sys

import harness

out, runs, noise = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
builds = [b.split("=", 1) for b in sys.argv[4:]]
BLOG_STEPS = 272720  # the blog's four trainings: lr 0.01, the sweep, label noise, small initialization


class Subject:
  def __init__(self, name, kind, time, info=None):
    self.name, self.kind, self.time, self.info = name, kind, time, info
    self.walls, self.cpus, self.infos = [], [], []


def blog_py(cfg):
  def time(i):
    js = "%s/torch-%s-%d.json" % (out, cfg.key(), i)
    t = harness.run([harness.PYTHON, "bench/pytorch/blog.py", "--quiet", "--threads", str(cfg.intra),
                     "--noise-steps", str(noise), "--json", js], env=cfg.env())
    with open(js) as f:
      r = json.load(f)
    return t, dict(steps=r["total"]["steps"], loop_s=r["total"]["wall_s"])
  return time


def seed_py(cfg):
  def time(i):
    t = harness.run([harness.PYTHON, "bench/pytorch/run_seed.py", str(cfg.intra), "bench/pytorch/seed.py"],
                    env=cfg.env())
    return t, dict(steps=BLOG_STEPS)
  return time


def reproduce(path, args, tag):
  def time(i):
    dst = "%s/%s-%d" % (out, tag, i)
    t = harness.run([path, "reproduce", "-quiet", "-noise-steps", str(noise), "-out", dst] + args)
    with open(dst + "/summary.json") as f:
      s = json.load(f)
    return t, dict(steps=s["total_steps"], workers=s["workers"], kernel=s.get("kernel", "?"),
                      holds=all(c["holds"] for c in s["checks"]), rss=s["peak_rss_mb"])
  return time


subjects = []
for cfg in harness.TORCH_CONFIGS:
  subjects.append(Subject("PyTorch, blog.py, " + cfg.label(), "torch", blog_py(cfg)))
if noise == 100000:
  for cfg in harness.TORCH_CONFIGS:
    subjects.append(Subject("PyTorch, the seed's code as written, " + cfg.label(), "torch", seed_py(cfg)))
else:
  print("bench: NOISE_STEPS=%d: the seed's code (100,000 label-noise steps) is not timed" % noise, file=sys.stderr)
for name, path in builds:
  subjects.append(Subject("%s, default flags" % name, "igr", reproduce(path, [], name + "-default")))
  subjects.append(Subject("%s, -rng torch -dtype float32" % name, "igr",
                          reproduce(path, ["-rng", "torch", "-dtype", "float32"], name + "-torch")))

header = harness.machine()
for i in range(1, runs + 1):
  for s in subjects:  # in turns: a slow drift of the machine's load hits all alike
    print("run %d/%d: %s" % (i, runs, s.name), file=sys.stderr)
    t, info = s.time(i)
    s.walls.append(t.wall)
    s.cpus.append(t.cpu)
    s.infos.append(info)

med = {s.name: harness.median(s.walls) for s in subjects}
torch = [s for s in subjects if s.kind == "torch"]
fastest = min(torch, key=lambda s: med[s.name])

print("\n".join(header))
print("load average after: %s; other processes using the CPU now: %d" % (harness.load(), harness.busy()))
print()
print("The blog's experiments (lr 0.01, the sweep of 30 learning rates, %d label-noise steps, small "
      "initialization), wall time of the whole process, median of %d runs taking turns. The fastest PyTorch "
      "configuration is %s." % (noise, runs, fastest.name[len("PyTorch, "):]))
print()
rows = []
for s in subjects:
  info = s.infos[0]
  m = med[s.name]
  if s.kind == "igr":
    per_step = 1e6 * m * info["workers"] / info["steps"]
    name = "%s (kernel %s, %d workers)" % (s.name, info["kernel"], info["workers"])
  elif "loop_s" in info:
    per_step = 1e6 * harness.median([x["loop_s"] for x in s.infos]) / info["steps"]
    name = s.name
  else:
    per_step = 1e6 * m / info["steps"]
    name = s.name
  rows.append([name, "%.1f" % m, harness.span(s.walls, "%.1f"), "{:,}".format(info["steps"]), "%.0f" % per_step,
               "%.2f" % (med[fastest.name] / m), "%.1f (%s)" % (harness.median(s.cpus), harness.span(s.cpus, "%.1f"))])
print(harness.table(["median of %d" % runs, "wall s", "range", "steps", "µs/step", "speed-up over the fastest PyTorch",
                     "CPU s (range)"], rows))
print()
print("µs/step: blog.py's own timing of its loops; for the seed's code, the process's wall time; for igr, wall "
      "time × workers / steps. CPU s: the user + system time of the process, all its threads.")
for s in subjects:
  if s.kind == "igr":
    print("%s: all blog claims hold in every run: %s; peak memory %.0f MB (median)" % (
        s.name, all(x["holds"] for x in s.infos), harness.median([x["rss"] for x in s.infos])))
