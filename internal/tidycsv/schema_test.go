package tidycsv

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type status string

type inner struct {
	Count int `csv:"count"`
}

type row struct {
	Name  string  `csv:"name"`
	Value float64 `csv:"value"`
	Seed  uint64  `csv:"seed"`
	State status  `csv:"state"`
	inner
	Untagged float64
}

// TestSchemaOfRoundTrip writes rows through the schema of their tags and
// reads them back: every number bit for bit, NaN and infinities spelled so,
// the embedded struct's field a column of the row's, untagged fields not.
func TestSchemaOfRoundTrip(t *testing.T) {
	rows := []row{
		{Name: "a", Value: 0.1, Seed: 1 << 60, State: "converged", inner: inner{7}, Untagged: 3},
		{Name: "b,c", Value: math.NaN(), Seed: 0, State: "diverged", inner: inner{-2}},
		{Name: "", Value: math.Inf(-1), State: ""},
		{Value: 1.0000000000000002e-300},
	}
	s := SchemaOf[row]()
	if got := strings.Join(s.Names(), ","); got != "name,value,seed,state,count" {
		t.Fatalf("columns %s", got)
	}
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := s.Write(path, rows); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "NaN") || !strings.Contains(string(b), "-Inf") || !strings.Contains(string(b), `"b,c"`) {
		t.Errorf("file:\n%s", b)
	}
	back, err := s.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		want, got := rows[i], back[i]
		want.Untagged = 0
		if math.Float64bits(got.Value) != math.Float64bits(want.Value) && !(math.IsNaN(got.Value) && math.IsNaN(want.Value)) {
			t.Errorf("row %d: value %v, want %v", i, got.Value, want.Value)
		}
		got.Value, want.Value = 0, 0
		if got != want {
			t.Errorf("row %d: %+v, want %+v", i, got, want)
		}
	}
}

// TestSchemaReadLocatesErrors: a cell that is not what its column holds is
// reported with its file, line and column; columns the schema does not know
// are ignored and those it lacks keep their zero values.
func TestSchemaReadLocatesErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("name,extra,count\nx,1,2\ny,2,three\n"), 0o644)
	_, err := SchemaOf[row]().Read(bad)
	if err == nil || !strings.Contains(err.Error(), "bad.csv:3:3") || !strings.Contains(err.Error(), "count") {
		t.Errorf("error %v, want it to locate bad.csv:3:3, column count", err)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("extra,name\n1,x\n"), 0o644)
	rows, err := SchemaOf[row]().Read(good)
	if err != nil || len(rows) != 1 || rows[0].Name != "x" || rows[0].Value != 0 {
		t.Errorf("rows %+v, %v", rows, err)
	}
	if err := SchemaOf[row]().WriteColumns(filepath.Join(dir, "w.csv"), []string{"name", "nope"}, nil); err == nil {
		t.Error("writing a column the schema does not have succeeded")
	}
}
