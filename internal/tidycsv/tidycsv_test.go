package tidycsv

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestFloatRoundTrip(t *testing.T) {
	for _, v := range []float64{0, -0.5, 1.0 / 3, math.Pi * 1e300, 5e-324, math.MaxFloat64, math.NaN(), math.Inf(1), math.Inf(-1)} {
		s := Float(v)
		got, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%v written as %q, which does not parse: %v", v, s, err)
		}
		if math.Float64bits(got) != math.Float64bits(v) && !(math.IsNaN(v) && math.IsNaN(got)) {
			t.Errorf("%v written as %q reads back as %v", v, s, got)
		}
	}
	if Float(math.Inf(1)) != "Inf" || Float(math.NaN()) != "NaN" || Float(math.Inf(-1)) != "-Inf" {
		t.Errorf("non-finite values spelled %s %s %s", Float(math.NaN()), Float(math.Inf(1)), Float(math.Inf(-1)))
	}
}

func TestWriteThenRead(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]string{{"1", "a,b"}, {"2", `say "hi"`}}
	if err := Write(&buf, []string{"n", "text"}, rows); err != nil {
		t.Fatal(err)
	}
	tab, err := Read(&buf, "t.csv", true)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Column("text") != 1 || tab.Column("none") != -1 || tab.Rows[1][1] != `say "hi"` || tab.Lines[1] != 3 {
		t.Errorf("read back %+v", tab)
	}
	if v, err := tab.Float(1, 0); err != nil || v != 2 {
		t.Errorf("Float = %v, %v", v, err)
	}
	if _, err := tab.Float(0, 1); err == nil || !strings.Contains(err.Error(), "t.csv:2:2") {
		t.Errorf("error %v, want one at t.csv:2:2", err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "t.csv: file is empty"},
		{"a,b\n1,2\n3\n", "t.csv:3: has 1 cells, the first line has 2"},
		{"a,b\n1,\"2\n", "t.csv:2"},
	} {
		_, err := Read(strings.NewReader(tc.in), "t.csv", true)
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want a ParseError containing %q", tc.in, err, tc.want)
		}
	}
}
