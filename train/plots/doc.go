// Package plots draws the project's standard figures with gonum/plot: the
// data set, test error against learning rate, loss curves along training
// and heat maps. Each function returns a *Plot (a *plot.Plot that lays
// itself out when drawn) or a *HeatMapFigure that a caller can restyle;
// Encode turns one into PNG, SVG or PDF bytes and Save writes the files an
// experiment leaves in its output folder.
//
// A Plot's legend never covers its data: when the plot is drawn it goes in
// the first corner of the data area that is free of lines, markers and
// filled areas, or, when none is, outside the data area. Linear axes are
// marked by LinearTicks, at a step that gives up to ten labels, and get a
// margin so that markers at the extremes are drawn whole; package
// plotstest measures a drawn figure so that tests can check all this.
//
// Values that a log axis cannot show (NaN, ±Inf, zero or negative, as a
// diverged run leaves) are never passed to gonum/plot: the sweep figure draws
// diverged runs as markers along the top edge, and curves drop such points.
package plots
