package progress

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Reporting intervals and the window of the rate.
const (
	terminalInterval = 200 * time.Millisecond
	plainInterval    = 5 * time.Second
	rateWindow       = 3 * time.Second
)

// Layout of the terminal line.
const (
	lineWidth   = 79 // one less than 80 columns, so no terminal wraps the line
	maxLabel    = 20 // longer labels are cut on a terminal
	minBar      = 5  // below this width the bar is left out
	maxBar      = 30
	clearToEnd  = "\x1b[K"
	plainPrefix = "igr: "
)

// A Reporter reports the progress of a job. Its methods are safe for
// concurrent use, and all of them do nothing on a nil *Reporter.
type Reporter struct {
	steps    atomic.Int64
	runsDone atomic.Int64

	w        io.Writer
	label    string
	runs     int64
	total    int64 // total steps, 0 if unknown
	terminal bool
	now      func() time.Time
	start    time.Time

	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	tracked []*Run // runs of known length, in the order Track made them

	// Owned by the drawing goroutine until it ends, then by Stop.
	samples []sample // recent (time, steps) pairs, oldest first
	drawn   bool     // a terminal line is on screen
}

// The Reporter satisfies train.Progress without importing it.
var _ interface {
	Add(int)
	RunDone()
} = (*Reporter)(nil)

// options are the knobs tests turn; New sets them from the writer.
type options struct {
	terminal bool
	interval time.Duration    // between reports, if tick is nil
	tick     <-chan time.Time // if not nil, each value draws a report at that time
	now      func() time.Time // nil means time.Now
}

// New starts reporting to w the progress of the job named label, made of
// runs runs that take steps steps in all, or 0 if the total is not known in
// advance (runs that stop on convergence). It reports in place on a terminal
// and with a plain line every five seconds otherwise. New returns nil, a valid
// Reporter that does nothing, if w is nil. Stop must be called to end the
// reports.
func New(w io.Writer, label string, runs int, steps int64) *Reporter {
	if w == nil {
		return nil
	}
	o := options{interval: plainInterval}
	if isTerminal(w) {
		o = options{terminal: true, interval: terminalInterval}
	}
	return newReporter(w, label, runs, steps, o)
}

