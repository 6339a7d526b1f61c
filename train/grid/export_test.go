package grid

// SetWaitForEachRecord sets waitForEachRecord and returns its former value.
func SetWaitForEachRecord(wait bool) bool {
	old := waitForEachRecord
	waitForEachRecord = wait
	return old
}

// Syncs returns how many writes and syncs of records j has made.
func (j *Journal) Syncs() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.syncs
}
