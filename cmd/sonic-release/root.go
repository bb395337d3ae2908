package main

import (
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

func newRootCmd(a *app) *cobra.Command {
	var logLevel, logFormat string
	cmd := &cobra.Command{
		Use:   "sonic-release",
		Short: "Tag, sign and document container image releases",
		Long: `sonic-release is the release pipeline of an application shipped as a container
image: it computes the image tags of a release or a push, puts them on the
built image in every registry, signs it with cosign and writes the release notes.

Exit codes: 0 ok, 1 failure, 2 bad input, 3 refused by policy.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return flagErrorf("--log-level %q: expected debug, info, warn or error", logLevel)
			}
			opts := &slog.HandlerOptions{Level: level}
			switch strings.ToLower(logFormat) {
			case "text":
				a.log = slog.New(slog.NewTextHandler(a.io.Err, opts))
			case "json":
				a.log = slog.New(slog.NewJSONHandler(a.io.Err, opts))
			default:
				return flagErrorf("--log-format %q: expected text or json", logFormat)
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })
	cmd.PersistentFlags().StringVar(&logLevel, "log-level", "warn", "log level: debug, info, warn or error (logs go to stderr)")
	cmd.PersistentFlags().StringVar(&logFormat, "log-format", "text", "log format: text or json")
	cmd.AddCommand(newCmdTags(a))
	cmd.AddCommand(newCmdRelease(a))
	cmd.AddCommand(newCmdNotes(a))
	cmd.AddCommand(newCmdSign(a))
	cmd.AddCommand(newCmdVerify(a))
	cmd.AddCommand(newCmdDemo(a))
	cmd.AddCommand(newCmdMigrations(a))
	cmd.AddCommand(newCmdYank(a), newCmdUnyank(a))
	cmd.AddCommand(newCmdAttest(a))
	cmd.AddCommand(newCmdPrune(a))
	return cmd
}

// outputFormat validates an -o value against the formats a command offers.
func outputFormat(value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return flagErrorf("-o %q: expected %s", value, strings.Join(allowed, " or "))
}

// noArgs rejects positional arguments with a usage error (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return flagErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}
