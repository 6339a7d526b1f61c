// Package random is the project's own seeded generators: normal draws, random
// signs (the probes of curvature estimates), and the permutations that order
// the examples of each epoch of minibatch SGD. Every run derives its
// generators from its seed and a stream that says what the draws are for
// (data, initialization, label noise, batch order, curvature probes), so the
// draws of one purpose never depend on how many another purpose made, and
// runs executed in parallel draw exactly what they would draw one after
// another.
package random
