// Package docs holds the project's documentation pages beside README.md:
// one page per topic, each with its figures (figures/) and the commands that
// measured its numbers. It has no code; its test checks that every link of
// the pages and of README.md and BENCHMARKS.md leads somewhere.
package docs
