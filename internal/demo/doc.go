// Package demo makes the fixtures of `sonic-release demo`: a small
// multi-platform image and a throwaway git repository of the application
// with Drizzle migrations, releases and a backport. The demo then runs the
// real pipeline (the same packages as a real release) against them.
package demo
