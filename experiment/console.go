package experiment

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
)

// ConsoleRows bounds the rows of a series printed for a terminal: the
// commands that record a series along a run (flow, sharpness) print at most
// this many of its rows, evenly spaced, the first and the last among them,
// and say in which file all of them are.
const ConsoleRows = 11

// WriteSeries prints the header and the rows of a series of n rows — row(i)
// is row i, its cells separated by tabs — as an aligned table of at most
// ConsoleRows rows, and a line naming the file that holds every row when
// some were left out.
func WriteSeries(w io.Writer, header string, n int, row func(i int) string, file string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, i := range Sampled(n, ConsoleRows) {
		fmt.Fprintln(tw, row(i))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n > ConsoleRows {
		_, err := fmt.Fprintf(w, "(%d of %d rows; all of them in %s)\n", ConsoleRows, n, file)
		return err
	}
	return nil
}

// FormatNumber formats v for a console table as format does ("%.4g"), or
// as "—" when it does not exist (NaN).
func FormatNumber(v Number, format string) string {
	if math.IsNaN(float64(v)) {
		return "—"
	}
	return fmt.Sprintf(format, float64(v))
}

// Sampled returns at most k indices of 0…n−1, evenly spaced, 0 and n−1
// among them.
func Sampled(n, k int) []int {
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, k)
	for j := range out {
		out[j] = int(float64(j)*float64(n-1)/float64(k-1) + 0.5)
	}
	return out
}
