package progress

import (
	"bytes"
	"math"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock is read by New and Stop only, both on the test goroutine.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// manual starts a Reporter whose reports are drawn only when the test sends
// a time on the returned channel. The channel is unbuffered, so when a send
// returns the previous report is written, and Stop waits for the last one.
func manual(w *bytes.Buffer, terminal bool, label string, runs int, steps int64) (*Reporter, chan<- time.Time, *fakeClock) {
	clock := &fakeClock{t0}
	tick := make(chan time.Time)
	r := newReporter(w, label, runs, steps, options{terminal: terminal, tick: tick, now: clock.now})
	return r, tick, clock
}

func TestFormatCount(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{0.5, "0.5"},
		{7, "7"},
		{12, "12"},
		{999, "999"},
		{999.4, "999"},
		{999.5, "1k"},
		{1000, "1k"},
		{1500, "1.5k"},
		{8100, "8.1k"},
		{8149, "8.15k"},
		{12345, "12.3k"},
		{99_949, "99.9k"},
		{99_950, "100k"},
		{123_456, "123k"},
		{999_499, "999k"},
		{999_500, "1M"},
		{1_234_567, "1.23M"},
		{3_000_000, "3M"},
		{45_600_000, "45.6M"},
		{7_890_000_000, "7.89G"},
		{2e12, "2T"},
		{5e15, "5000T"},
		{math.NaN(), "?"},
		{math.Inf(1), "?"},
		{-1, "?"},
	} {
		if got := formatCount(c.in); got != c.want {
			t.Errorf("formatCount(%g) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFormatClock(t *testing.T) {
	for _, c := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0:00"},
		{-5 * time.Second, "0:00"},
		{400 * time.Millisecond, "0:00"},
		{600 * time.Millisecond, "0:01"},
		{42 * time.Second, "0:42"},
		{59*time.Second + 600*time.Millisecond, "1:00"},
		{12*time.Minute + 5*time.Second, "12:05"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
		{26 * time.Hour, "26:00:00"},
		{999*time.Hour + 59*time.Minute + 59*time.Second, "999:59:59"},
		{1000 * time.Hour, ">999h"},
		{math.MaxInt64, ">999h"},
	} {
		if got := formatClock(c.in); got != c.want {
			t.Errorf("formatClock(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, c := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{-time.Second, "0s"},
		{30 * time.Millisecond, "0s"},
		{340 * time.Millisecond, "300ms"},
		{1550 * time.Millisecond, "1.6s"},
		{42 * time.Second, "42s"},
		{59*time.Second + 400*time.Millisecond, "59.4s"},
		{59*time.Second + 600*time.Millisecond, "1m0s"},
		{2*time.Minute + 5*time.Second + 300*time.Millisecond, "2m5s"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1h2m3s"},
	} {
		if got := formatDuration(c.in); got != c.want {
			t.Errorf("formatDuration(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFormatRate(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {8100.4, "8100"}, {0.6, "1"}, {math.NaN(), "?"}, {math.Inf(1), "?"}, {-3, "?"},
	} {
		if got := formatRate(c.in); got != c.want {
			t.Errorf("formatRate(%g) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"sweep", 20, "sweep"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"σσσσσσσ", 3, "σσ…"},
	} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestETA(t *testing.T) {
	for _, c := range []struct {
		name string
		s    snapshot
		want time.Duration
		ok   bool
	}{
		{"steps at rate", snapshot{runs: 1, total: 100_000, steps: 20_000, rate: 1000, elapsed: time.Minute}, 80 * time.Second, true},
		{"steps no rate", snapshot{runs: 1, total: 100_000, steps: 20_000, rate: math.NaN()}, 0, false},
		{"steps zero rate", snapshot{runs: 1, total: 100_000, steps: 20_000, rate: 0}, 0, false},
		{"steps done", snapshot{runs: 1, total: 100_000, steps: 100_000, rate: math.NaN()}, 0, true},
		{"steps beyond", snapshot{runs: 1, total: 100_000, steps: 100_100, rate: 5}, 0, true},
		{"runs none done", snapshot{runs: 30, runsDone: 0, elapsed: time.Minute, rate: 1}, 0, false},
		{"runs mean", snapshot{runs: 30, runsDone: 12, elapsed: 24 * time.Second, rate: 1}, 36 * time.Second, true},
		{"runs all done", snapshot{runs: 30, runsDone: 30, elapsed: time.Minute}, 0, true},
		{"no runs", snapshot{}, 0, true},
		{"huge", snapshot{total: math.MaxInt64, steps: 1, rate: 1e-300}, math.MaxInt64, true},
	} {
		got, ok := c.s.eta()
		if got != c.want || ok != c.ok {
			t.Errorf("%s: eta() = %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestRenderTerminal(t *testing.T) {
	for _, c := range []struct {
		s    snapshot
		want string
	}{
		{
			// Steps known: the bar shows steps; 90k left at 10k/s.
			snapshot{label: "sweep", runs: 30, runsDone: 3, total: 100_000, steps: 10_000, rate: 10_000},
			"sweep [#.............] 3/30 runs  10k/100k steps  10k steps/s  ETA 0:09",
		},
		{
			// Steps unknown: the bar shows runs, 12 of 30 at 2 s a run.
			snapshot{label: "sweep", runs: 30, runsDone: 12, steps: 1_234_567, rate: 8100, elapsed: 24 * time.Second},
			"sweep [#######............] 12/30 runs  1.23M steps  8.1k steps/s  ETA 0:36",
		},
		{
			// An ETA of 10 hours or more, with the widest counts, takes a
			// column from the bar.
			snapshot{label: "sweep", runs: 30, runsDone: 12, steps: 1_234_567, rate: 12_345, elapsed: 19*time.Hour + 20*time.Minute},
			"sweep [#######...........] 12/30 runs  1.23M steps  12.3k steps/s  ETA 29:00:00",
		},
		{
			// No run finished yet, no rate yet.
			snapshot{label: "label noise", runs: 1, steps: 0, rate: math.NaN()},
			"label noise [...............] 0/1 runs  0 steps  ? steps/s  ETA ?",
		},
		{
			// Done.
			snapshot{label: "x", runs: 2, runsDone: 2, total: 500, steps: 500, rate: 100},
			"x [#####################] 2/2 runs  500/500 steps  100 steps/s  ETA 0:00",
		},
		{
			// No label.
			snapshot{runs: 4, runsDone: 1, rate: 1},
			"[######.....................] 1/4 runs  0 steps  1 steps/s  ETA ?",
		},
	} {
		if got := renderTerminal(c.s); got != c.want {
			t.Errorf("renderTerminal(%+v)\n got %q\nwant %q", c.s, got, c.want)
		}
	}
}

func TestRenderTerminalWidth(t *testing.T) {
	labels := []string{"", "sweep", "a label of exactly 20", "a very long label that goes on and on", strings.Repeat("σ", 40)}
	counts := []int64{0, 7, 999_999, 123_456_789_012, math.MaxInt64}
	for _, label := range labels {
		for _, runs := range counts {
			for _, steps := range counts {
				for _, total := range []int64{0, math.MaxInt64} {
					s := snapshot{label: label, runs: runs, runsDone: runs / 2, total: total, steps: steps,
						rate: 1e9, elapsed: 1000 * time.Hour}
					line := renderTerminal(s)
					if n := utf8.RuneCountInString(line); n > lineWidth {
						t.Errorf("line is %d columns wide: %q", n, line)
					}
					if strings.ContainsAny(line, "\r\n") {
						t.Errorf("line breaks: %q", line)
					}
				}
			}
		}
	}
}

func TestRenderPlain(t *testing.T) {
	for _, c := range []struct {
		s    snapshot
		want string
	}{
		{
			snapshot{label: "sweep", runs: 30, runsDone: 12, steps: 1_234_567, rate: 8100, elapsed: 70 * time.Second},
			"igr: sweep 12/30 runs, 1234567 steps, 8100 steps/s, ETA 1m45s",
		},
		{
			snapshot{label: "label noise", runs: 1, total: 100_000, steps: 58_000, rate: 1000},
			"igr: label noise 0/1 runs, 58000/100000 steps, 1000 steps/s, ETA 42s",
		},
		{
			snapshot{label: "sweep", runs: 3, rate: math.NaN()},
			"igr: sweep 0/3 runs, 0 steps, ? steps/s, ETA ?",
		},
		{
			snapshot{runs: 3, rate: 0},
			"igr: 0/3 runs, 0 steps, 0 steps/s, ETA ?",
		},
	} {
		if got := renderPlain(c.s); got != c.want {
			t.Errorf("renderPlain(%+v)\n got %q\nwant %q", c.s, got, c.want)
		}
	}
}

func TestRenderSummary(t *testing.T) {
	s := snapshot{label: "sweep", runs: 30, runsDone: 30, steps: 3_000_000, elapsed: 125 * time.Second, rate: 24000}
	if got, want := renderSummary(s), "igr: sweep done: 30/30 runs, 3000000 steps in 2m5s, 24000 steps/s"; got != want {
		t.Errorf("renderSummary\n got %q\nwant %q", got, want)
	}
}

func TestRecentRate(t *testing.T) {
	r := &Reporter{samples: []sample{{t0, 0}}}
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// 1000 steps/s for 4 s, then 3000 steps/s: the rate follows the last
	// 3 s or a little more, not the mean since the start.
	steps := int64(0)
	for ms := 200; ms <= 4000; ms += 200 {
		steps += 200
		if got := r.recentRate(at(ms), steps); math.Abs(got-1000) > 1e-9 {
			t.Fatalf("at %d ms: rate %g, want 1000", ms, got)
		}
	}
	for ms := 4200; ms <= 7000; ms += 200 {
		steps += 600
		r.recentRate(at(ms), steps)
	}
	// The window [4000 ms, 7000 ms] holds only the fast steps.
	if got := r.recentRate(at(7000), steps); math.Abs(got-3000) > 1e-9 {
		t.Errorf("rate after the change %g, want 3000", got)
	}
	if len(r.samples) > 20 {
		t.Errorf("%d samples kept, want those of the last 3 s only", len(r.samples))
	}
	if first := r.samples[0].t; first.Before(at(7000).Add(-rateWindow - time.Second)) {
		t.Errorf("oldest sample at %v, more than the window old", first.Sub(t0))
	}

	// A report at the same time as the start has no rate.
	r = &Reporter{samples: []sample{{t0, 0}}}
	if got := r.recentRate(t0, 100); !math.IsNaN(got) {
		t.Errorf("rate with no time elapsed = %g, want NaN", got)
	}
	// Plain reports 5 s apart measure over the last interval.
	r = &Reporter{samples: []sample{{t0, 0}}}
	r.recentRate(at(5000), 5000)
	if got := r.recentRate(at(10000), 25000); got != 4000 {
		t.Errorf("rate over the last plain interval = %g, want 4000", got)
	}
}

func TestPlainOutput(t *testing.T) {
	var buf bytes.Buffer
	r, tick, clock := manual(&buf, false, "sweep", 4, 0)
	r.Add(1000)
	r.RunDone()
	tick <- t0.Add(5 * time.Second)
	r.Add(1500)
	r.Add(500)
	r.RunDone()
	tick <- t0.Add(10 * time.Second)
	clock.t = t0.Add(12 * time.Second)
	r.Stop()
	want := "igr: sweep 1/4 runs, 1000 steps, 200 steps/s, ETA 15s\n" +
		"igr: sweep 2/4 runs, 3000 steps, 400 steps/s, ETA 10s\n" +
		"igr: sweep done: 2/4 runs, 3000 steps in 12s, 250 steps/s\n"
	if got := buf.String(); got != want {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}

func TestTerminalOutput(t *testing.T) {
	var buf bytes.Buffer
	r, tick, clock := manual(&buf, true, "sweep", 30, 100_000)
	r.Add(10_000)
	r.RunDone()
	r.RunDone()
	r.RunDone()
	tick <- t0.Add(time.Second)
	for range 3 {
		r.Add(20_000)
	}
	r.RunDone()
	tick <- t0.Add(2 * time.Second)
	clock.t = t0.Add(4 * time.Second)
	r.Stop()
	want := "\rsweep [#.............] 3/30 runs  10k/100k steps  10k steps/s  ETA 0:09\x1b[K" +
		"\rsweep [#########.....] 4/30 runs  70k/100k steps  35k steps/s  ETA 0:01\x1b[K" +
		"\rsweep [#########.....] 4/30 runs  70k/100k steps  17.5k steps/s  ETA 0:02\x1b[K\n" +
		"igr: sweep done: 4/30 runs, 70000 steps in 4s, 17500 steps/s\n"
	if got := buf.String(); got != want {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}

func TestTerminalNothingDrawn(t *testing.T) {
	// A job that ends before the first frame gets only the summary.
	var buf bytes.Buffer
	r, _, clock := manual(&buf, true, "quick", 1, 0)
	r.Add(300)
	r.RunDone()
	clock.t = t0.Add(100 * time.Millisecond)
	r.Stop()
	if got, want := buf.String(), "igr: quick done: 1/1 runs, 300 steps in 100ms, 3000 steps/s\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestZeroElapsed(t *testing.T) {
	var buf bytes.Buffer
	r, _, _ := manual(&buf, false, "", 0, 0)
	r.Stop()
	if got, want := buf.String(), "igr: done: 0/0 runs, 0 steps in 0s, ? steps/s\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

// lockedBuffer lets the test read what the drawing goroutine writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestPlainRealTicker(t *testing.T) {
	var buf lockedBuffer
	r := newReporter(&buf, "sweep", 2, 0, options{interval: time.Millisecond})
	r.Add(100)
	// Wait for two reports, however slow the machine.
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(buf.String(), "\n") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no reports after 30 s: %q", buf.String())
		}
		time.Sleep(time.Millisecond)
	}
	r.RunDone()
	r.RunDone()
	r.Stop()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	report := regexp.MustCompile(`^igr: sweep [0-2]/2 runs, 100 steps, (\d+|\?) steps/s, ETA (\?|[0-9hms.]+)$`)
	for _, l := range lines[:len(lines)-1] {
		if !report.MatchString(l) {
			t.Errorf("report %q does not match %v", l, report)
		}
	}
	summary := regexp.MustCompile(`^igr: sweep done: 2/2 runs, 100 steps in [0-9hms.]+, (\d+|\?) steps/s$`)
	if last := lines[len(lines)-1]; !summary.MatchString(last) {
		t.Errorf("summary %q does not match %v", last, summary)
	}
}

func TestConcurrent(t *testing.T) {
	const workers, adds, batch = 64, 1000, 100
	var buf bytes.Buffer
	// Reports every millisecond, read the counters while they change.
	r := newReporter(&buf, "race", workers, workers*adds*batch, options{terminal: true, interval: time.Millisecond})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range adds {
				r.Add(batch)
			}
			r.RunDone()
		})
	}
	wg.Wait()
	// Concurrent and repeated Stops write one summary.
	for range 4 {
		wg.Go(r.Stop)
	}
	wg.Wait()
	r.Stop()
	out := buf.String()
	if n := strings.Count(out, "done:"); n != 1 {
		t.Errorf("%d summaries, want 1:\n%q", n, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if want := "igr: race done: 64/64 runs, 6400000 steps in "; !strings.HasPrefix(last, want) {
		t.Errorf("summary %q, want it to start with %q", last, want)
	}
	// After Stop, nothing more is written.
	r.Add(5)
	time.Sleep(5 * time.Millisecond)
	if buf.String() != out {
		t.Errorf("output after Stop")
	}
}

func TestNil(t *testing.T) {
	if r := New(nil, "x", 1, 0); r != nil {
		t.Fatalf("New(nil, ...) = %v, want nil", r)
	}
	var r *Reporter
	r.Add(100)
	r.RunDone()
	r.Stop()
	r.Stop()
	// As train.Settings holds it: a non-nil interface with a nil pointer.
	var p interface {
		Add(int)
		RunDone()
	} = r
	p.Add(1)
	p.RunDone()
	// A nil Reporter tracks nothing, and its nil Run does nothing.
	run := r.Track("label noise", 100)
	if run != nil {
		t.Fatalf("Track on a nil Reporter = %v, want nil", run)
	}
	p = run
	p.Add(1)
	p.RunDone()
}

func TestAddDoesNotAllocate(t *testing.T) {
	var buf bytes.Buffer
	r, _, _ := manual(&buf, false, "alloc", 1, 0)
	defer r.Stop()
	if n := testing.AllocsPerRun(1000, func() { r.Add(100); r.RunDone() }); n != 0 {
		t.Errorf("Add and RunDone allocate %g times", n)
	}
	var nilR *Reporter
	if n := testing.AllocsPerRun(1000, func() { nilR.Add(100) }); n != 0 {
		t.Errorf("nil Add allocates %g times", n)
	}
	run := r.Track("label noise", 1e9)
	if n := testing.AllocsPerRun(1000, func() { run.Add(100) }); n != 0 {
		t.Errorf("a tracked run's Add allocates %g times", n)
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := range 20 {
		var buf bytes.Buffer
		r := newReporter(&buf, "leak", 1, 0, options{terminal: i%2 == 0, interval: time.Millisecond})
		r.Add(1)
		r.Stop()
		select {
		case <-r.done:
		default:
			t.Fatal("Stop returned before the drawing goroutine ended")
		}
	}
	// A goroutine that closed done may take a moment to be gone.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Stop, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNewChoosesMode(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, "buffer", 1, 0)
	r.Stop()
	if r.terminal {
		t.Error("a bytes.Buffer is taken for a terminal")
	}

	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r = New(f, "file", 1, 0)
	r.Stop()
	if r.terminal {
		t.Error("a regular file is taken for a terminal")
	}
	if got, err := os.ReadFile(f.Name()); err != nil || !strings.HasPrefix(string(got), "igr: file done: 0/1 runs") {
		t.Errorf("file holds %q, %v", got, err)
	}

	dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer dev.Close()
	if fi, err := dev.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Skipf("%s is not a character device here", os.DevNull)
	}
	r = New(dev, "device", 1, 0)
	r.Stop()
	if !r.terminal {
		t.Errorf("%s, a character device, is not taken for a terminal", os.DevNull)
	}
}

func BenchmarkAdd(b *testing.B) {
	r := newReporter(&bytes.Buffer{}, "bench", 1, 0, options{tick: make(chan time.Time)})
	defer r.Stop()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Add(100)
		}
	})
}

func TestEstimate(t *testing.T) {
	noise := func(steps int64, rate float64) trackedRun {
		return trackedRun{name: "label noise", steps: steps, total: 100_000, rate: rate}
	}
	for _, c := range []struct {
		name  string
		s     snapshot
		want  time.Duration
		lower bool
		ok    bool
	}{
		{"nothing known", snapshot{runs: 34, rate: 3000}, 0, false, false},
		{"no run ended: the known steps bound it",
			snapshot{runs: 34, steps: 40_000, rate: 3200, tracked: []trackedRun{noise(20_000, 1000)}}, 80 * time.Second, true, true},
		{"the longest known run bounds it",
			snapshot{runs: 34, rate: 3200, tracked: []trackedRun{noise(20_000, 1000), noise(90_000, 1000)}}, 80 * time.Second, true, true},
		{"runs ended, their mean is more",
			snapshot{runs: 34, runsDone: 2, elapsed: 20 * time.Second, rate: 3200, tracked: []trackedRun{noise(20_000, 1000)}}, 320 * time.Second, false, true},
		{"runs ended, the known run is more",
			snapshot{runs: 4, runsDone: 2, elapsed: 20 * time.Second, rate: 3200, tracked: []trackedRun{noise(20_000, 1000)}}, 80 * time.Second, false, true},
		{"known run ended",
			snapshot{runs: 34, runsDone: 1, elapsed: 34 * time.Second, tracked: []trackedRun{{name: "x", steps: 100, total: 100, rate: 10, done: true}}}, 33 * 34 * time.Second, false, true},
		{"known run not started", snapshot{runs: 34, tracked: []trackedRun{noise(0, math.NaN())}}, 0, false, false},
		{"known run without a rate yet", snapshot{runs: 34, tracked: []trackedRun{noise(100, math.NaN())}}, 0, false, false},
		{"total known: steps decide",
			snapshot{runs: 2, total: 200_000, steps: 100_000, rate: 1000, tracked: []trackedRun{noise(20_000, 1)}}, 100 * time.Second, false, true},
	} {
		got, lower, ok := c.s.estimate()
		if got != c.want || lower != c.lower || ok != c.ok {
			t.Errorf("%s: estimate() = %v, %v, %v; want %v, %v, %v", c.name, got, lower, ok, c.want, c.lower, c.ok)
		}
	}
}

func TestRenderTracked(t *testing.T) {
	s := snapshot{label: "reproduce", runs: 34, steps: 40_000, rate: 3200, elapsed: 30 * time.Second,
		tracked: []trackedRun{{name: "label noise", steps: 23_000, total: 100_000, rate: 1000}}}
	if got, want := renderTerminal(s), "reproduce 0/34 runs  3.2k steps/s  ETA ≥1:17  label noise 23k/100k"; got != want {
		t.Errorf("renderTerminal\n got %q\nwant %q", got, want)
	}
	// A shorter line leaves room for the job's steps, on every frame.
	noise := s
	noise.label, noise.runs = "noise", 2
	if got, want := renderTerminal(noise), "noise 0/2 runs  40k steps  3.2k steps/s  ETA ≥1:17  label noise 23k/100k"; got != want {
		t.Errorf("renderTerminal\n got %q\nwant %q", got, want)
	}
	if got, want := renderPlain(s), "igr: reproduce 0/34 runs, 40000 steps, 3200 steps/s, ETA ≥1m17s, label noise 23000/100000 steps"; got != want {
		t.Errorf("renderPlain\n got %q\nwant %q", got, want)
	}
	// Once it has ended, the line is the usual one.
	s.tracked[0].steps, s.tracked[0].done, s.runsDone = 100_000, true, 1
	if got := renderTerminal(s); strings.Contains(got, "label noise") || !strings.Contains(got, "[") {
		t.Errorf("after the run: %q", got)
	}
	// Too long a line loses the runs' progress, never the ETA.
	s = snapshot{label: "a label of exactly 20", runs: 123_456, steps: 1_234_567_890, rate: 12_345, elapsed: time.Hour,
		tracked: []trackedRun{{name: "label noise", steps: 1, total: 1e12, rate: 1e-3}, {name: "another", steps: 5, total: 9, rate: 1}}}
	line := renderTerminal(s)
	if n := utf8.RuneCountInString(line); n > lineWidth || !strings.Contains(line, "ETA ≥>999h") {
		t.Errorf("long line (%d columns): %q", n, line)
	}
}

// TestTrackedOutput follows a job whose label-noise run is under way while
// no run has ended, then after it has.
func TestTrackedOutput(t *testing.T) {
	var buf bytes.Buffer
	r, tick, clock := manual(&buf, false, "reproduce", 3, 0)
	noise := r.Track("label noise", 10_000)
	clock.t = t0.Add(time.Second)
	noise.Add(1000) // the run's rate is measured from here
	r.Add(500)      // another run, of unknown length
	clock.t = t0.Add(5 * time.Second)
	noise.Add(2000)
	tick <- t0.Add(5 * time.Second) // 2000 steps in 4 s: 7000 left take 14 s
	noise.Add(7000)
	noise.RunDone()
	r.RunDone()
	tick <- t0.Add(10 * time.Second) // 2 of 3 runs in 10 s
	clock.t = t0.Add(10 * time.Second)
	r.Stop()
	want := "igr: reproduce 0/3 runs, 3500 steps, 700 steps/s, ETA ≥14s, label noise 3000/10000 steps\n" +
		"igr: reproduce 2/3 runs, 10500 steps, 1400 steps/s, ETA 5s\n" +
		"igr: reproduce done: 2/3 runs, 10500 steps in 10s, 1050 steps/s\n"
	if got := buf.String(); got != want {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}
