// Package migrations finds the Drizzle migrations added between two git refs
// and classifies every statement with the real PostgreSQL parser, judging
// whether the previous release can still run against the migrated database.
package migrations
