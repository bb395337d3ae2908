package main

import (
	"context"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/tagging"
)

// releaseMigrations analyses the Drizzle migrations of a release for its
// notes: from the previous version (--previous, else the highest version
// tag below) to the release's tag, in --repo-dir.
func releaseMigrations(opts *releaseOptions, ev tagging.Event) func(context.Context) (*migrations.Report, error) {
	if ev.Kind != tagging.EventRelease {
		return nil
	}
	var mo []migrations.Option
	if opts.migrationsDir != "" {
		mo = append(mo, migrations.WithDir(opts.migrationsDir))
	}
	version := releaseTag(ev)
	return func(ctx context.Context) (*migrations.Report, error) {
		return analyzeMigrations(ctx, opts.repoDir, opts.previous, version, mo...)
	}
}

// analyzeMigrations is migrations.Analyze returning a pointer, as the
// notes take it.
func analyzeMigrations(ctx context.Context, repoDir, previous, version string, opts ...migrations.Option) (*migrations.Report, error) {
	rep, err := migrations.Analyze(ctx, repoDir, previous, version, opts...)
	if err != nil {
		return nil, err
	}
	return &rep, nil
}
