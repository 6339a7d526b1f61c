package experiment

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/igr-project/igr/train/grid"
)

// Shard selects part of a grid of runs; see grid.Shard.
type Shard = grid.Shard

// ParseShard reads shard index of count, as what (a flag, a job array)
// gives them.
func ParseShard(what, index, count string) (Shard, error) {
	i, err1 := strconv.Atoi(strings.TrimSpace(index))
	n, err2 := strconv.Atoi(strings.TrimSpace(count))
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%w: %s: shard %q of %q is not i of N with 0 ≤ i < N", ErrConfig, what, index, count)
	}
	return Shard{Index: i, Count: n}, nil
}

// ShardFromEnv returns the shard a grid trains when no -shard is given: a
// Slurm job array's task (SLURM_ARRAY_TASK_ID counted from
// SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT), else a Kubernetes
// Indexed Job's JOB_COMPLETION_INDEX of shards; the whole grid when neither
// is set. getenv reads the environment (os.Getenv).
func ShardFromEnv(shards int, getenv func(string) string) (Shard, error) {
	switch {
	case getenv("SLURM_ARRAY_TASK_ID") != "":
		id, err := strconv.Atoi(getenv("SLURM_ARRAY_TASK_ID"))
		if err != nil {
			return Shard{}, fmt.Errorf("%w: SLURM_ARRAY_TASK_ID %q is not a number", ErrConfig, getenv("SLURM_ARRAY_TASK_ID"))
		}
		if lo := getenv("SLURM_ARRAY_TASK_MIN"); lo != "" {
			m, err := strconv.Atoi(lo)
			if err != nil {
				return Shard{}, fmt.Errorf("%w: SLURM_ARRAY_TASK_MIN %q is not a number", ErrConfig, lo)
			}
			id -= m
		}
		return ParseShard("Slurm job array", strconv.Itoa(id), getenv("SLURM_ARRAY_TASK_COUNT"))
	case getenv("JOB_COMPLETION_INDEX") != "":
		if shards < 1 {
			return Shard{}, fmt.Errorf("%w: JOB_COMPLETION_INDEX is set: give the number of shards with -shards", ErrConfig)
		}
		return ParseShard("Kubernetes Indexed Job", getenv("JOB_COMPLETION_INDEX"), strconv.Itoa(shards))
	case shards > 0:
		return Shard{}, fmt.Errorf("%w: -shards needs JOB_COMPLETION_INDEX, or use -shard i/N", ErrConfig)
	}
	return Shard{}, nil
}
