#!/usr/bin/env bash
# Checks that igr computes what an earlier igr computed: runs every
# subcommand at small sizes with the igr of git revision BEFORE and with the
# working tree's, and compares every file they write byte for byte, each
# command's -help, and a set of error messages with their exit status.
#
# JSON files are compared without their timing fields (wall_seconds,
# cpu_microseconds_per_step, peak_rss_mb, steps_per_second), which differ
# from run to run. IGNORE (a space-separated list of shell patterns matched
# against case/file) leaves out files that a change alters on purpose, and
# files that only one of the two writes are listed, not failed, when they
# match NEW_FILES. With ADDED=1, columns of a CSV file and keys of a JSON
# file that only the new igr writes are set aside (counted, not failed), so
# that what both write is still compared to the byte where later work added
# to the outputs.
#
#   BEFORE=536b307 bench/same_outputs.sh
#   BEFORE=536b307 IGNORE='*.png *.svg' bench/same_outputs.sh
#   BEFORE=536b307 ADDED=1 IGNORE='*.png *.svg *.stdout' bench/same_outputs.sh
#
# Exit status 0 when everything compared is the same.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BEFORE:?set BEFORE to the git revision to compare with}"
out=${OUT:-bench/out/same}
rm -rf "$out"
mkdir -p "$out"
go build -o "$out/igr-new" ./cmd/igr
wt=$(mktemp -d)
git worktree add -q --detach "$wt" "$BEFORE"
(cd "$wt" && go build -o "$OLDPWD/$out/igr-old" ./cmd/igr)
git worktree remove --force "$wt"

small=(-n 40 -dim 5 -width 8 -quiet -workers 2)
# name|arguments (the output folder is added)
cases=(
	"reproduce|reproduce ${small[*]} -lrs 0.01:0.4:0.05 -noise-steps 1500"
	"reproduce-seeds|reproduce ${small[*]} -lrs 0.05,0.2 -noise-steps 500 -seeds 2"
	"train|train ${small[*]} -lr 0.1"
	"train-steps|train ${small[*]} -lr 0.1 -steps 300 -history-every 7"
	"train-noise|train ${small[*]} -lr 0.05 -sigma 1 -steps 400"
	"train-lambda|train ${small[*]} -lr 0.05 -lambda 0.02"
	"train-batch|train ${small[*]} -lr 0.05 -batch 8"
	"train-tanh|train ${small[*]} -lr 0.1 -arch tanh -scale 2"
	"train-float32|train ${small[*]} -lr 0.1 -dtype float32 -rng torch"
	"sweep|sweep ${small[*]} -lrs 0.01:0.5:0.07"
	"sweep-seeds|sweep ${small[*]} -lrs 0.01:0.5:0.07 -seeds 3 -history-every 20"
	"sweep-batch|sweep ${small[*]} -lrs 0.02,0.2 -batch 10"
	"sweep-shard0|sweep ${small[*]} -lrs 0.01:0.5:0.07 -seeds 2 -shard 0/2 -history-every 20"
	"sweep-shard1|sweep ${small[*]} -lrs 0.01:0.5:0.07 -seeds 2 -shard 1/2 -history-every 20"
	"map|map ${small[*]} -x lr=0.01:0.5:0.1 -y width=4,8 -seeds 2"
	"map-sigma|map ${small[*]} -x sigma=0,0.5 -steps 300 -lr 0.05"
	"map-lambda|map ${small[*]} -x lambda=log:0.001:0.1:3 -lr 0.05"
	"map-seed|map ${small[*]} -x seed=0:2:1 -y lr=0.05,0.3"
	"map-batch|map ${small[*]} -x batch=5,10,40 -lr 0.05"
	"map-shard0|map ${small[*]} -x lr=0.01:0.5:0.1 -y scale=1,2 -shard 0/2"
	"map-shard1|map ${small[*]} -x lr=0.01:0.5:0.1 -y scale=1,2 -shard 1/2"
	"noise|noise ${small[*]} -steps 1000"
	"noise-batch|noise ${small[*]} -steps 500 -batch 8"
	"compare|compare ${small[*]} -eta 0.2 -h 0.05 -noise-steps 1000"
	"compare-batch|compare ${small[*]} -eta 0.2 -h 0.05 -noise-steps 500 -batch 10"
	"compare-sweep|compare -sweep ${small[*]} -lrs 0.05:0.4:0.1 -h 0.05"
	"verify|verify ${small[*]} -etas 0.01,0.03,0.1 -substeps 8"
	"flow|flow ${small[*]} -lr 0.1 -steps 50 -substeps 4"
	"sharpness|sharpness ${small[*]} -lr 0.2 -steps 60 -every 5"
)
run_case() { # binary folder args...
	local bin=$1 dir=$2
	shift 2
	mkdir -p "$(dirname "$dir")"
	"$bin" "$@" -out "$dir" >"$dir.stdout" 2>"$dir.stderr" || echo "exit $?" >>"$dir.stderr"
}
for c in "${cases[@]}"; do
	name=${c%%|*}
	read -r -a args <<<"${c#*|}"
	for v in old new; do
		run_case "$out/igr-$v" "$out/$v/$name" "${args[@]}"
	done
