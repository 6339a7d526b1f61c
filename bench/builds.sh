# Sourced by the bench scripts: builds the igr binaries they compare into
# $out and lists them in the array builds, as name=path:
#   igr           the default build
#   igr-openblas  -tags openblas, when libopenblas-dev is installed
#   igr-before    the igr of git revision $BEFORE, when BEFORE is set,
#                 built in a temporary worktree
builds=()
go build -o "$out/igr" ./cmd/igr
builds+=("igr=$out/igr")
if go build -tags openblas -o "$out/igr-openblas" ./cmd/igr 2>/dev/null; then
	builds+=("igr-openblas=$out/igr-openblas")
else
	echo "bench: no OpenBLAS build (apt-get install libopenblas-dev); skipping it" >&2
fi
if [ -n "${BEFORE:-}" ]; then
	wt=$(mktemp -d)
	git worktree add -q --detach "$wt" "$BEFORE"
	(cd "$wt" && go build -o "$OLDPWD/$out/igr-before" ./cmd/igr)
	git worktree remove --force "$wt"
	builds+=("igr-before=$out/igr-before")
fi
