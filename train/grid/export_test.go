package grid

// SetWaitForEachRecord sets waitForEachRecord and returns its former value.
func SetWaitForEachRecord(wait bool) bool {
	old := waitForEachRecord
	waitForEachRecord = wait
	return old
}
