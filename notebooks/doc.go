// Package notebooks holds the gonb notebooks (Jupyter notebooks in Go) that
// read the CSVs igr exports, and the test that runs them.
//
//	01-reproduce.ipynb             the output of igr reproduce
//	02-implicit-vs-explicit.ipynb  the output of igr compare and igr compare -sweep
//	03-new-architecture.ipynb      a ReLU network defined in the notebook, trained by package train
//	04-maps.ipynb                  the output of igr map (or of igr merge over its shards), and a map made by experiment.Map
//	05-curvature.ipynb             the output of igr spectrum and of a run tracked with -track-sharpness: the spectrum, the sharpness along the run, its regime
//
// The test turns each notebook into a Go program the way gonb does — the
// declarations of every cell kept, each "%%" cell's body run in order in
// main, shell ("!") and other kernel ("%") lines skipped, since they only
// configure the kernel's module — builds it against this working tree with a
// stand-in for gonb's gonbui package, and runs it on the outputs of short
// runs of reproduce, compare, map, train with -track-sharpness and spectrum.
// A notebook that stops compiling against the library fails the test.
package notebooks
