// Package tidycsv writes and reads the project's CSV tables: a header line,
// then one observation per row. Numbers are written in the shortest form that
// parses back to the same float64; non-finite values are spelled NaN, Inf and
// -Inf, which Go, Python (pandas, numpy) and R all read. Files are written
// atomically, and read errors name the file, line and column.
//
// A Schema declares the columns of a table of rows of one Go type once, and
// both writes and reads it; Number carries the same numbers into JSON
// summaries, where a number that does not exist is null.
package tidycsv
