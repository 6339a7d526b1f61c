package experiment

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
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
// 100,000. The estimate must stay within a factor 1.5 of both.
func TestFootprintNearMeasured(t *testing.T) {
	for _, c := range []struct {
		f        Footprint
		measured float64
	}{
		{Footprint{N: 2000, Dim: 30, Width: 2000}, 242_800 << 10},
		{Footprint{N: 200, Dim: 30, Width: 100_000}, 1_190_996 << 10},
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
	if !errors.As(err, &me) || !errors.Is(err, ErrConfig) {
		t.Fatalf("width 1e9 in 16 GiB: %v, want a MemoryError that is an ErrConfig", err)
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

// TestResolveRefusesBeforeAllocating asks for a data set of 100 million
// examples and a network of a billion hidden units: Resolve must refuse
// both without allocating them.
func TestResolveRefusesBeforeAllocating(t *testing.T) {
	for _, c := range []Config{{N: 100_000_000}, {Width: 1_000_000_000}, {N: 20_000, Width: 20_000, MaxMemory: 1 << 30}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := c.Resolve()
		runtime.ReadMemStats(&after)
		var me *MemoryError
		if !errors.As(err, &me) {
			t.Errorf("%+v: %v, want a MemoryError", c, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%+v: allocated %d bytes before refusing", c, grew)
		}
	}
	// What fits still runs.
	if _, err := (Config{N: 20, Dim: 3, Width: 4, MaxMemory: 1 << 30}).Resolve(); err != nil {
		t.Error(err)
	}
}

func TestAvailableMemory(t *testing.T) {
	meminfo := "MemTotal:       24684084 kB\nMemFree:        20000000 kB\nMemAvailable:   24002868 kB\n"
	v1 := fstest.MapFS{
		"proc/meminfo":        {Data: []byte(meminfo)},
		"proc/self/cgroup":    {Data: []byte("9:name=systemd:/\n4:memory:/slurm/uid_0/job_7\n0::/\n")},
		"proc/self/mountinfo": {Data: []byte("35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n")},
		"sys/fs/cgroup/memory/memory.limit_in_bytes":                   {Data: []byte("9223372036854771712\n")},
		"sys/fs/cgroup/memory/slurm/memory.limit_in_bytes":             {Data: []byte("9223372036854771712\n")},
		"sys/fs/cgroup/memory/slurm/uid_0/job_7/memory.limit_in_bytes": {Data: []byte("4294967296\n")},
	}
	v2 := fstest.MapFS{
		"proc/meminfo":                                    {Data: []byte(meminfo)},
		"proc/self/cgroup":                                {Data: []byte("0::/system.slice/job.scope\n")},
		"proc/self/mountinfo":                             {Data: []byte("30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n")},
		"sys/fs/cgroup/system.slice/memory.max":           {Data: []byte("2147483648\n")},
		"sys/fs/cgroup/system.slice/job.scope/memory.max": {Data: []byte("max\n")},
	}
	// A container sees its own cgroup as the root of the mount.
	container := fstest.MapFS{
		"proc/meminfo":                 {Data: []byte(meminfo)},
		"proc/self/cgroup":             {Data: []byte("0::/docker/abc\n")},
		"proc/self/mountinfo":          {Data: []byte("30 23 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n")},
		"sys/fs/cgroup/memory.max":     {Data: []byte("1073741824\n")},
		"sys/fs/cgroup/docker/abc/foo": {Data: []byte("")},
	}
	noCgroup := fstest.MapFS{"proc/meminfo": {Data: []byte(meminfo)}}
	oldKernel := fstest.MapFS{"proc/meminfo": {Data: []byte("MemTotal:       1000 kB\nMemFree: 10 kB\n")}}
	for _, c := range []struct {
		name   string
		root   fstest.MapFS
		want   int64
		source string
		ok     bool
	}{
		{"cgroup v1 job limit", v1, 4 << 30, "cgroup", true},
		{"cgroup v2 parent limit", v2, 2 << 30, "cgroup", true},
		{"container", container, 1 << 30, "cgroup", true},
		{"MemAvailable", noCgroup, 24002868 << 10, "available on this machine", true},
		{"MemTotal", oldKernel, 1000 << 10, "available on this machine", true},
		{"nothing", fstest.MapFS{}, 0, "", false},
	} {
		got, source, ok := availableMemory(c.root)
		if got != c.want || ok != c.ok || !strings.Contains(source, c.source) {
			t.Errorf("%s: %d (%s, %v), want %d (%s)", c.name, got, source, ok, c.want, c.source)
		}
	}
	if b, _, ok := AvailableMemory(); runtime.GOOS == "linux" && (!ok || b <= 0) {
		t.Errorf("this machine: %d bytes, %v", b, ok)
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
		if got, err := ParseBytes(s); err == nil || !errors.Is(err, ErrConfig) {
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
