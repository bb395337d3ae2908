package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/redact"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
)

// Exit codes, the same for every command (docs/exit-codes.md).
const (
	exitOK       = 0 // done
	exitFailure  = 1 // something failed: network, registry, signing, …
	exitBadInput = 2 // the input cannot be used: flags, versions, payloads
	exitRefused  = 3 // refused by policy: a tag conflict, a failed verification
)

// ioStreams are the standard streams of a run, and whether stdout is a terminal.
type ioStreams struct {
	In       io.Reader
	Out      io.Writer
	Err      io.Writer
	OutIsTTY bool
}

func newSystemIO() ioStreams {
	tty := false
	if fi, err := os.Stdout.Stat(); err == nil {
		tty = fi.Mode()&os.ModeCharDevice != 0
	}
	return ioStreams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, OutIsTTY: tty}
}

// app holds what every command needs from the outside world. Commands read
// the environment only through getenv, so tests pass a map.
type app struct {
	io     ioStreams
	getenv func(string) string
	log    *slog.Logger
}

func (a *app) env() actions.Env { return actions.FromEnv(a.getenv) }

// run executes the CLI and returns the process exit code.
//
// Everything the run prints goes through actions.Writer: repository text on
// stdout or stderr (logs included) can never start a workflow command; the
// run's own annotations and groups go through actions.Command.
func run(ctx context.Context, args []string, streams ioStreams, getenv func(string) string) int {
	// Everything on stderr (errors, their annotations, warnings, logs) may
	// quote a server, and a server or a proxy may echo a credential: the
	// redactor sits under actions.Writer, so it sees whole lines, the
	// tool's own workflow commands included.
	out, errw := actions.NewWriter(streams.Out), actions.NewWriter(redactor(getenv).Writer(streams.Err))
	defer out.Flush()
	defer errw.Flush()
	streams.Out, streams.Err = out, errw
	a := &app{io: streams, getenv: getenv, log: slog.New(slog.DiscardHandler)}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if cmd == nil {
		cmd = root
	}
	if cmd == root && strings.HasPrefix(err.Error(), "unknown command ") {
		err = &flagError{err} // a usage error: exit 2, with the hint below
	}
	err = flagHint(err)
	code := exitCode(err)
	msg := err.Error()
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		msg = "cancelled before the end: every step is idempotent, so what was written is safe; run the same command again to complete it (" + msg + ")"
	}
	if code == exitBadInput && isFlagError(err) {
		// The command cobra resolved (the root for an unknown command),
		// not a guess from the arguments: a flag's value is no command.
		msg += "\nRun '" + cmd.CommandPath() + " --help' for usage."
	}
	fmt.Fprintln(streams.Err, "sonic-release: "+msg)
	if a.env().Actions {
		_ = actions.Command(streams.Err, actions.Annotation{Level: "error", Title: "sonic-release", Message: err.Error()}.String())
	}
	return code
}

// secretVariables hold credentials the CLI may send: their values never
// reach stderr.
var secretVariables = []string{"GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_RUNTIME_TOKEN", "COSIGN_PASSWORD"}

// redactor masks credentials: Authorization values, tokens of known shapes
// and the values of secretVariables.
func redactor(getenv func(string) string) *redact.Redactor {
	values := make([]string, len(secretVariables))
	for i, v := range secretVariables {
		values[i] = getenv(v)
	}
	return redact.New(values...)
}

// flagError is a command-line usage error (exit 2).
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func flagErrorf(format string, args ...any) error {
	return &flagError{fmt.Errorf(format, args...)}
}

func isFlagError(err error) bool {
	var fe *flagError
	return errors.As(err, &fe)
}

// Library packages mark their errors by behaviour rather than by a
// CLI-specific code: an error with Refused() true is a policy refusal
// (exit 3), one with BadInput() true is unusable input (exit 2).
type refuser interface{ Refused() bool }
type badInputer interface{ BadInput() bool }

func exitCode(err error) int {
	var r refuser
	if errors.As(err, &r) && r.Refused() {
		return exitRefused
	}
	var b badInputer
	if isFlagError(err) || (errors.As(err, &b) && b.BadInput()) {
		return exitBadInput
	}
	return exitFailure
}

// flagHint adds to a library's typed error the flag (or variable) that
// gives what is missing or allows what was refused: the libraries say what
// is wrong and do not know the command line.
func flagHint(err error) error {
	var (
		ie *tagging.InputError
		re *release.RevisionError
		ti *release.TestedImageError
		te *sign.TrustError
	)
	hint := ""
	switch {
	case errors.As(err, &ie) && ie.Missing == tagging.MissingRef:
		hint = "--ref, or run inside GitHub Actions"
	case errors.As(err, &ie) && ie.Missing == tagging.MissingSHA:
		hint = "--sha, or GITHUB_SHA"
	case errors.As(err, &re):
		hint = "--allow-revision-mismatch"
	case errors.As(err, &ti):
		hint = "--source " + ti.Repo + "@sha256:… to release a build"
	case errors.As(err, &te) && te.TransparencyLog:
		hint = "--trusted-root; --insecure-ignore-tlog for signatures made without Rekor"
	case errors.As(err, &te):
		hint = "--trusted-root"
	default:
		return err
	}
	return fmt.Errorf("%w (%s)", err, hint)
}
