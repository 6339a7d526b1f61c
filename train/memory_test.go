package train

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestFootprintGrowsWithEverySize(t *testing.T) {
	base := Footprint{N: 200, Dim: 30, Width: 100, Runs: 30, Workers: 2}
	b := base.Bytes()
	for name, f := range map[string]func(*Footprint){
		"n":          func(f *Footprint) { f.N *= 10 },
		"dim":        func(f *Footprint) { f.Dim *= 10 },
		"width":      func(f *Footprint) { f.Width *= 10 },
		"workers":    func(f *Footprint) { f.Workers = 4 },
		"data sets":  func(f *Footprint) { f.DataSets = 10 },
		"graph":      func(f *Footprint) { f.Graph = RegularizedGraph },
		"snapshots":  func(f *Footprint) { f.Snapshots = 1000 },
		"sharpness":  func(f *Footprint) { f.Sharpness = true },
		"float64 vs": func(f *Footprint) {},
	} {
		g := base
		f(&g)
		if name == "float64 vs" {
			g.Dtype = "float32"
			if g.Bytes() >= b {
				t.Errorf("float32: %g bytes, not less than float64's %g", g.Bytes(), b)
			}
			continue
		}
		if g.Bytes() <= b {
			t.Errorf("more %s: %g bytes, not more than %g", name, g.Bytes(), b)
		}
	}
	// Workers beyond the runs change nothing: only runs that exist train.
	one := Footprint{N: 200, Dim: 30, Width: 100, Runs: 1, Workers: 1}
	many := one
	many.Workers = 64
	if one.Bytes() != many.Bytes() {
		t.Errorf("one run with 64 workers: %g bytes, with 1: %g", many.Bytes(), one.Bytes())
	}
	// Sizes far beyond int64 products do not overflow.
	huge := Footprint{N: math.MaxInt32, Dim: math.MaxInt32, Width: math.MaxInt32}
	if b := huge.Bytes(); math.IsInf(b, 0) || b < 1e20 { // int64 overflows at 9.2e18
		t.Errorf("huge sizes: %g bytes", b)
	}
}

// TestFootprintNearMeasured compares the estimate with the peak resident
// memory of igr train -max-steps 3 measured here (/usr/bin/time -f %M, in
// KiB): 242,800 at n = width = 2000 and 1,190,996 at n = 200, width =
// 100,000 before runs measured their sharpness; since, 462,864 at n =
// width = 2000, 1,761,860 at n = 200, width = 20,000, 448,884 at n =
// 20,000, width 200 and 9,416,648 at n = 200, width = 100,000. The
// estimate must stay within a factor 1.5 of each.
func TestFootprintNearMeasured(t *testing.T) {
	for _, c := range []struct {
		f        Footprint
		measured float64
	}{
		{Footprint{N: 2000, Dim: 30, Width: 2000}, 242_800 << 10},
		{Footprint{N: 200, Dim: 30, Width: 100_000}, 1_190_996 << 10},
		{Footprint{N: 2000, Dim: 30, Width: 2000, Sharpness: true}, 462_864 << 10},
		{Footprint{N: 200, Dim: 30, Width: 20_000, Sharpness: true}, 1_761_860 << 10},
		{Footprint{N: 20_000, Dim: 30, Width: 200, Sharpness: true}, 448_884 << 10},
		{Footprint{N: 200, Dim: 30, Width: 100_000, Sharpness: true}, 9_416_648 << 10},
	} {
		if r := c.f.Bytes() / c.measured; r < 1/1.5 || r > 1.5 {
			t.Errorf("%+v: estimate %s, measured %s", c.f, FormatBytes(c.f.Bytes()), FormatBytes(c.measured))
		}
	}
}

func TestCheckMemory(t *testing.T) {
	f := Footprint{N: 200, Dim: 30, Width: 1_000_000_000, Workers: 1}
	err := CheckMemory(f, 16<<30)
	var me *MemoryError
	if !errors.As(err, &me) || !errors.Is(err, ErrSettings) {
		t.Fatalf("width 1e9 in 16 GiB: %v, want a MemoryError that is an ErrSettings", err)
	}
	if me.Flag != "-width 1000000000" || me.Need != f.Bytes() || me.Limit != 16<<30 {
		t.Errorf("error %+v", me)
	}
	for _, want := range []string{"-width 1000000000 needs about 12.3 TiB", "more than the 16 GiB given by -max-memory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if err := CheckMemory(Footprint{N: 200, Dim: 30, Width: 100}, 1<<30); err != nil {
		t.Errorf("the blog's sizes in 1 GiB: %v", err)
	}
	// The culprit is the size whose default would shrink the estimate most.
	for _, c := range []struct {
		f    Footprint
		flag string
	}{
		{Footprint{N: 100_000_000, Dim: 30, Width: 100}, "-n 100000000"},
		{Footprint{N: 200, Dim: 30_000, Width: 100}, "-dim 30000"},
		{Footprint{N: 200, Dim: 30, Width: 100, DataSets: 100_000}, "-seeds 100000"},
		{Footprint{N: 200, Dim: 30, Width: 100, Runs: 1000, Workers: 512}, "-workers 512"},
		{Footprint{N: 200, Dim: 30, Width: 100}, ""},
	} {
		err := CheckMemory(c.f, 1)
		if !errors.As(err, &me) || me.Flag != c.flag {
			t.Errorf("%+v: %v, want the flag %q named", c.f, err, c.flag)
		}
	}
}

func TestParseAndFormatBytes(t *testing.T) {
	for s, want := range map[string]int64{"16G": 16 << 30, "16GB": 16 << 30, "16GiB": 16 << 30, "512M": 512 << 20,
		"1.5T": 3 << 39, "2000000000": 2e9, "64k": 64 << 10, " 8g ": 8 << 30} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "-1G", "G", "12Q", "1e30", "NaN"} {
		if got, err := ParseBytes(s); err == nil || !errors.Is(err, ErrSettings) {
			t.Errorf("ParseBytes(%q) = %d, %v; want an error", s, got, err)
		}
	}
	for b, want := range map[float64]string{512: "512 B", 1536: "1.5 KiB", 1020 << 20: "1020 MiB", 16 << 30: "16 GiB",
		23.44 * (1 << 30): "23.4 GiB", 13.8 * (1 << 40): "13.8 TiB"} {
		if got := FormatBytes(b); got != want {
			t.Errorf("FormatBytes(%g) = %q, want %q", b, got, want)
		}
	}
}
