// Package migrations finds the Drizzle migrations added between two git refs
// and classifies every statement with the real PostgreSQL parser
// (pg_query_go), judging whether the previous release can still run against
// the migrated database.
//
// Analyze is the whole job over a git repository: it rebuilds the schema the
// "from" ref had by replaying its migrations, then classifies the new ones in
// Drizzle's order and reports shipped migrations that were edited or deleted
// and journal mismatches. ClassifyFile is the pure part, one file's content
// against a Schema, with no git: it is what the fuzz test and the benchmark
// drive.
//
// SQL is never matched with regular expressions: files are split on
// Drizzle's "--> statement-breakpoint" as Drizzle does, then by the
// parser; comments and strings are tokens of PostgreSQL's own scanner.
package migrations
