package dataset_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/dataset"
)

func TestGenerateIsTheBlogTask(t *testing.T) {
	s, err := dataset.Generate(random.New(0, random.Data), 50, 4)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 50 || s.Test.Len() != 50 || len(s.Train.X) != 200 || len(s.Test.X) != 200 {
		t.Fatalf("sizes: %d/%d examples, %d/%d inputs", s.Train.Len(), s.Test.Len(), len(s.Train.X), len(s.Test.X))
	}
	for _, part := range []dataset.Split{s.Train, s.Test} {
		for i := range part.Y {
			if x0 := part.X[i*4]; part.Y[i] != x0*x0 {
				t.Fatalf("y = %g, x0² = %g", part.Y[i], x0*x0)
			}
		}
	}
	again, _ := dataset.Generate(random.New(0, random.Data), 50, 4)
	other, _ := dataset.Generate(random.New(1, random.Data), 50, 4)
	if again.Test.X[17] != s.Test.X[17] || other.Test.X[17] == s.Test.X[17] {
		t.Error("generation is not determined by the seed")
	}
}

func TestCSVRoundTripIsExact(t *testing.T) {
	s, _ := dataset.Generate(random.New(3, random.Data), 7, 3)
	s.Train.X[0] = 1.0000000000000002 // needs all 17 digits
	s.Test.Y[1] = 5e-324
	var buf bytes.Buffer
	if err := s.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "x0,x1,x2,y,split\n") {
		t.Fatalf("header: %q", strings.SplitN(buf.String(), "\n", 2)[0])
	}
	// n is ignored when the file has a split column.
	r, err := dataset.ReadCSV(bytes.NewReader(buf.Bytes()), "data.csv", 99)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dim != 3 || !equal(r.Train.X, s.Train.X) || !equal(r.Train.Y, s.Train.Y) || !equal(r.Test.X, s.Test.X) || !equal(r.Test.Y, s.Test.Y) {
		t.Error("data set changed in a round trip")
	}
}

func TestReadWithoutSplitUsesFirstNRows(t *testing.T) {
	in := "y,x1,x0\n1,2,3\n4,5,6\n7,8,9\n"
	s, err := dataset.ReadCSV(strings.NewReader(in), "d.csv", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(s.Train.X, []float64{3, 2, 6, 5}) || !equal(s.Train.Y, []float64{1, 4}) || !equal(s.Test.X, []float64{9, 8}) {
		t.Errorf("got train %v %v, test %v %v", s.Train.X, s.Train.Y, s.Test.X, s.Test.Y)
	}
}

func TestReadErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"header only", "x0,y\n", "no rows"},
		{"not a number", "x0,y\n1,2\n3,abc\n", `d.csv:3:2: "abc" is not a number`},
		{"NaN", "x0,y\n1,NaN\n3,4\n", "d.csv:2:2: NaN is not a finite number"},
		{"ragged", "x0,y\n1,2\n3\n", "d.csv:3: has 1 cells, the first line has 2"},
		{"duplicate", "x0,x0,y\n1,2,3\n", `column "x0" appears twice`},
		{"unknown", "x0,z,y\n1,2,3\n", `header "z"`},
		{"gap", "x0,x2,y\n1,2,3\n", "no x1"},
		{"no y", "x0,x1\n1,2\n", "needs columns"},
		{"bad split", "x0,y,split\n1,2,train\n1,2,validation\n", `d.csv:3:3: split is "validation"`},
		{"no test rows", "x0,y\n1,2\n", "need more than n=5 rows"},
		{"quote", "x0,y\n1,\"2\n", "d.csv:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dataset.ReadCSV(strings.NewReader(tc.in), "d.csv", 5)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestMatrixRoundTrip(t *testing.T) {
	a := []float64{1, -2.5, math.Pi, 4e-300, 5, 6}
	var buf bytes.Buffer
	if err := dataset.WriteMatrix(&buf, a, 3); err != nil {
		t.Fatal(err)
	}
	got, rows, cols, err := dataset.ReadMatrix(&buf, "a.csv")
	if err != nil || rows != 2 || cols != 3 || !equal(got, a) {
		t.Errorf("got %v %d×%d, %v", got, rows, cols, err)
	}
	if _, _, _, err := dataset.ReadMatrix(strings.NewReader("1,2\n3,x\n"), "a.csv"); err == nil || !strings.Contains(err.Error(), "a.csv:2:2") {
		t.Errorf("error %v, want one at a.csv:2:2", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("x0,y,split\n1,2,train\n3,4,test\n", 1)
	f.Add("y,x0\n1,2\n3,4\n", 1)
	f.Add("x0,x1,y\n1,2\n", 0)
	f.Fuzz(func(t *testing.T, in string, n int) {
		s, err := dataset.ReadCSV(strings.NewReader(in), "f.csv", n)
		if err != nil {
			return
		}
		for _, part := range []dataset.Split{s.Train, s.Test} {
			if part.Len() == 0 || len(part.X) != part.Len()*s.Dim {
				t.Fatalf("inconsistent data set: dim %d, %d inputs for %d targets", s.Dim, len(part.X), part.Len())
			}
		}
		var buf bytes.Buffer
		if err := s.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		r, err := dataset.ReadCSV(&buf, "again.csv", 0)
		if err != nil {
			t.Fatalf("cannot read back what was written: %v", err)
		}
		if !equal(r.Train.X, s.Train.X) || !equal(r.Test.Y, s.Test.Y) {
			t.Fatal("round trip changed the data")
		}
	})
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func FuzzReadMatrix(f *testing.F) {
	f.Add("1,2\n3,4\n")
	f.Add("1\n")
	f.Add("1,2\n3\n")
	f.Fuzz(func(t *testing.T, in string) {
		data, rows, cols, err := dataset.ReadMatrix(strings.NewReader(in), "m.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "dataset: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			return
		}
		if rows <= 0 || cols <= 0 || len(data) != rows*cols {
			t.Fatalf("%d×%d matrix with %d values", rows, cols, len(data))
		}
		for _, v := range data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite value %v accepted", v)
			}
		}
	})
}
