package experiment

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train/dataset"
)

// ParamsFile names the file of a parameter in a folder of parameters:
// params_<name>.csv, name the architecture's for it (params_A.csv and
// params_b.csv for both networks), a headerless CSV of its rows × columns
// (dataset.ReadMatrix). igr train writes its final parameters so.
func ParamsFile(name string) string { return "params_" + name + ".csv" }

// ReadParams reads every parameter of an architecture from the folder dir,
// each from its ParamsFile, as igr train writes them. newArch builds the
// architecture for a width: the width is the number of columns of the first
// parameter's file (A, d × m, for both networks), whose rows must be the
// input dimension dim. Every other file must have the shape the
// architecture gives its parameter. A file missing or of the wrong shape
// is refused with an ErrConfig that names it.
func ReadParams(dir string, dim int, newArch func(width int) graph.Architecture) (graph.Architecture, graph.Params, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrConfig, err)
	} else if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%w: %s is not a folder", ErrConfig, dir)
	}
	read := func(name string) ([]float64, int, int, string, error) {
		path := filepath.Join(dir, ParamsFile(name))
		v, rows, cols, err := dataset.ReadMatrixFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, 0, path, fmt.Errorf("%w: %s has no %s (a folder of parameters has a params_<name>.csv for every parameter, as igr train writes them)",
				ErrConfig, dir, ParamsFile(name))
		}
		if err != nil {
			return nil, 0, 0, path, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		return v, rows, cols, path, nil
	}
	first := newArch(1).Params()[0]
	a, rows, width, path, err := read(first.Name)
	if err != nil {
		return nil, nil, err
	}
	if rows != dim {
		return nil, nil, fmt.Errorf("%w: %s has %d rows, the data have dimension %d", ErrConfig, path, rows, dim)
	}
	arch := newArch(width)
	p := graph.ZeroParams(arch.Params())
	for i, spec := range arch.Params() {
		v, rows, cols := a, dim, width
		if i > 0 {
			if v, rows, cols, path, err = read(spec.Name); err != nil {
				return nil, nil, err
			}
		}
		if rows != spec.Rows || cols != spec.Cols {
			return nil, nil, fmt.Errorf("%w: %s is %d×%d, but %s of the %s network with %s %d×%d is %d×%d",
				ErrConfig, path, rows, cols, spec.Name, arch.Name(), first.Name, dim, width, spec.Rows, spec.Cols)
		}
		copy(p.Data(i), v)
	}
	return arch, p, nil
}
