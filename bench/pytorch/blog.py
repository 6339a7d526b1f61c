#!/usr/bin/python3
"""Reference benchmark: the blog post's own PyTorch code, timed.

Blog post: "Implicit bias by large learning rate: Noise can be helpful for
gradient descent".

The data generation, the models and the training loops are the blog's code
itself, run from seed.py (which holds the blog's code blocks as written), at
the blog's learning rates (same seeds, float32, `while loss > 1e-4`, label
noise, output divided by 100 for small init). The only additions are around
them: a count of the steps, taken by the model the loops are handed (one
loop iteration = one gradient step = one prediction on X_train), wall-clock
timing, an optional --max-steps cap (off by default), and a command-line
interface with a table / JSON report.

Usage (Debian's torch lives in the system python, not the pyenv one on PATH):

    /usr/bin/python3 blog.py [--experiments sweep,noise,smallinit,small_lr]
                             [--threads 1] [--noise-steps 100000]
                             [--max-steps 0] [--json out.json]

Divergence: for learning rates above ~0.096 the loss grows to inf, the next
gradients are inf/NaN, the parameters become NaN and the loss becomes NaN.
`NaN > 1e-4` is False, so the blog's `while loss > 1e-4` loop EXITS by itself
a few steps after blow-up (6-9 steps here) and returns a NaN test MSE; it does
not loop forever. We therefore keep the loop exactly as the blog wrote it and
only classify a run as "diverged" afterwards when its last training loss or
its test MSE is not finite. --max-steps (default 0 = no cap, the blog's
behaviour) exists only as a safety net against a run that neither converges
nor blows up; a capped run is reported as "capped", never as converged.
"""
import argparse
import ast
import datetime
import json
import math
import os
import platform
import sys
import time

import torch as th

