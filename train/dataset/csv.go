package dataset

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/igr-project/igr/internal/atomicfile"
	"github.com/igr-project/igr/internal/tidycsv"
)

// Header returns the CSV header of a data set with dim inputs:
// x0,…,x{dim-1},y,split.
func Header(dim int) []string {
	h := make([]string, 0, dim+2)
	for j := 0; j < dim; j++ {
		h = append(h, "x"+strconv.Itoa(j))
	}
	return append(h, "y", "split")
}

// WriteCSV writes s with a split column, training rows first.
func (s *Set) WriteCSV(w io.Writer) error {
	rows := make([][]string, 0, s.Train.Len()+s.Test.Len())
	for _, part := range []struct {
		name  string
		split Split
	}{{"train", s.Train}, {"test", s.Test}} {
		for i := 0; i < part.split.Len(); i++ {
			row := make([]string, 0, s.Dim+2)
			for _, v := range part.split.X[i*s.Dim : (i+1)*s.Dim] {
				row = append(row, tidycsv.Float(v))
			}
			rows = append(rows, append(row, tidycsv.Float(part.split.Y[i]), part.name))
		}
	}
	return tidycsv.Write(w, Header(s.Dim), rows)
}

// WriteFile writes s to path atomically.
func (s *Set) WriteFile(path string) error {
	if err := atomicfile.WriteFile(path, s.WriteCSV); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

// ReadFile reads a data set from path; see ReadCSV.
func ReadFile(path string, n int) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	return ReadCSV(f, path, n)
}

// ReadCSV reads a data set. The header must name the inputs x0,…,x{d-1} and
// the target y, in any order, and may have a split column whose cells are
// train or test. Without a split column the first n rows are the training set
// and the rest the test set. Every cell must be a finite number; errors name
// the line and column.
func ReadCSV(r io.Reader, name string, n int) (*Set, error) {
	t, err := tidycsv.Read(r, name, true)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	xcol := map[int]int{}
	ycol, splitcol := -1, -1
	seen := map[string]bool{}
	for j, h := range t.Header {
		if seen[h] {
			return nil, fmt.Errorf("dataset: %s:1: column %q appears twice", name, h)
		}
		seen[h] = true
		switch {
		case h == "y":
			ycol = j
		case h == "split":
			splitcol = j
		case strings.HasPrefix(h, "x"):
			k, err := strconv.Atoi(h[1:])
			if err != nil || k < 0 || h[1:] != strconv.Itoa(k) {
				return nil, fmt.Errorf("dataset: %s:1: column %d: header %q is not x<index>, y or split", name, j+1, h)
			}
			xcol[k] = j
		default:
			return nil, fmt.Errorf("dataset: %s:1: column %d: header %q is not x<index>, y or split", name, j+1, h)
		}
	}
	dim := len(xcol)
	if dim == 0 || ycol < 0 {
		return nil, fmt.Errorf("dataset: %s:1: header needs columns x0,…,x{d-1} and y, got %s", name, strings.Join(t.Header, ","))
	}
	for k := 0; k < dim; k++ {
		if _, ok := xcol[k]; !ok {
			return nil, fmt.Errorf("dataset: %s:1: header has %d input columns but no x%d", name, dim, k)
		}
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("dataset: %s: no rows after the header", name)
	}
	s := &Set{Dim: dim}
	for i := range t.Rows {
		part := &s.Test
		switch {
		case splitcol >= 0:
			switch v := strings.TrimSpace(t.Rows[i][splitcol]); v {
			case "train":
				part = &s.Train
			case "test":
			default:
				return nil, fmt.Errorf("dataset: %w", t.Errorf(i, splitcol, "split is %q, want train or test", v))
			}
		case i < n:
			part = &s.Train
		}
		for k := 0; k < dim; k++ {
			v, err := t.FiniteFloat(i, xcol[k])
			if err != nil {
				return nil, fmt.Errorf("dataset: %w", err)
			}
			part.X = append(part.X, v)
		}
		v, err := t.FiniteFloat(i, ycol)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		part.Y = append(part.Y, v)
	}
	if s.Train.Len() == 0 || s.Test.Len() == 0 {
		if splitcol < 0 {
			return nil, fmt.Errorf("dataset: %s has %d rows and no split column: need more than n=%d rows so that both training and test sets are non-empty", name, len(t.Rows), n)
		}
		return nil, fmt.Errorf("dataset: %s: %d training and %d test rows, need both", name, s.Train.Len(), s.Test.Len())
	}
	return s, nil
}

// ReadMatrix reads a headerless CSV of finite numbers with the same number of
// cells on every line, returned row-major with its shape.
func ReadMatrix(r io.Reader, name string) (data []float64, rows, cols int, err error) {
	t, err := tidycsv.Read(r, name, false)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("dataset: %w", err)
	}
	rows, cols = len(t.Rows), len(t.Rows[0])
	data = make([]float64, 0, rows*cols)
	for i := range t.Rows {
		for j := range t.Rows[i] {
			v, err := t.FiniteFloat(i, j)
			if err != nil {
				return nil, 0, 0, fmt.Errorf("dataset: %w", err)
			}
			data = append(data, v)
		}
	}
	return data, rows, cols, nil
}

// ReadMatrixFile reads a matrix from path; see ReadMatrix.
func ReadMatrixFile(path string) (data []float64, rows, cols int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	return ReadMatrix(f, path)
}

// WriteMatrix writes a rows×cols row-major matrix as a headerless CSV.
func WriteMatrix(w io.Writer, data []float64, cols int) error {
	cw := make([][]string, 0, len(data)/cols)
	for i := 0; i+cols <= len(data); i += cols {
		row := make([]string, cols)
		for j := range row {
			row[j] = tidycsv.Float(data[i+j])
		}
		cw = append(cw, row)
	}
	return tidycsv.WriteRows(w, cw)
}
