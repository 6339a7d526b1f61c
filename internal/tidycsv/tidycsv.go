package tidycsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/igr-project/igr/internal/atomicfile"
)

// Float formats v in the shortest form that parses back to v exactly.
func Float(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Table is a header and rows of cells.
type Table struct {
	Header []string
	Rows   [][]string
	// Lines holds the line number of each row in the file it was read from.
	Lines []int
	// Name is the file name used in error messages.
	Name string
}

// Write writes the header and rows as CSV.
func Write(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// WriteRows writes rows as CSV without a header.
func WriteRows(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// WriteFile writes the header and rows to path atomically.
func WriteFile(path string, header []string, rows [][]string) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error { return Write(w, header, rows) })
}

// ParseError locates a problem in a CSV file.
type ParseError struct {
	Name   string // file name
	Line   int    // 1-based line, 0 if unknown
	Column int    // 1-based column, 0 if the whole line
	Err    error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.Name, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.Name, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Read reads a whole CSV table from r. With header false every line is a row.
// Every row must have as many cells as the first line; an empty input is an
// error.
func Read(r io.Reader, name string, header bool) (*Table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	cr.TrimLeadingSpace = true
	t := &Table{Name: name}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					return nil, &ParseError{Name: name, Line: pe.StartLine, Err: fmt.Errorf("has %d cells, the first line has %d", len(rec), cr.FieldsPerRecord)}
				}
				return nil, &ParseError{Name: name, Line: pe.StartLine, Column: pe.Column, Err: pe.Err}
			}
			return nil, &ParseError{Name: name, Err: err}
		}
		line, _ := cr.FieldPos(0)
		if header && t.Header == nil {
			for i := range rec {
				rec[i] = strings.TrimSpace(rec[i])
			}
			t.Header = rec
			continue
		}
		t.Rows = append(t.Rows, rec)
		t.Lines = append(t.Lines, line)
	}
	if header && t.Header == nil || !header && len(t.Rows) == 0 {
		return nil, &ParseError{Name: name, Err: errors.New("file is empty")}
	}
	return t, nil
}

// Column returns the index of the header column called name, or -1.
func (t *Table) Column(name string) int {
	for i, h := range t.Header {
		if h == name {
			return i
		}
	}
	return -1
}

// Float parses the cell of row i, column j as a number.
func (t *Table) Float(i, j int) (float64, error) {
	s := strings.TrimSpace(t.Rows[i][j])
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, t.Errorf(i, j, "%q is not a number", s)
	}
	return v, nil
}

// FiniteFloat is Float for cells that must be finite numbers.
func (t *Table) FiniteFloat(i, j int) (float64, error) {
	v, err := t.Float(i, j)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		return 0, t.Errorf(i, j, "%s is not a finite number", strings.TrimSpace(t.Rows[i][j]))
	}
	return v, err
}

// Errorf returns a ParseError at row i, column j (j < 0 for the whole row).
func (t *Table) Errorf(i, j int, format string, args ...any) error {
	return &ParseError{Name: t.Name, Line: t.Lines[i], Column: j + 1, Err: fmt.Errorf(format, args...)}
}
