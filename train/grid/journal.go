package grid

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/igr-project/igr/internal/filelock"
	"github.com/igr-project/igr/train"
)

// Errors of OpenJournal, returned wrapped.
var (
	// ErrOtherGrid: the journal belongs to another grid (another kind or
	// configuration), or holds a cell the plan does not.
	ErrOtherGrid = errors.New("grid: the journal belongs to another grid")
	// ErrCorrupt: a record before the last one is damaged.
	ErrCorrupt = errors.New("grid: corrupt journal")
	// ErrFormat: the file is not a journal, or one written with other
	// record fields (by another version of the program).
	ErrFormat = errors.New("grid: not a journal of this format")
	// ErrInUse: another process has the journal open.
	ErrInUse = errors.New("grid: journal in use by another process")
)

// DefaultJournalName is the journal's file name in an output folder.
const DefaultJournalName = "grid.journal"

// The journal's file format. A journal is append-only:
//
//	magic   8 bytes "igrjrnl\n"
//	header  a record: 'H', the format version (uvarint), then the kind,
//	        the fingerprint and the schema of cell records (strings)
//	cells   one record per finished run: 'C', the cell index (uvarint),
//	        then the result's fields as schemaOf describes them
//
// and every record is framed as
//
//	length  uint32, little-endian: the payload's length in bytes
//	check   uint32: CRC-32C of the 4 length bytes
//	sum     uint32: CRC-32C of the payload
//	payload
//
// Strings and counts are uvarints (a count is stored plus one, zero meaning
// a nil slice) followed by their bytes or elements, integers zig-zag
// varints, floats the 8 little-endian bytes of their IEEE 754 bits.
//
// Records are written whole, each with the records queued with it in one
// write at the end of the file, and synced, one write and sync after the
// other. A write waits until SyncInterval has passed since the last sync,
// unless someone waits for its records (Append, Close, the end of
// Plan.RunWith). A kill can leave only the last record torn (a prefix of it, maybe followed by zeros a file system
// extended the file with): OpenJournal drops a last record that is torn or
// damaged and truncates the file there. A damaged record followed by an
// intact one is ErrCorrupt. The magic and header of a new journal are
// synced with its first records.
const (
	// SyncInterval is the least time between two writes and syncs of the
	// journal while nobody waits for them: the records of runs that end
	// meanwhile go to disk together. A sync holds one of the process's
	// threads for its duration (0.2–2 ms on a virtual disk), so syncing
	// the record of every run as it ends costs a grid of short runs
	// several percent; grouped, a kill loses at most the runs that ended
	// within this time besides those under way.
	SyncInterval = 100 * time.Millisecond

	journalMagic   = "igrjrnl\n"
	journalVersion = 1
	frameSize      = 12
	maxRecord      = 1 << 30
	headerRecord   = 'H'
	cellRecord     = 'C'
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Journal is the append-only record of the finished runs of a grid (one
// shard of it) on disk. It is safe for concurrent use.
type Journal struct {
	path              string
	kind, fingerprint string
	file              *os.File

	mu      sync.Mutex
	results map[int]*train.Result
	// Records are numbered in the order they are queued. They wait in
	// pending (their cells in pendingCells) until SyncInterval has passed
	// since the last sync, or someone waits for them (flush), and go to
	// disk together, with one write and one sync: group commit.
	pending        []byte
	pendingCells   []int
	spare          []byte
	queued, synced int64 // numbers of the last record queued, and on disk
	writing        bool  // a goroutine is writing pending
	flush          bool  // someone waits: write pending without waiting for SyncInterval
	wake           chan struct{}
	lastSync       time.Time
	syncs          int   // writes and syncs of records so far
	written        int64 // bytes of the file that hold whole records
	err            error // sticky: after a failed write nothing more is appended
	created        bool  // the file is new: its directory is synced with the first records
	commitDone     *sync.Cond
	closed         bool
}

// OpenJournal opens the journal at path of the grid named by kind and
// fingerprint, creating it if there is none. A journal of another kind or
// fingerprint is refused with ErrOtherGrid. A torn or damaged last record is
// dropped and cut off the file; damage before it is ErrCorrupt. The journal
// is locked against other processes (ErrInUse) until Close.
func OpenJournal(path, kind, fingerprint string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("grid: journal: %w", err)
	}
	if err := filelock.Lock(f); err != nil {
		f.Close()
		if errors.Is(err, filelock.ErrLocked) {
			return nil, fmt.Errorf("%w: %s", ErrInUse, path)
		}
		return nil, fmt.Errorf("grid: journal %s: %w", path, err)
	}
	j := &Journal{path: path, kind: kind, fingerprint: fingerprint, file: f, results: map[int]*train.Result{}}
	j.commitDone, j.wake = sync.NewCond(&j.mu), make(chan struct{}, 1)
	if err := j.load(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// load reads the journal's file, cuts a torn last record off it, and writes
// the header of a new journal.
func (j *Journal) load() error {
	data, err := os.ReadFile(j.path)
	if err != nil {
		return fmt.Errorf("grid: journal: %w", err)
	}
	n := min(len(data), len(journalMagic))
	if string(data[:n]) != journalMagic[:n] {
		return fmt.Errorf("%w: %s is not a grid journal", ErrFormat, j.path)
	}
	records, end, err := readRecords(data, len(journalMagic))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, j.path, err)
	}
	if len(records) == 0 {
		// A new journal, or one whose creation was cut short: nothing
		// else is in it.
		return j.create(len(data))
	}
	if err := j.checkHeader(records[0]); err != nil {
		return err
	}
	for _, rec := range records[1:] {
		cell, r, err := decodeCell(rec.payload)
		if err != nil {
			return fmt.Errorf("%w: %s: record at byte %d: %w", ErrCorrupt, j.path, rec.offset, err)
		}
		if _, dup := j.results[cell]; dup {
			return fmt.Errorf("%w: %s: cell %d recorded twice", ErrCorrupt, j.path, cell)
		}
		j.results[cell] = r
	}
	if end < len(data) {
		if err := j.truncate(int64(end)); err != nil {
			return err
		}
	}
	j.written = int64(end)
	return nil
}

// create writes the magic and the header to a file that holds no record.
// They go to disk with the first records: until then a kill leaves a
// journal without cells, whatever it leaves of the header.
func (j *Journal) create(size int) error {
	b := []byte(journalMagic)
	b = appendFrame(b, j.headerPayload())
	if _, err := j.file.WriteAt(b, 0); err != nil {
		return fmt.Errorf("grid: journal: %w", err)
	}
	if size > len(b) {
		if err := j.truncate(int64(len(b))); err != nil {
			return err
		}
	}
	j.written = int64(len(b))
	j.created = true
	return nil
}

// truncate cuts the file at size. It is not synced: the next records' sync
// takes the new size with them, and until then a crash leaves at most the
// torn tail that the next open cuts again.
func (j *Journal) truncate(size int64) error {
	if err := j.file.Truncate(size); err != nil {
		return fmt.Errorf("grid: journal: %w", err)
	}
	return nil
}

func (j *Journal) headerPayload() []byte {
	c := &coder{mode: encoding, buf: []byte{headerRecord}}
	c.buf = binary.AppendUvarint(c.buf, journalVersion)
	kind, fp, schema := j.kind, j.fingerprint, schemaOf()
	c.string("", &kind)
	c.string("", &fp)
	c.string("", &schema)
	return c.buf
}

// checkHeader checks the journal's header record against j's grid.
func (j *Journal) checkHeader(rec record) error {
	p := rec.payload
	if p[0] != headerRecord {
		return fmt.Errorf("%w: %s has no header", ErrFormat, j.path)
	}
	version, k := binary.Uvarint(p[1:])
	if k <= 0 || version != journalVersion {
		return fmt.Errorf("%w: %s is a journal of format version %d, this is %d", ErrFormat, j.path, version, journalVersion)
	}
	c := &coder{mode: decoding, buf: p[1+k:]}
	var kind, fp, schema string
	c.string("", &kind)
	c.string("", &fp)
	c.string("", &schema)
	switch {
	case c.err != nil || len(c.buf) > 0:
		return fmt.Errorf("%w: %s: malformed header", ErrCorrupt, j.path)
	case schema != schemaOf():
		return fmt.Errorf("%w: %s holds records with other fields (%s)", ErrFormat, j.path, schema)
	case kind != j.kind || fp != j.fingerprint:
		return fmt.Errorf("%w: %s is the journal of %q with fingerprint %q, not of %q with fingerprint %q",
			ErrOtherGrid, j.path, kind, fp, j.kind, j.fingerprint)
	}
	return nil
}

// record is a record's payload and the offset of its frame in the file.
type record struct {
	offset  int
	payload []byte
}

// readRecords reads the records of data from offset on. end is where the
// intact records stop. What follows them is the last record, torn (a prefix
// of it, maybe followed by zeros) or damaged, unless an intact record can be
// found after it: then a record before the last is damaged, an error.
func readRecords(data []byte, offset int) (records []record, end int, err error) {
	o := offset
	for o < len(data) {
		payload, ok := recordAt(data, o)
		if !ok {
			for k := o + 1; k+frameSize < len(data); k++ {
				if _, ok := recordAt(data, k); ok {
					return nil, 0, fmt.Errorf("the record at byte %d is damaged, and an intact one follows at byte %d", o, k)
				}
			}
			break
		}
		records = append(records, record{offset: o, payload: payload})
		o += frameSize + len(payload)
	}
	return records, o, nil
}

// recordAt returns the payload of the record that begins at data[o:], and
// whether it is whole and intact.
func recordAt(data []byte, o int) ([]byte, bool) {
	rest := data[o:]
	if len(rest) < frameSize {
		return nil, false
	}
	length := binary.LittleEndian.Uint32(rest)
	if length == 0 || length > maxRecord || int64(len(rest)) < frameSize+int64(length) ||
		crc32.Checksum(rest[:4], castagnoli) != binary.LittleEndian.Uint32(rest[4:]) {
		return nil, false
	}
	payload := rest[frameSize : frameSize+length]
	return payload, crc32.Checksum(payload, castagnoli) == binary.LittleEndian.Uint32(rest[8:])
}

// appendFrame appends the framed payload to b.
func appendFrame(b, payload []byte) []byte {
	var lenBytes [4]byte
	binary.LittleEndian.PutUint32(lenBytes[:], uint32(len(payload)))
	b = append(b, lenBytes[:]...)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(lenBytes[:], castagnoli))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(payload, castagnoli))
	return append(b, payload...)
}

