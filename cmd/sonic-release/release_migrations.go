package main

import (
	"github.com/sonicsaas/sonic-release/migrations"
)

// migrationOptions are the options of the notes' migration analysis:
// --migrations-dir when given.
func migrationOptions(dir string) []migrations.Option {
	if dir == "" {
		return nil
	}
	return []migrations.Option{migrations.WithDir(dir)}
}
