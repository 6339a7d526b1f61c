// Package random is the project's own seeded generator of normal draws. Every
// run derives its generators from its seed and a stream that says what the
// draws are for (data, initialization, label noise), so the draws of one
// purpose never depend on how many another purpose made, and runs executed in
// parallel draw exactly what they would draw one after another.
package random
