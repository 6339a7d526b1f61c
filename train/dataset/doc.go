// Package dataset holds the regression data of the experiments and their CSV
// formats.
//
// Generate draws the blog's task: inputs x ~ N(0, I_d), target y = x0², the
// first n rows for training and the next n for testing. A data set is written
// and read as CSV with a header x0,…,x{d-1},y,split, where split is train or
// test; when a file has no split column, the first n rows are the training set
// and the rest the test set. ReadMatrix reads a headerless numeric matrix, the
// format of an initial first-layer matrix.
//
// Numbers are written in the shortest form that reads back to the same
// float64, so a data set survives a round trip through a file bit for bit.
package dataset
