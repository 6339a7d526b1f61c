// Package archtest holds architectures defined for tests: models outside
// package graph, so that the code under test can only take its generic
// paths on them (no closed forms, no special cases).
package archtest
