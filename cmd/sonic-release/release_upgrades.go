package main

import (
	"context"
	"log/slog"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/tagging"
)

// releaseUpgrades makes the upgrade and rollback table of a release for its
// notes, whenever its migrations are analysed (releaseMigrations).
func releaseUpgrades(opts *releaseOptions, ev tagging.Event) func(context.Context) (*migrations.Upgrades, error) {
	if ev.Kind != tagging.EventRelease {
		return nil
	}
	version := releaseTag(ev)
	return func(ctx context.Context) (*migrations.Upgrades, error) {
		return upgradeTable(ctx, opts.repoDir, version, opts.migrationsDir, nil)
	}
}

// upgradeTable is migrations.AnalyzeUpgrades for the version tag, in the
// migrations folder dir (empty: drizzle.config's).
func upgradeTable(ctx context.Context, repoDir, version, dir string, log *slog.Logger) (*migrations.Upgrades, error) {
	var mo []migrations.Option
	if dir != "" {
		mo = append(mo, migrations.WithDir(dir))
	}
	if log != nil {
		mo = append(mo, migrations.WithLogger(log))
	}
	u, err := migrations.AnalyzeUpgrades(ctx, repoDir, version, mo...)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// releaseTag is the git tag of a release as the repository spells it.
func releaseTag(ev tagging.Event) string {
	if ev.Tag != "" {
		return ev.Tag
	}
	return ev.Version.String()
}
