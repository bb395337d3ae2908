// Package gitexec runs the real git binary in one repository: the one git
// runner of the notes, the migration analysis and the demo. It reads what the
// release needs (commits, tags, whether the clone is shallow) and returns
// typed errors: *Error for a git command that failed, *RefError for a ref the
// clone does not have, *NotRepoError for a folder that is not a clone.
package gitexec

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Repo is one repository and the git binary that reads it.
type Repo struct {
	// Bin is the git binary. The default is "git" from $PATH.
	Bin string
	// Dir is the repository's folder.
	Dir string
	// Env is added to the environment git inherits (author, dates,
	// configuration), for the repositories the demo writes.
	Env []string
}

// Error is a git command that failed: its arguments, the repository and
// what git said (or why it could not run).
type Error struct {
	Args []string
	Dir  string
	// Stderr is git's message, trimmed; empty when git did not run.
	Stderr string
	// ExitCode is git's exit status, -1 when it did not run or was killed.
	ExitCode int
	Err      error
}

// Error is one line: git's message may quote file names of the repository,
// which must not start a line of their own.
func (e *Error) Error() string {
	msg := cmp.Or(e.Stderr, e.Err.Error())
	return oneLine(fmt.Sprintf("running git %s in %q: %s", strings.Join(e.Args, " "), e.Dir, msg))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Unwrap returns the cause: context.Canceled or DeadlineExceeded when the
// context ended, exec.ErrNotFound when there is no git binary.
func (e *Error) Unwrap() error { return e.Err }

// RefError is a ref that names no commit of the repository: a typo, or a
// tag a shallow clone was made without.
type RefError struct{ Ref string }

func (e *RefError) Error() string {
	return fmt.Sprintf("ref %q is not a commit of the repository: pass a tag, branch or commit id, and fetch tags in a shallow clone (git fetch --tags; actions/checkout with fetch-depth: 0)", e.Ref)
}

// BadInput marks the error as unusable input.
func (e *RefError) BadInput() bool { return true }

// NotRepoError is a folder that is not a git repository.
type NotRepoError struct {
	Dir string
	Err error
}

func (e *NotRepoError) Error() string {
	return fmt.Sprintf("%q is not a git repository (%v): pass the folder of a git clone", e.Dir, e.Err)
}

func (e *NotRepoError) Unwrap() error { return e.Err }

// BadInput marks the error as unusable input.
func (e *NotRepoError) BadInput() bool { return true }

// Command is git with args in the repository, for a caller that streams
// its input or output; Run is the usual way.
func (r Repo) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, cmp.Or(r.Bin, "git"), append([]string{"-C", r.Dir}, args...)...)
	if len(r.Env) > 0 {
		cmd.Env = append(os.Environ(), r.Env...)
	}
	return cmd
}

// Run runs git with args and returns its standard output.
func (r Repo) Run(ctx context.Context, args ...string) ([]byte, error) {
	return r.RunInput(ctx, nil, args...)
}

// RunInput is Run with stdin as git's standard input (git log --stdin,
// git patch-id).
func (r Repo) RunInput(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := r.Command(ctx, args...)
	cmd.Stdin = stdin
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, r.Fail(ctx, args, err, stderr.String())
	}
	return out.Bytes(), nil
}

// Fail is the *Error of a git command that failed with err and wrote
// stderr; the context's error is the cause once it ended.
func (r Repo) Fail(ctx context.Context, args []string, err error, stderr string) error {
	e := &Error{Args: args, Dir: r.Dir, Stderr: strings.TrimSpace(stderr), ExitCode: -1, Err: err}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		e.ExitCode = ee.ExitCode()
	}
	if ctx.Err() != nil {
		e.Err, e.Stderr = ctx.Err(), ""
	}
	return e
}

// Output is Run with the output as a string, trimmed.
func (r Repo) Output(ctx context.Context, args ...string) (string, error) {
	out, err := r.Run(ctx, args...)
	return strings.TrimSpace(string(out)), err
}

// Check returns a *NotRepoError when Dir is not a git repository.
func (r Repo) Check(ctx context.Context) error {
	_, err := r.Run(ctx, "rev-parse", "--git-dir")
	var ge *Error
	if errors.As(err, &ge) && ge.ExitCode > 0 {
		return &NotRepoError{Dir: r.Dir, Err: err}
	}
	return err
}

// Resolve returns the full id of the commit ref names, or a *RefError when
// the repository has no such commit.
func (r Repo) Resolve(ctx context.Context, ref string) (string, error) {
	out, err := r.Output(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	var ge *Error
	if errors.As(err, &ge) && ge.ExitCode == 1 {
		return "", &RefError{Ref: ref}
	}
	return out, err
}

// Tags lists the repository's tags.
func (r Repo) Tags(ctx context.Context) ([]string, error) {
	out, err := r.Run(ctx, "tag", "--list")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// Shallow reports whether the repository is a shallow clone.
func (r Repo) Shallow(ctx context.Context) (bool, error) {
	out, err := r.Output(ctx, "rev-parse", "--is-shallow-repository")
	return out == "true", err
}