done
for v in old new; do
	run_case "$out/igr-$v" "$out/$v/sweep-merged" merge -quiet "$out/$v/sweep-shard0" "$out/$v/sweep-shard1"
	run_case "$out/igr-$v" "$out/$v/map-merged" merge -quiet "$out/$v/map-shard0" "$out/$v/map-shard1"
	run_case "$out/igr-$v" "$out/$v/map-reference" map "${small[@]}" -x lr=0.01:0.5:0.1 -y width=4,8 -reference "$out/$v/sweep"
done

# Help and errors: stderr and exit status of each.
helps=(reproduce train sweep map noise compare verify flow sharpness merge version)
errors=(
	"train -lr 0"
	"train -lr -0.1"
	"train -lr fast"
	"train -width 0"
	"train -steps 0"
	"train -sigma 1"
	"train -arch mlp"
	"train -rng mt"
	"train -data /nonexistent.csv"
	"train -width 1000000000 -max-memory 16G"
	"sweep -lrs 0.1:0.2"
	"sweep -lrs 0:0.1:0.05"
	"sweep -seeds 0"
	"sweep -batch 201"
	"noise -sigma -1"
	"compare -h 0"
	"verify -etas 0.1:0.01:0.01"
	"map -x lr"
	"map -x momentum=0.9"
	"map -x lr=0.1,0.2 -y lr=0.3"
	"map -x sigma=0.5,1"
	"map -x width=3,4 -width 5"
	"merge"
	"fly"
)
for v in old new; do
	mkdir -p "$out/$v/help" "$out/$v/errors"
	for h in "${helps[@]}"; do
		"$out/igr-$v" "$h" -h >"$out/$v/help/$h" 2>&1 || true
	done
	i=0
	for e in "${errors[@]}"; do
		read -r -a args <<<"$e"
		{
			echo "igr $e"
			"$out/igr-$v" "${args[@]}" -out "$out/$v/errors/folder-$i" 2>&1 && echo "exit 0" || echo "exit $?"
		} >"$out/$v/errors/$i"
		i=$((i + 1))
	done
done

python3 - "$out" "${IGNORE:-}" "${NEW_FILES:-}" "${ADDED:-}" <<'PY'
import csv, fnmatch, json, os, sys
out, ignore, new_files, added_ok = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4] == "1"
extra = []  # (file, what the new igr adds)
timing = {"wall_seconds", "cpu_microseconds_per_step", "peak_rss_mb", "steps_per_second"}
def files(root):
    got = set()
    for d, _, fs in os.walk(root):
        for f in fs:
            got.add(os.path.relpath(os.path.join(d, f), root))
    return got
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in timing}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
def common(old, new, path, found):
    # new without what only new has, where old is its part; what only new
    # has goes to found.
    if isinstance(old, dict) and isinstance(new, dict):
        more = [k for k in new if k not in old]
        if more:
            found.append((path, "keys " + ", ".join(more)))
        return {k: common(old[k], v, path + "." + k, found) for k, v in new.items() if k in old}
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [common(o, v, path + "[]", found) for o, v in zip(old, new)]
    return new
def csv_common(a, b, name):
    ra, rb = list(csv.reader(open(a, newline=""))), list(csv.reader(open(b, newline="")))
    if not ra or not rb or len(ra) != len(rb):
        return False
    idx = [rb[0].index(c) if c in rb[0] else None for c in ra[0]]
    if None in idx or not all([rowb[i] for i in idx] == rowa for rowa, rowb in zip(ra, rb)):
        return False
    more = [c for c in rb[0] if c not in ra[0]]
    if more:
        extra.append((name, "columns " + ", ".join(more)))
    return True
def same(a, b, name):
    if name.endswith(".json"):
        ja, jb = strip(json.load(open(a))), strip(json.load(open(b)))
        found = []
        if added_ok:
            jb = common(ja, jb, name, found)
        if ja != jb:
            return False
        extra.extend((name, what) for _, what in found)
        return True
    if added_ok and name.endswith(".csv") and open(a, "rb").read() != open(b, "rb").read():
        return csv_common(a, b, name)
    if name.endswith(".stderr"):  # progress lines carry times
        return True
    if name.endswith(".stdout"):  # the folder's name and the times differ
        def text(p, v):
            lines = open(p).read().replace(os.path.join(out, v), "OUT").splitlines()
            return [l for l in lines if not any(w in l for w in ("wall time", "steps/s", "peak memory"))]
        return text(a, "old") == text(b, "new")
    return open(a, "rb").read() == open(b, "rb").read()
old, new = files(os.path.join(out, "old")), files(os.path.join(out, "new"))
def matches(name, patterns):
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(os.path.basename(name), p) for p in patterns)
bad, compared, left, added = [], 0, [], []
for f in sorted(old | new):
    if matches(f, ignore):
        left.append(f)
        continue
    if f not in old or f not in new:
        if matches(f, new_files):
            added.append(f)
        else:
            bad.append(f + (" only in the new outputs" if f in new else " only in the old outputs"))
        continue
    compared += 1
    if not same(os.path.join(out, "old", f), os.path.join(out, "new", f), f):
        bad.append(f + " differs")
print(f"compared {compared} files; {len(left)} left aside (IGNORE); {len(added)} new on purpose (NEW_FILES)")
if added_ok:
    kinds = sorted({what for _, what in extra})
    print(f"{len({f for f, _ in extra})} of the files found the same have more in the new outputs (ADDED=1):")
    for k in kinds:
        print("  added:", k)
for b in bad:
    print("DIFFERENT:", b)
sys.exit(1 if bad else 0)
PY