// decodeCell decodes a cell record's payload.
func decodeCell(p []byte) (int, *train.Result, error) {
	if p[0] != cellRecord {
		return 0, nil, fmt.Errorf("record of type %q", p[0])
	}
	cell, k := binary.Uvarint(p[1:])
	if k <= 0 || cell > 1<<62 {
		return 0, nil, errors.New("malformed cell index")
	}
	r, err := decodeResult(p[1+k:])
	if err != nil {
		return 0, nil, err
	}
	return int(cell), r, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Kind is the kind of grid the journal is of, as OpenJournal was given it.
func (j *Journal) Kind() string { return j.kind }

// Fingerprint identifies the grid's configuration, as OpenJournal was given
// it.
func (j *Journal) Fingerprint() string { return j.fingerprint }

// Len is the number of cells the journal holds.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.results)
}

// Cells returns the indices of the cells the journal holds, in increasing
// order.
func (j *Journal) Cells() []int {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]int, 0, len(j.results))
	for c := range j.results {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Result returns the result of a cell the journal holds: every field but
// Params (nil), as the run returned it. It is the journal's own: read it,
// do not modify it.
func (j *Journal) Result(cell int) (*train.Result, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.results[cell]
	return r, ok
}

// Append records the result of a finished run of a cell and returns once it
// is on disk, written and synced at once. Results of runs that were interrupted, and cells already
// recorded, are refused. Appends from several goroutines that come while
// one is being written go to disk together, with one write and one sync.
// After a failed write the journal refuses every Append; reopening it drops
// what the failure left.
func (j *Journal) Append(cell int, r *train.Result) error {
	seq, err := j.enqueue(cell, r)
	if err != nil {
		return err
	}
	return j.waitSynced(seq)
}

// enqueue queues the record of a cell's result for the next write, within
// SyncInterval, and returns its number in the order of writing;
// waitSynced(number) has it written at once and waits until it is on disk.
func (j *Journal) enqueue(cell int, r *train.Result) (int64, error) {
	if r == nil || r.Status == train.Interrupted || r.Status == "" {
		return 0, fmt.Errorf("grid: journal: cell %d: only finished runs are recorded", cell)
	}
	if cell < 0 {
		return 0, fmt.Errorf("grid: journal: cell %d: negative index", cell)
	}
	payload := binary.AppendUvarint([]byte{cellRecord}, uint64(cell))
	payload = encodeResult(payload, r)
	if len(payload) > maxRecord {
		return 0, fmt.Errorf("grid: journal: cell %d: a record of %d bytes is too large", cell, len(payload))
	}
	kept := *r
	kept.Params = nil

	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.closed:
		return 0, fmt.Errorf("grid: journal %s is closed", j.path)
	case j.err != nil:
		return 0, j.err
	}
	if _, dup := j.results[cell]; dup {
		return 0, fmt.Errorf("grid: journal: cell %d is already recorded", cell)
	}
	j.results[cell] = &kept
	j.pending = appendFrame(j.pending, payload)
	j.pendingCells = append(j.pendingCells, cell)
	j.queued++
	if !j.writing {
		j.writing = true
		go j.writePending()
	}
	return j.queued, nil
}

