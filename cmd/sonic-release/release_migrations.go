package main

import (
	"github.com/sonicsaas/sonic-release/migrations"
)

// migrationAnalyzer is the notes' migration analysis: --migrations-dir
// when given, the command's logger.
func migrationAnalyzer(dir string, a *app) migrations.Analyzer {
	opts := []migrations.Option{migrations.WithLogger(a.log)}
	if dir != "" {
		opts = append(opts, migrations.WithDir(dir))
	}
	return migrations.Analyzer{Options: opts}
}
