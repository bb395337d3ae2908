package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/migrations"
)

type demoOptions struct {
	dir string
}

func newCmdDemo(a *app) *cobra.Command {
	opts := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a whole release pipeline offline, on this machine, and narrate it",
		Long: `Run the real release pipeline against an embedded registry and a throwaway git
repository, with no network and no credentials: it builds a small multi-platform
image per release, creates a repository of the application with Drizzle
migrations (one of them breaking), two releases, a third, a backport and a push to
master, generates a cosign key, then plans, tags, signs, verifies and writes the
release notes exactly as "sonic-release release" does in GitHub Actions. It also
shows a re-run writing nothing and a conflicting build being refused.

The repository, the key pair and the notes of v1.2.0 stay in --dir.`,
		Example: `  go run ./cmd/sonic-release demo
  sonic-release demo --dir /tmp/sonic-demo`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := opts.dir
			if dir == "" {
				d, err := os.MkdirTemp("", "sonic-release-demo-")
				if err != nil {
					return err
				}
				dir = d
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			_, err := demo.Run(cmd.Context(), demo.Config{Dir: dir, Out: a.io.Out, Migrations: migrations.Analyzer{}.Analyze, Upgrades: migrations.Analyzer{}.Upgrades})
			return err
		},
	}
	cmd.Flags().StringVar(&opts.dir, "dir", "", "where to keep the demo's repository, keys and notes (default: a new temporary directory)")
	return cmd
}