// waitSynced has the records up to number seq written and synced without
// waiting for SyncInterval, waits until they are on disk, and returns the
// error of a write that failed.
func (j *Journal) waitSynced(seq int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.synced < seq && j.err == nil {
		j.flushNow()
	}
	for j.synced < seq && j.err == nil {
		j.commitDone.Wait()
	}
	return j.err
}

// flushNow has the writer write the pending records without waiting for
// SyncInterval. j.mu is held.
func (j *Journal) flushNow() {
	j.flush = true
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// writePending writes and syncs the pending records, and those queued
// meanwhile, until none is left: one write and one sync for all the records
// queued since the last, SyncInterval after it unless flushed.
func (j *Journal) writePending() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(j.pending) > 0 && j.err == nil {
		if wait := SyncInterval - time.Since(j.lastSync); wait > 0 && !j.flush {
			j.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-j.wake:
				t.Stop()
			}
			j.mu.Lock()
			continue
		}
		j.flush = false
		batch, cells, upto, at := j.pending, j.pendingCells, j.queued, j.written
		j.pending, j.pendingCells = j.spare[:0], nil
		j.mu.Unlock()
		_, err := j.file.WriteAt(batch, at)
		if err == nil {
			err = j.file.Sync()
		}
		if err == nil && j.created {
			// The new file's name, with the first records.
			filelock.SyncDir(filepath.Dir(j.path))
			j.created = false
		}
		j.mu.Lock()
		j.lastSync = time.Now()
		j.syncs++
		if err != nil {
			j.err = fmt.Errorf("grid: journal %s: %w", j.path, err)
			// Cut off what the failed write may have left, so that a
			// later open finds the records before it intact, and forget
			// the cells that are not on disk.
			j.file.Truncate(at)
			for _, c := range append(cells, j.pendingCells...) {
				delete(j.results, c)
			}
		} else {
			j.synced, j.written = upto, at+int64(len(batch))
		}
		j.spare = batch
		j.commitDone.Broadcast()
	}
	j.writing, j.flush = false, false
	j.commitDone.Broadcast()
}

// Close writes and syncs the records queued, without waiting for
// SyncInterval, and closes the file, releasing the lock.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.writing {
		j.flushNow()
	}
	for j.writing {
		j.commitDone.Wait()
	}
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	if err := j.file.Close(); err != nil {
		return fmt.Errorf("grid: journal: %w", err)
	}
	return nil
}
