// Package plotstest measures what a figure draws, for tests of its layout.
// Draw records a figure drawn at the standard size on a recording canvas;
// the Drawing lists every text with its box and every line and filled
// shape, in canvas coordinates. From it, Legend finds the box of a legend
// by the texts of its entries, Covered lists the marks of the data inside
// a box, XLabels and YLabels return the tick labels of the axes, and
// Crosses the cross markers. CheckLegend and CheckAxes do the common
// checks in one call; BlogLRs and BlogTestMSE give data shaped as the
// blog's sweep to draw.
//
// Nothing here asks the figure where it meant to put things: the boxes
// are those of what was drawn, measured with the fonts' metrics, so a test
// built on them fails when a legend is drawn over data, whatever code put
// it there.
package plotstest
