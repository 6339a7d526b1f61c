package grid_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

func openJournal(t *testing.T, path, kind, fingerprint string) *grid.Journal {
	t.Helper()
	j, err := grid.OpenJournal(path, kind, fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// checkHolds fails unless j holds exactly the results of want, bit for bit
// but for Params.
func checkHolds(t *testing.T, j *grid.Journal, want map[int]*train.Result) {
	t.Helper()
	if j.Len() != len(want) {
		t.Errorf("the journal holds cells %v, want %d", j.Cells(), len(want))
	}
	for cell, w := range want {
		got, ok := j.Result(cell)
		if !ok {
			t.Errorf("cell %d is missing", cell)
			continue
		}
		if g, w := bitsOf(t, reflect.ValueOf(got), "Params"), bitsOf(t, reflect.ValueOf(w), "Params"); g != w {
			t.Errorf("cell %d came back different: %s", cell, firstDifference(g, w))
		}
	}
}

// TestJournalKeepsEveryField appends results whose every field (Params
// excepted) is set at random, by reflection over train.Result, train.Point
// and train.Term, and reads them back bit for bit: a field added to those
// types that the journal does not carry fails here.
func TestJournalKeepsEveryField(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	path := filepath.Join(t.TempDir(), grid.DefaultJournalName)
	j := openJournal(t, path, "map", "fp")
	want := map[int]*train.Result{}
	for cell := range 40 {
		want[cell*7] = randomResult(t, rng)
		if err := j.Append(cell*7, want[cell*7]); err != nil {
			t.Fatal(err)
		}
	}
	checkHolds(t, j, want) // as kept in memory
	j.Close()
	j = openJournal(t, path, "map", "fp")
	checkHolds(t, j, want) // as read from disk
	if got := j.Cells(); len(got) != 40 || got[1] != 7 || got[39] != 273 {
		t.Errorf("cells %v", got)
	}
	// The fill helper must not leave a field at zero, else a missing field
	// could go unnoticed.
	r := randomResult(t, rng)
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		zero := f.IsZero() && !(f.Kind() == reflect.Float64 && math.Signbit(f.Float())) // −0 is a value of its own
		if name := v.Type().Field(i).Name; name != "Params" && zero {
			t.Errorf("the random result leaves %s at zero", name)
		}
	}
}

func TestJournalRefusesWhatIsNotAFinishedRun(t *testing.T) {
	j := openJournal(t, filepath.Join(t.TempDir(), "j"), "sweep", "fp")
	if err := j.Append(3, &train.Result{Status: train.Converged}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		cell int
		r    *train.Result
	}{
		"twice":       {3, &train.Result{Status: train.Converged}},
		"interrupted": {4, &train.Result{Status: train.Interrupted}},
		"no status":   {4, &train.Result{}},
		"negative":    {-1, &train.Result{Status: train.Converged}},
	} {
		if err := j.Append(tc.cell, tc.r); err == nil || !strings.HasPrefix(err.Error(), "grid: ") {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if j.Len() != 1 {
		t.Errorf("the journal holds %v", j.Cells())
	}
}

// journalOfThree writes a journal of three cells and returns its path, the
// results, and the offset at which the last record begins.
func journalOfThree(t *testing.T) (path string, want map[int]*train.Result, last int64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(2, 0))
	path = filepath.Join(t.TempDir(), "j")
	j := openJournal(t, path, "map", "fp")
	want = map[int]*train.Result{}
	for _, cell := range []int{5, 0, 2} {
		if cell == 2 {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			last = st.Size()
		}
		want[cell] = randomResult(t, rng)
		if err := j.Append(cell, want[cell]); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	return path, want, last
}

// TestTornLastRecord cuts the journal at every byte inside its last record,
// and also follows the cut with the zeros a file system may extend a file
// with, or damages one byte of the last record: each reads back as the
// journal without that record, is cut back to the records before it, and
// takes appends afterwards.
func TestTornLastRecord(t *testing.T) {
	path, want, last := journalOfThree(t)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before := map[int]*train.Result{5: want[5], 0: want[0]}
	dir := t.TempDir()
	variants := map[string][]byte{}
	for cut := last; cut < int64(len(whole)); cut++ {
		variants["cut at "+itoa(cut)] = whole[:cut]
	}
	for _, cut := range []int64{last, last + 5, last + 20, int64(len(whole)) - 1} {
		variants["cut at "+itoa(cut)+" then zeros"] = append(append([]byte(nil), whole[:cut]...), make([]byte, 4096)...)
	}
	for _, at := range []int64{last, last + 4, last + 8, last + 12, int64(len(whole)) - 1} {
		b := append([]byte(nil), whole...)
		b[at] ^= 0x10
		variants["byte "+itoa(at)+" damaged"] = b
	}
	i := 0
	for name, b := range variants {
		i++
		p := filepath.Join(dir, "j"+itoa(int64(i)))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		j, err := grid.OpenJournal(p, "map", "fp")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checkHolds(t, j, before)
		if st, err := os.Stat(p); err != nil || st.Size() != last {
			t.Errorf("%s: the file was not cut back to the %d bytes of the records before (%v)", name, last, err)
		}
		if err := j.Append(2, want[2]); err != nil {
			t.Errorf("%s: appending: %v", name, err)
		}
		j.Close()
		j, err = grid.OpenJournal(p, "map", "fp")
		if err != nil {
			t.Errorf("%s: after appending: %v", name, err)
			continue
		}
		checkHolds(t, j, want)
		j.Close()
	}
}

// TestDamagedRecordBeforeTheLast: damage anywhere before the last record,
// in a frame or a payload, is an error, and the file is left alone.
func TestDamagedRecordBeforeTheLast(t *testing.T) {
	path, _, last := journalOfThree(t)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Byte 8 is the header's frame, 20 its payload; the middle record ends
	// where the last begins.
	for _, at := range []int64{8, 12, 20, last / 2, last - 30, last - 1} {
		b := append([]byte(nil), whole...)
		b[at] ^= 0x01
		p := filepath.Join(t.TempDir(), "j")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := grid.OpenJournal(p, "map", "fp")
		if !errors.Is(err, grid.ErrCorrupt) || !strings.HasPrefix(err.Error(), "grid: ") {
			t.Errorf("byte %d damaged: error %v, want ErrCorrupt", at, err)
		}
		if after, _ := os.ReadFile(p); string(after) != string(b) {
			t.Errorf("byte %d damaged: the file was changed", at)
		}
	}
	// A file that is not a journal at all.
	p := filepath.Join(t.TempDir(), "map.csv")
	os.WriteFile(p, []byte("lr,seed,status\n0.1,0,converged\n"), 0o644)
	if _, err := grid.OpenJournal(p, "map", "fp"); !errors.Is(err, grid.ErrFormat) {
		t.Errorf("a CSV file: error %v, want ErrFormat", err)
	}
}

// TestJournalOfAnotherGrid: a journal of another kind or fingerprint is
// refused, and left as it was.
func TestJournalOfAnotherGrid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	j := openJournal(t, path, "map", "a1")
	if err := j.Append(1, &train.Result{Status: train.Diverged}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	for _, other := range [][2]string{{"map", "a2"}, {"sweep", "a1"}, {"", ""}} {
		_, err := grid.OpenJournal(path, other[0], other[1])
		if !errors.Is(err, grid.ErrOtherGrid) || !strings.HasPrefix(err.Error(), "grid: ") || !strings.Contains(err.Error(), path) {
			t.Errorf("opening as %q %q: error %v, want ErrOtherGrid", other[0], other[1], err)
		}
	}
	j = openJournal(t, path, "map", "a1")
	if r, ok := j.Result(1); !ok || r.Status != train.Diverged {
		t.Errorf("the journal lost its record: %v %v", r, ok)
	}
}

func TestJournalIsLocked(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no advisory locks")
	}
	path := filepath.Join(t.TempDir(), "j")
	j := openJournal(t, path, "map", "a")
	if _, err := grid.OpenJournal(path, "map", "a"); !errors.Is(err, grid.ErrInUse) {
		t.Errorf("second open: error %v, want ErrInUse", err)
	}
	j.Close()
	openJournal(t, path, "map", "a")
}

// TestConcurrentAppends: appends from many goroutines at once all reach the
// file, whole.
func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	j := openJournal(t, path, "map", "a")
	rng := rand.New(rand.NewPCG(3, 0))
	want := map[int]*train.Result{}
	for cell := range 64 {
		want[cell] = randomResult(t, rng)
	}
	var wg sync.WaitGroup
	for cell, r := range want {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Append(cell, r); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	j.Close()
	checkHolds(t, openJournal(t, path, "map", "a"), want)
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// firstDifference shows where two strings first differ.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-60)
	return "…" + got[from:min(len(got), i+40)] + "…, want …" + want[from:min(len(want), i+40)] + "…"
}

// TestTornHeader cuts a journal without records at every byte: what a kill
// during its creation may leave opens as a new, empty journal.
func TestTornHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	openJournal(t, path, "map", "fp").Close()
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for cut := range len(whole) {
		path := filepath.Join(dir, "j"+strconv.Itoa(cut))
		if err := os.WriteFile(path, whole[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		j, err := grid.OpenJournal(path, "map", "fp")
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if j.Len() != 0 {
			t.Errorf("cut at %d: cells %v", cut, j.Cells())
		}
		// Appending (a sync each) is checked at a few cuts.
		if cut%16 == 3 {
			if err := j.Append(1, &train.Result{Status: train.Converged}); err != nil {
				t.Fatalf("cut at %d: %v", cut, err)
			}
		}
		j.Close()
		if after, err := os.ReadFile(path); err != nil || !strings.HasPrefix(string(after), string(whole)) {
			t.Fatalf("cut at %d: the journal does not begin with the header again (%v)", cut, err)
		}
		if cut%16 == 3 {
			j, err = grid.OpenJournal(path, "map", "fp")
			if err != nil || j.Len() != 1 {
				t.Fatalf("cut at %d, then one record: %v, %v", cut, err, j)
			}
			j.Close()
		}
	}
}

// TestRecordsAreGroupedBySyncInterval trains the 16 runs of testPlan with a
// journal: their records go to disk in at most one write and sync per
// SyncInterval (and one for the first record and one at the end), and all of
// them are in the file when RunWith returns, before the journal is closed.
// Append, whose caller waits, is written at once: five Appends take far
// less than the two SyncIntervals they would wait for otherwise.
func TestRecordsAreGroupedBySyncInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	j := openJournal(t, path, "test", "")
	p := testPlan(t, grid.Shard{}, nil)
	start := time.Now()
	res, err := p.RunWith(context.Background(), &grid.RunSettings{Workers: 2, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if res.Computed != len(p.Cells) {
		t.Fatalf("%d runs computed, want %d", res.Computed, len(p.Cells))
	}
	if most := 2 + int(elapsed/grid.SyncInterval); j.Syncs() > most {
		t.Errorf("%d runs in %v took %d writes and syncs, want at most %d", len(p.Cells), elapsed, j.Syncs(), most)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Reading the file as it is, with the journal still open, as a kill
	// would leave it.
	copyPath := path + ".copy"
	if err := os.WriteFile(copyPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	again := openJournal(t, copyPath, "test", "")
	if again.Len() != len(p.Cells) {
		t.Errorf("the file holds %d records when RunWith returns, want %d", again.Len(), len(p.Cells))
	}

	appended := openJournal(t, filepath.Join(t.TempDir(), "j"), "test", "")
	r := &train.Result{Status: train.Converged, LearningRate: 0.01, Steps: 10}
	start = time.Now()
	for cell := range 5 {
		if err := appended.Append(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took >= 2*grid.SyncInterval {
		t.Errorf("five Appends took %v: they waited for the sync interval (%v)", took, grid.SyncInterval)
	}
	if appended.Syncs() != 5 {
		t.Errorf("five Appends made %d writes and syncs, want 5", appended.Syncs())
	}
}
