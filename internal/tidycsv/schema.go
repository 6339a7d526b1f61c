package tidycsv

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
)

// Column is one column of a table whose rows are values of type R: its name,
// how a row's cell is written, and how it is read back.
type Column[R any] struct {
	Name  string
	Write func(*R) string
	Read  func(*R, string) error
}

// FloatColumn is a column of numbers, written by Float.
func FloatColumn[R any](name string, field func(*R) *float64) Column[R] {
	return Column[R]{name,
		func(r *R) string { return Float(*field(r)) },
		func(r *R, s string) (err error) { *field(r), err = strconv.ParseFloat(s, 64); return err }}
}

// Schema is the columns of a table whose rows are values of type R, in order:
// one declaration that both writes and reads the table.
type Schema[R any] struct {
	names []string
	cols  map[string]Column[R]
}

// NewSchema returns the table of cols, in their order.
func NewSchema[R any](cols ...Column[R]) Schema[R] {
	t := Schema[R]{cols: make(map[string]Column[R], len(cols))}
	for _, c := range cols {
		t.names = append(t.names, c.Name)
		t.cols[c.Name] = c
	}
	return t
}

// Names returns the names of the columns, in order.
func (t Schema[R]) Names() []string { return append([]string(nil), t.names...) }

// Write writes rows with all the table's columns to path atomically.
func (t Schema[R]) Write(path string, rows []R) error { return t.WriteColumns(path, t.names, rows) }

// WriteColumns writes rows with the named columns of the table, in the
// order given, to path atomically.
func (t Schema[R]) WriteColumns(path string, names []string, rows []R) error {
	cols := make([]Column[R], len(names))
	for j, n := range names {
		c, ok := t.cols[n]
		if !ok {
			return fmt.Errorf("tidycsv: %s: no column %q", filepath.Base(path), n)
		}
		cols[j] = c
	}
	cells := make([][]string, len(rows))
	for i := range rows {
		cells[i] = make([]string, len(cols))
		for j, c := range cols {
			cells[i][j] = c.Write(&rows[i])
		}
	}
	if err := WriteFile(path, names, cells); err != nil {
		return fmt.Errorf("tidycsv: %w", err)
	}
	return nil
}

// Read reads the rows of a table at path. Columns the table does not know
// are ignored; columns the file lacks keep their zero values.
func (t Schema[R]) Read(path string) ([]R, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tidycsv: %w", err)
	}
	defer f.Close()
	tab, err := Read(f, filepath.Base(path), true)
	if err != nil {
		return nil, fmt.Errorf("tidycsv: %w", err)
	}
	rows := make([]R, len(tab.Rows))
	for j, name := range tab.Header {
		c, ok := t.cols[name]
		if !ok {
			continue
		}
		for i := range tab.Rows {
			if err := c.Read(&rows[i], tab.Rows[i][j]); err != nil {
				return nil, fmt.Errorf("tidycsv: %w", tab.Errorf(i, j, "%s: %v", name, err))
			}
		}
	}
	return rows, nil
}

// SchemaOf returns the schema of the fields of R tagged `csv:"name"`, in
// the order they are declared: numbers (float64, written by Float), whole
// numbers (int, uint64) and text (any string type). It panics on a tagged
// field of another type, a mistake of the program.
func SchemaOf[R any]() Schema[R] { return NewSchema(ColumnsOf[R]()...) }

// ColumnsOf returns the columns of SchemaOf[R], for a schema that adds
// columns of its own. The fields of embedded structs count as R's.
func ColumnsOf[R any]() []Column[R] {
	t := reflect.TypeFor[R]()
	var cols []Column[R]
	for _, f := range reflect.VisibleFields(t) {
		name, ok := f.Tag.Lookup("csv")
		if !ok {
			continue
		}
		index := f.Index
		field := func(r *R) reflect.Value { return reflect.ValueOf(r).Elem().FieldByIndex(index) }
		c := Column[R]{Name: name}
		switch f.Type.Kind() {
		case reflect.Float64:
			c.Write = func(r *R) string { return Float(field(r).Float()) }
			c.Read = func(r *R, s string) error {
				v, err := strconv.ParseFloat(s, 64)
				field(r).SetFloat(v)
				return err
			}
		case reflect.Int:
			c.Write = func(r *R) string { return strconv.FormatInt(field(r).Int(), 10) }
			c.Read = func(r *R, s string) error {
				v, err := strconv.Atoi(s)
				field(r).SetInt(int64(v))
				return err
			}
		case reflect.Uint64:
			c.Write = func(r *R) string { return strconv.FormatUint(field(r).Uint(), 10) }
			c.Read = func(r *R, s string) error {
				v, err := strconv.ParseUint(s, 10, 64)
				field(r).SetUint(v)
				return err
			}
		case reflect.String:
			c.Write = func(r *R) string { return field(r).String() }
			c.Read = func(r *R, s string) error { field(r).SetString(s); return nil }
		default:
			panic(fmt.Sprintf("tidycsv: column %s of %s has type %s", name, t, f.Type))
		}
		cols = append(cols, c)
	}
	return cols
}
