package migrations

import (
	"context"
	"slices"
)

// Analyzer runs Analyze and AnalyzeUpgrades with fixed options, in the
// shapes the pipeline takes (pipeline.AnalyzeFunc and
// pipeline.UpgradesFunc: report types only), so that the pipeline and the
// notes never link the PostgreSQL parser; a caller that wants the analysis
// passes the methods in.
type Analyzer struct {
	// Options apply to every analysis: WithDir, WithGit, WithLogger.
	Options []Option
}

// Analyze is Analyze over from..to with the Analyzer's options. The range
// is chosen by the caller: an empty from means that to is the first
// release (WithNoPrevious), not "find the previous version".
func (a Analyzer) Analyze(ctx context.Context, repoDir, from, to string) (Report, error) {
	opts := slices.Clip(a.Options)
	if from == "" {
		opts = append(opts, WithNoPrevious())
	}
	return Analyze(ctx, repoDir, from, to, opts...)
}

// Upgrades is AnalyzeUpgrades of the version tag to, reading the
// migrations folder dir (the report's, so the table and the report agree;
// empty: the Analyzer's options decide).
func (a Analyzer) Upgrades(ctx context.Context, repoDir, to, dir string) (Upgrades, error) {
	opts := slices.Clip(a.Options)
	if dir != "" {
		opts = append(opts, WithDir(dir))
	}
	return AnalyzeUpgrades(ctx, repoDir, to, opts...)
}
