// Package report holds the types of a migration analysis: the verdict on
// each statement (Finding), each migration (Migration) and the whole range
// (Report). It imports no cgo package, so that the notes, the pipeline and
// a Go user of the library can read and write reports without a C
// toolchain; the analysis itself (package migrations) links the
// PostgreSQL parser.
package report
