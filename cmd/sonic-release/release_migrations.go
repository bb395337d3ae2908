package main

import (
	"context"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/tagging"
)

// releaseMigrations is the migration analysis of a release's notes; nil
// until the migrations package provides Analyze.
func releaseMigrations(opts *releaseOptions, ev tagging.Event) func(context.Context) (*migrations.Report, error) {
	return nil
}
