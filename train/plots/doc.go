// Package plots draws the project's standard figures with gonum/plot: the
// data set, test error against learning rate, and loss curves along
// training. Each function returns a *plot.Plot that a caller can restyle;
// Encode turns one into PNG, SVG or PDF bytes and Save writes the files an
// experiment leaves in its output folder.
//
// Values that a log axis cannot show (NaN, ±Inf, zero or negative, as a
// diverged run leaves) are never passed to gonum/plot: the sweep figure draws
// diverged runs as markers along the top edge, and curves drop such points.
package plots