func newReporter(w io.Writer, label string, runs int, steps int64, o options) *Reporter {
	if o.now == nil {
		o.now = time.Now
	}
	r := &Reporter{
		w:        w,
		label:    label,
		runs:     int64(max(runs, 0)),
		total:    max(steps, 0),
		terminal: o.terminal,
		now:      o.now,
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	r.start = r.now()
	r.samples = append(make([]sample, 0, 32), sample{r.start, 0})
	tick := o.tick
	var ticker *time.Ticker
	if tick == nil {
		ticker = time.NewTicker(o.interval)
		tick = ticker.C
	}
	go r.loop(tick, ticker)
	return r
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Track returns the progress of one run of the job, named name, that takes
// exactly steps steps, such as a label-noise run in a job whose other runs
// stop on convergence. The run reports to the Reporter through it (Add and
// RunDone) instead of directly, and the reports show its own progress while
// it is under way ("label noise 23k/100k") and, while the job's total is
// unknown, base the ETA on the steps it has left. Track must be called before
// the run starts; on a nil Reporter it returns nil, a valid Run that does
// nothing.
func (r *Reporter) Track(name string, steps int64) *Run {
	if r == nil {
		return nil
	}
	t := &Run{r: r, name: name, total: max(steps, 0)}
	r.mu.Lock()
	r.tracked = append(r.tracked, t)
	r.mu.Unlock()
	return t
}

// A Run is the progress of one run of known length; see Track. Its
// methods are safe for concurrent use and do nothing on a nil *Run.
type Run struct {
	r     *Reporter
	name  string
	total int64

	steps atomic.Int64
	done  atomic.Bool
	// The time (Unix nanoseconds) and the steps of the first Add, from which
	// the run's own rate is measured.
	firstAt    atomic.Int64
	firstSteps atomic.Int64
}

// Add records that the run took steps more steps.
func (t *Run) Add(steps int) {
	if t == nil {
		return
	}
	t.r.Add(steps)
	n := t.steps.Add(int64(steps))
	if t.firstAt.Load() == 0 {
		t.firstSteps.Store(n)
		t.firstAt.CompareAndSwap(0, t.r.now().UnixNano())
	}
}

// RunDone records that the run ended.
func (t *Run) RunDone() {
	if t == nil {
		return
	}
	t.done.Store(true)
	t.r.RunDone()
}

// Add records that steps more gradient steps were taken. It is a single
// atomic addition.
func (r *Reporter) Add(steps int) {
	if r == nil {
		return
	}
	r.steps.Add(int64(steps))
}

// RunDone records that a run ended.
func (r *Reporter) RunDone() {
	if r == nil {
		return
	}
	r.runsDone.Add(1)
}

// Stop stops the reports and waits for the drawing goroutine to end. It ends
// the line on a terminal and writes a summary: the label, the runs done, the
// steps taken, the time elapsed and the mean rate. Calls after the first do
// nothing.
func (r *Reporter) Stop() {
	if r == nil {
		return
	}
	r.stopOnce.Do(func() {
		close(r.quit)
		<-r.done
		now := r.now()
		if r.terminal && r.drawn {
			s := r.snapshot(now)
			io.WriteString(r.w, "\r"+renderTerminal(s)+clearToEnd+"\n")
		}
		io.WriteString(r.w, renderSummary(r.snapshot(now))+"\n")
	})
}

func (r *Reporter) loop(tick <-chan time.Time, ticker *time.Ticker) {
	defer close(r.done)
	if ticker != nil {
		defer ticker.Stop()
	}
	for {
		select {
		case <-r.quit:
			return
		case t := <-tick:
			r.draw(t)
		}
	}
}

// draw writes one report as of now. Write errors are ignored: progress
// reports are best effort.
func (r *Reporter) draw(now time.Time) {
	s := r.snapshot(now)
	s.rate = r.recentRate(now, s.steps)
	if r.terminal {
		io.WriteString(r.w, "\r"+renderTerminal(s)+clearToEnd)
		r.drawn = true
		return
	}
	io.WriteString(r.w, renderPlain(s)+"\n")
}

// snapshot reads the counters; its rate is the mean since the start.
func (r *Reporter) snapshot(now time.Time) snapshot {
	s := snapshot{
		label:    r.label,
		runs:     r.runs,
		runsDone: r.runsDone.Load(),
		total:    r.total,
		steps:    r.steps.Load(),
		elapsed:  now.Sub(r.start),
	}
	s.rate = math.NaN()
	if s.elapsed > 0 {
		s.rate = float64(s.steps) / s.elapsed.Seconds()
	}
	r.mu.Lock()
	tracked := r.tracked
	r.mu.Unlock()
	for _, t := range tracked {
		ts := trackedRun{name: t.name, total: t.total, steps: t.steps.Load(), done: t.done.Load(), rate: math.NaN()}
		if at := t.firstAt.Load(); at != 0 {
			if dt := now.Sub(time.Unix(0, at)).Seconds(); dt > 0 {
				ts.rate = float64(ts.steps-t.firstSteps.Load()) / dt
			}
		}
		s.tracked = append(s.tracked, ts)
	}
	return s
}

type sample struct {
	t     time.Time
	steps int64
}

// recentRate records the sample (now, steps) and returns the rate in steps
// per second since the latest earlier sample at least rateWindow old, or the
// oldest one if none is that old. It returns NaN if no time has passed.
func (r *Reporter) recentRate(now time.Time, steps int64) float64 {
	r.samples = append(r.samples, sample{now, steps})
	cut := now.Add(-rateWindow)
	i := 0
	for i+2 < len(r.samples) && !r.samples[i+1].t.After(cut) {
		i++
	}
	if i > 0 {
		r.samples = r.samples[:copy(r.samples, r.samples[i:])]
	}
	base := r.samples[0]
	dt := now.Sub(base.t).Seconds()
	if dt <= 0 {
		return math.NaN()
	}
	return float64(steps-base.steps) / dt
}

// snapshot is the state one report shows.
type snapshot struct {
	label          string
	runs, runsDone int64
	total, steps   int64 // total is 0 if unknown
	elapsed        time.Duration
	rate           float64 // steps per second; NaN if unknown
	tracked        []trackedRun
}

// trackedRun is the state of a run of known length.
type trackedRun struct {
	name         string
	steps, total int64
	rate         float64 // the run's own steps per second; NaN if unknown
	done         bool
}

// underWay reports whether the run has started and not ended.
func (t trackedRun) underWay() bool { return t.steps > 0 && !t.done }

// estimate returns the ETA and whether it is only a lower bound. When the
// job's total is unknown, the runs of known length still under way cannot
// end before their own steps are done at their own rate: the ETA is at
// least that. Until some run has ended that is all there is to go on, and
// the ETA is that lower bound.
func (s snapshot) estimate() (d time.Duration, lower, ok bool) {
	d, ok = s.eta()
	if s.total > 0 {
		return d, false, ok
	}
	var bound time.Duration
	known := false
	for _, t := range s.tracked {
		if !t.underWay() || !(t.rate > 0) || math.IsInf(t.rate, 0) {
			continue
		}
		bound = max(bound, seconds(float64(max(t.total-t.steps, 0))/t.rate))
		known = true
	}
	switch {
	case !known:
		return d, false, ok
	case !ok:
		return bound, true, true
	}
	return max(d, bound), false, true
}

// eta estimates the time left: from the remaining steps at the rate when the
// total is known, else from the remaining runs at the mean time per finished
// run. ok is false if there is no estimate yet.
func (s snapshot) eta() (d time.Duration, ok bool) {
	if s.total > 0 {
		left := s.total - s.steps
		switch {
		case left <= 0:
			return 0, true
		case !(s.rate > 0) || math.IsInf(s.rate, 0):
			return 0, false
		}
		return seconds(float64(left) / s.rate), true
	}
	left := s.runs - s.runsDone
	switch {
	case left <= 0:
		return 0, true
	case s.runsDone <= 0 || s.elapsed <= 0:
		return 0, false
	}
	return seconds(s.elapsed.Seconds() / float64(s.runsDone) * float64(left)), true
}

// seconds converts to a Duration, saturating instead of overflowing.
func seconds(x float64) time.Duration {
	if x >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(x * float64(time.Second))
}

// fraction is the share of the job done, in [0, 1]: of the steps if their
// total is known, else of the runs.
func (s snapshot) fraction() float64 {
	done, all := s.runsDone, s.runs
	if s.total > 0 {
		done, all = s.steps, s.total
	}
	if all <= 0 {
		return 0
	}
	return min(max(float64(done)/float64(all), 0), 1)
}

// renderTerminal renders the line drawn in place on a terminal, at most
// lineWidth columns wide:
//
//	sweep [#########.......] 12/30 runs  1.23M steps  8.1k steps/s  ETA 0:42
//
// While runs of known length are under way, their own progress takes the
// place of the bar (see renderTracked):
//
//	reproduce 0/34 runs  3.2k steps/s  ETA ≥0:48  label noise 23k/100k
func renderTerminal(s snapshot) string {
	label := truncate(s.label, maxLabel)
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d runs  %s", s.runsDone, s.runs, formatCount(float64(s.steps)))
	if s.total > 0 {
		b.WriteString("/" + formatCount(float64(s.total)))
	}
	b.WriteString(" steps  " + formatCount(s.rate) + " steps/s  ETA ")
	b.WriteString(formatETA(s, formatClock))
	rest := b.String()

	head := ""
	if label != "" {
		head = label + " "
	}
	if hasUnderWay(s) {
		return renderTracked(head, s)
	}
	fixed := utf8.RuneCountInString(head) + len("[] ")
	bar := min(lineWidth-fixed-reserved(s), maxBar)
	if over := fixed + bar + len(rest) - lineWidth; over > 0 {
		bar -= over // a rare wide field: shrink the bar for this frame
	}
	if bar < minBar {
		return truncate(head+rest, lineWidth)
	}
	filled := int(s.fraction() * float64(bar))
	return head + "[" + strings.Repeat("#", filled) + strings.Repeat(".", bar-filled) + "] " + rest
}

// renderTracked renders the terminal line while runs of known length are
// under way: their own progress takes the place of the bar, which counts
// runs, of which none may end for a long while. When the widest numbers
// would not fit, the job's step count is left out, on every frame alike;
// what still does not fit is cut from the end.
func renderTracked(head string, s snapshot) string {
	runs := fmt.Sprintf("%d/%d runs", s.runsDone, s.runs)
	steps := formatCount(float64(s.steps)) + " steps"
	rate := formatCount(s.rate) + " steps/s"
	eta := "ETA " + formatETA(s, formatClock)
	// The widest the line gets in its first hour: counts of 5 characters,
	// an ETA of ≥59:59.
	widest := utf8.RuneCountInString(head + runs + "  99.9k steps  99.9k steps/s  ETA ≥59:59")
	var tracked []string
	for _, t := range s.tracked {
		if t.underWay() {
			tracked = append(tracked, t.name+" "+formatCount(float64(t.steps))+"/"+formatCount(float64(t.total)))
			widest += utf8.RuneCountInString(t.name) + len("  99.9k/") + len(formatCount(float64(t.total))) + 1
		}
	}
	fields := []string{runs, steps, rate, eta}
	if widest > lineWidth {
		fields = []string{runs, rate, eta}
	}
	return truncate(head+strings.Join(append(fields, tracked...), "  "), lineWidth)
}

// hasUnderWay reports whether a run of known length is under way.
func hasUnderWay(s snapshot) bool {
	for _, t := range s.tracked {
		if t.underWay() {
			return true
		}
	}
	return false
}

// formatETA writes the estimate of the time left with format, "≥" before
// it if it is a lower bound, or "?" if there is none.
func formatETA(s snapshot, format func(time.Duration) string) string {
	d, lower, ok := s.estimate()
	switch {
	case !ok:
		return "?"
	case lower:
		return "≥" + format(d)
	}
	return format(d)
}

// reserved is the width the text after the bar of renderTerminal takes at
// most during the job, with counts of 5 characters and an ETA under 10
// hours, so that the bar keeps its width while the numbers change.
func reserved(s snapshot) int {
	n := 2*len(strconv.FormatInt(s.runs, 10)) + len("/ runs  ") +
		5 + len(" steps  ") + 5 + len(" steps/s  ETA ") + len("9:59:59")
	if s.total > 0 {
		n += len("/") + len(formatCount(float64(s.total)))
	}
	return n
}

// renderPlain renders the line printed periodically when not on a terminal:
//
//	igr: sweep 12/30 runs, 1234567 steps, 8100 steps/s, ETA 42s
//	igr: reproduce 0/34 runs, 40000 steps, 3200 steps/s, ETA ≥48s, label noise 23000/100000 steps
func renderPlain(s snapshot) string {
	var b strings.Builder
	b.WriteString(plainPrefix)
	if s.label != "" {
		b.WriteString(s.label + " ")
	}
	fmt.Fprintf(&b, "%d/%d runs, %d", s.runsDone, s.runs, s.steps)
	if s.total > 0 {
		fmt.Fprintf(&b, "/%d", s.total)
	}
	b.WriteString(" steps, " + formatRate(s.rate) + " steps/s, ETA " + formatETA(s, formatDuration))
	for _, t := range s.tracked {
		if t.underWay() {
			fmt.Fprintf(&b, ", %s %d/%d steps", t.name, t.steps, t.total)
		}
	}
	return b.String()
}

// renderSummary renders the line Stop prints; its rate is the mean since the
// start:
//
//	igr: sweep done: 30/30 runs, 3000000 steps in 2m5s, 24000 steps/s
func renderSummary(s snapshot) string {
	var b strings.Builder
	b.WriteString(plainPrefix)
	if s.label != "" {
		b.WriteString(s.label + " ")
	}
	fmt.Fprintf(&b, "done: %d/%d runs, %d steps in %s, %s steps/s",
		s.runsDone, s.runs, s.steps, formatDuration(s.elapsed), formatRate(s.rate))
	return b.String()
}

// truncate cuts s to at most n runes, ending it with "…" if it was cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// formatCount writes x with three significant digits and a metric suffix,
// trailing zeros dropped: 950, 8.1k, 1.23M, 12.3G. It writes "?" for NaN
// and for infinite or negative values.
func formatCount(x float64) string {
	if !(x >= 0) || math.IsInf(x, 0) {
		return "?"
	}
	units := []struct {
		suffix string
		size   float64
	}{{"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}}
	u := units[0]
	for _, u = range units {
		if x/u.size < 999.5 {
			break
		}
	}
	v := x / u.size
	var s string
	switch {
	case v < 9.995:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	case v < 99.95:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + u.suffix
}

// formatRate writes a rate rounded to a whole number, or "?" if unknown.
func formatRate(x float64) string {
	if !(x >= 0) || math.IsInf(x, 0) {
		return "?"
	}
	return fmt.Sprintf("%.0f", x)
}

// formatClock writes d, rounded to the second, as m:ss under an hour and
// h:mm:ss above: 0:42, 12:05, 1:02:03. Negative durations are 0:00 and
// durations of 1000 hours or more are ">999h".
func formatClock(d time.Duration) string {
	d = max(d, 0)
	if d >= 1000*time.Hour-time.Second/2 {
		return ">999h"
	}
	sec := int64(d.Round(time.Second) / time.Second)
	h, m, s := sec/3600, sec/60%60, sec%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// formatDuration writes d as time.Duration does, rounded to a tenth of a
// second under a minute and to the second above: 0.3s, 42s, 2m5s, 1h2m3s.
// Negative durations are 0s.
func formatDuration(d time.Duration) string {
	d = max(d, 0)
	if d < time.Minute-time.Second/2 {
		d = d.Round(100 * time.Millisecond)
	} else {
		d = d.Round(time.Second)
	}
	return d.String()
}