# ---------------------------------------------------------------- the blog's data and models
def blog_code(path):
  """The blog's code of seed.py (its code blocks as written), run without what
  trains: every import, assignment, function definition and call of the file
  in its order, but no print(...) statement and no loop. That is the blog's
  data (th.manual_seed(0), then X, y and the split) and its models, makeModel
  and makeModelSmallInit, taken from the one copy of the blog's code."""
  tree = ast.parse(open(path).read(), path)
  def trains(node):
    return (isinstance(node, (ast.For, ast.While)) or
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", None) == "print")
  tree.body = [node for node in tree.body if not trains(node)]
  namespace = {"__name__": "blog"}
  exec(compile(tree, path, "exec"), namespace)
  return namespace


_blog = blog_code(os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.py"))
X_train, y_train, X_test, y_test = (_blog[k] for k in ("X_train", "y_train", "X_test", "y_test"))
makeModel, makeModelSmallInit = _blog["makeModel"], _blog["makeModelSmallInit"]


# ---------------------------------------------------------------- the blog's training loops
# The blog's own trainModel and trainModelWithLabelNoise, run as written. They
# are counted from outside: each loop iteration, one gradient step, calls the
# model's predict on X_train once, so the model they are handed counts those
# calls, keeps the last prediction (the last training loss is computed from it
# after the clock stops) and, with a cap, stops the loop at max_steps steps.
class Capped(Exception):
  """The run reached --max-steps."""


def counted(model, max_steps=0):
  parameters, predict = model
  run = dict(steps=0, last=None)
  def predict_counted(X):
    if X is X_train:
      if max_steps and run["steps"] >= max_steps:
        raise Capped
      run["steps"] += 1
      run["last"] = predict(X)
      return run["last"]
    return predict(X)
  return parameters, predict_counted, run


def trainModel(model, lr, max_steps=0):
  parameters, predict, run = counted(model, max_steps)
  try:
    mse = _blog["trainModel"](parameters, predict, lr)
  except Capped:
    mse = th.mean((model[1](X_test)-y_test)**2)
  return mse, run


def trainModelWithLabelNoise(model, lr, steps):
  parameters, predict, run = counted(model)
  return _blog["trainModelWithLabelNoise"](parameters, predict, lr, steps), run


def last_train_loss(run):
  """The training MSE on the clean labels at the last step's prediction: the
  loss of that step for plain GD; for label noise, without the step's noise."""
  if run["last"] is None:
    return float("nan")
  with th.no_grad():
    return float(th.mean((run["last"]-y_train)**2))


# ---------------------------------------------------------------- benchmark harness
def status_of(test_mse, last_loss, steps, max_steps, converging=True):
  if not (math.isfinite(test_mse) and math.isfinite(last_loss)):
    return "diverged"
  if converging and max_steps and steps >= max_steps and not last_loss <= 1e-4:
    return "capped"
  return "ok"


def timed(fn, *args, **kwargs):
  t0 = time.perf_counter()
  mse, run = fn(*args, **kwargs)
  wall = time.perf_counter() - t0
  return float(mse), run["steps"], last_train_loss(run), wall


def run_plain(name, make, lr, max_steps, blog_mse):
  mse, steps, last_loss, wall = timed(trainModel, make(), lr, max_steps=max_steps)
  return dict(experiment=name, lr=float(lr), steps=steps, wall_s=wall,
              us_per_step=1e6 * wall / steps, test_mse=mse, last_train_loss=last_loss,
              status=status_of(mse, last_loss, steps, max_steps), blog_test_mse=blog_mse)


def run_sweep(max_steps, progress):
  # The blog's loop: lr_list = th.arange(0.001,0.15,0.005); note lr is a
  # 0-dim float32 tensor here, exactly as in the blog.
  lr_list = th.arange(0.001,0.15,0.005)
  runs = []
  t0 = time.perf_counter()
  for lr in lr_list:
    mse, steps, last_loss, wall = timed(trainModel, makeModel(), lr, max_steps=max_steps)
    r = dict(lr=float(lr), steps=steps, wall_s=wall, us_per_step=1e6 * wall / steps,
             test_mse=mse, last_train_loss=last_loss,
             status=status_of(mse, last_loss, steps, max_steps))
    runs.append(r)
    if progress:
      print("  sweep lr %.3f: %6d steps %7.2f s  MSE = %.4f  (%s)"
            % (r["lr"], steps, wall, mse, r["status"]), file=sys.stderr, flush=True)
  wall = time.perf_counter() - t0
  steps = sum(r["steps"] for r in runs)
  ok = [r for r in runs if r["status"] == "ok"]
  diverged = [r for r in runs if r["status"] == "diverged"]
  best = min(ok, key=lambda r: r["test_mse"]) if ok else None
  return dict(experiment="sweep", lr="arange(0.001,0.15,0.005)", steps=steps, wall_s=wall,
              us_per_step=1e6 * wall / steps,
              test_mse=best["test_mse"] if best else float("nan"),
              best_lr=best["lr"] if best else None,
              largest_converged_lr=max(r["lr"] for r in ok) if ok else None,
              smallest_diverged_lr=min(r["lr"] for r in diverged) if diverged else None,
              steps_converged=sum(r["steps"] for r in ok),
              steps_diverged=sum(r["steps"] for r in diverged),
              status="ok", runs=runs,
              blog="diverges above ~0.096; lr<=0.03 ~0.40; best near the edge")


def run_noise(noise_steps):
  mse, steps, last_loss, wall = timed(trainModelWithLabelNoise, makeModel(), lr=0.03,
                                      steps=noise_steps)
  return dict(experiment="noise", lr=0.03, steps=steps, wall_s=wall,
              us_per_step=1e6 * wall / steps, test_mse=mse, last_train_loss=last_loss,
              status=status_of(mse, last_loss, steps, 0, converging=False),
              blog_test_mse=0.01 if noise_steps == 100000 else None)


def fmt(x, spec):
  return "-" if x is None else spec % x


def print_table(const_mse, results, f=sys.stdout):
  print("constant predictor 1: test MSE = %.2f   (blog: 1.97)" % const_mse, file=f)
  print(file=f)
  hdr = "%-10s %-10s %9s %9s %9s %10s %9s  %s" % (
      "experiment", "lr", "steps", "wall s", "us/step", "test MSE", "blog", "status")
  print(hdr, file=f)
  print("-" * len(hdr), file=f)
  for r in results:
    lr = r["lr"] if isinstance(r["lr"], str) else "%g" % r["lr"]
    if r["experiment"] == "sweep":
      lr, blog = "sweep", "-"
    else:
      blog = fmt(r.get("blog_test_mse"), "%.2f")
    print("%-10s %-10s %9d %9.2f %9.1f %10.4f %9s  %s" % (
        r["experiment"], lr, r["steps"], r["wall_s"], r["us_per_step"], r["test_mse"],
        blog, r["status"]), file=f)
  for r in results:
    if r["experiment"] != "sweep":
      continue
    print(file=f)
    print("sweep (th.arange(0.001,0.15,0.005)): best lr %s (test MSE %.4f); largest converged lr %s;"
          " smallest diverged lr %s; %d steps converging + %d steps in diverged runs"
          % (fmt(r["best_lr"], "%.3f"), r["test_mse"], fmt(r["largest_converged_lr"], "%.3f"),
             fmt(r["smallest_diverged_lr"], "%.3f"), r["steps_converged"], r["steps_diverged"]),
          file=f)
    print("%8s %8s %9s %9s %10s  %s" % ("lr", "steps", "wall s", "us/step", "test MSE", "status"),
          file=f)
    for s in r["runs"]:
      print("%8.3f %8d %9.2f %9.1f %10.4f  %s" % (
          s["lr"], s["steps"], s["wall_s"], s["us_per_step"], s["test_mse"], s["status"]), file=f)


def finite_or_none(o):
  """NaN/inf -> null, so the JSON is strict (Go's encoding/json rejects NaN)."""
  if isinstance(o, float) and not math.isfinite(o):
    return None
  if isinstance(o, dict):
    return {k: finite_or_none(v) for k, v in o.items()}
  if isinstance(o, (list, tuple)):
    return [finite_or_none(v) for v in o]
  return o


def blas_library():
  """The BLAS shared library actually mapped into this process. Debian's torch
  calls the system libblas.so.3, so the speed depends on which implementation
  that resolves to (reference BLAS from libblas3 vs OpenBLAS); see README."""
  try:
    with open("/proc/self/maps") as fh:
      libs = {line.split()[-1] for line in fh if "blas" in line.split()[-1].rsplit("/", 1)[-1]}
  except OSError:
    return "unknown"
  return ", ".join(sorted(os.path.realpath(l) for l in libs)) or "none mapped"


def cpu_model():
  try:
    with open("/proc/cpuinfo") as fh:
      for line in fh:
        if line.startswith("model name"):
          return line.split(":", 1)[1].strip()
  except OSError:
    pass
  return platform.processor()


def main():
  ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  ap.add_argument("--experiments", default="sweep,noise,smallinit,small_lr",
                  help="comma-separated subset of sweep,noise,smallinit,small_lr "
                       "(default: all; run in the order given)")
  ap.add_argument("--threads", type=int, default=1, help="th.set_num_threads (default 1)")
  ap.add_argument("--noise-steps", type=int, default=100000,
                  help="label-noise steps (blog: 100000)")
  ap.add_argument("--max-steps", type=int, default=0,
                  help="safety cap on steps per `while loss > 1e-4` run; 0 = none (blog)")
  ap.add_argument("--json", help="write results to this JSON file")
  ap.add_argument("--quiet", action="store_true", help="no per-lr progress on stderr")
  args = ap.parse_args()

  known = {"sweep", "noise", "smallinit", "small_lr"}
  exps = [e.strip() for e in args.experiments.split(",") if e.strip()]
  bad = [e for e in exps if e not in known]
  if bad:
    ap.error("unknown experiment(s) %s; choose from %s" % (bad, sorted(known)))

  th.set_num_threads(args.threads)
  load_before = os.getloadavg()
  started = datetime.datetime.now().astimezone()

  const_mse = float(th.mean((1 - y_test)**2))  # the model always predicting 1
  results = []
  for e in exps:
    print("running %s ..." % e, file=sys.stderr, flush=True)
    if e == "small_lr":
      results.append(run_plain("small_lr", makeModel, 0.01, args.max_steps, 0.40))
    elif e == "smallinit":
      results.append(run_plain("smallinit", makeModelSmallInit, 0.01, args.max_steps, 0.00))
    elif e == "sweep":
      results.append(run_sweep(args.max_steps, not args.quiet))
    elif e == "noise":
      results.append(run_noise(args.noise_steps))

  load_after = os.getloadavg()
  print_table(const_mse, results)
  total_wall = sum(r["wall_s"] for r in results)
  total_steps = sum(r["steps"] for r in results)
  print()
  print("total: %d steps, %.1f s, %.1f us/step | torch %s, %d thread(s), float32 | "
        "loadavg before %.2f %.2f %.2f, after %.2f %.2f %.2f"
        % (total_steps, total_wall, 1e6 * total_wall / max(total_steps, 1), th.__version__,
           th.get_num_threads(), *load_before, *load_after))
  print("BLAS: %s" % blas_library())

  if args.json:
    meta = dict(date=started.isoformat(timespec="seconds"), torch=th.__version__,
                python=platform.python_version(), executable=sys.executable,
                threads=th.get_num_threads(), dtype=str(th.get_default_dtype()),
                nproc=os.cpu_count(), cpu=cpu_model(), blas=blas_library(),
                loadavg_before=load_before, loadavg_after=load_after,
                noise_steps=args.noise_steps, max_steps=args.max_steps,
                argv=sys.argv[1:])
    with open(args.json, "w") as fh:
      json.dump(finite_or_none(dict(
                    meta=meta, constant_predictor_test_mse=const_mse,
                    blog_constant_predictor_test_mse=1.97, results=results,
                    total=dict(steps=total_steps, wall_s=total_wall))),
                fh, indent=1, allow_nan=False)
      fh.write("\n")
    print("wrote %s" % args.json)


if __name__ == "__main__":
  main()
