package gitexec_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
	"github.com/sonicsaas/sonic-release/internal/gittest"
)

func TestRepo(t *testing.T) {
	r := gittest.New(t)
	first := r.Commit("first", nil)
	r.Tag("v1.0.0")
	head := r.Commit("second", nil)
	r.Tag("v1.1.0")
	g := gitexec.Repo{Dir: r.Dir}
	ctx := t.Context()

	if err := g.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
	for ref, want := range map[string]string{"v1.0.0": first, "HEAD": head, "main": head, first[:10]: first} {
		if got, err := g.Resolve(ctx, ref); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	tags, err := g.Tags(ctx)
	if err != nil || !slices.Equal(tags, []string{"v1.0.0", "v1.1.0"}) {
		t.Errorf("Tags = %q, %v", tags, err)
	}
	if shallow, err := g.Shallow(ctx); err != nil || shallow {
		t.Errorf("Shallow = %v, %v; want false", shallow, err)
	}

	// A shallow clone: shallow, and without the older tag's commit.
	clone := filepath.Join(t.TempDir(), "clone")
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--no-tags", "file://"+r.Dir, clone)
	cmd.Env = gittest.Env(gittest.T0)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	sc := gitexec.Repo{Dir: clone}
	if shallow, err := sc.Shallow(ctx); err != nil || !shallow {
		t.Errorf("clone: Shallow = %v, %v; want true", shallow, err)
	}
	_, err = sc.Resolve(ctx, "v1.0.0")
	if re, ok := errors.AsType[*gitexec.RefError](err); !ok || !re.BadInput() || re.Ref != "v1.0.0" ||
		!strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("clone: Resolve(v1.0.0) err = %v, want a *RefError saying how to fetch", err)
	}
}

func TestErrors(t *testing.T) {
	r := gittest.New(t)
	r.Commit("first", nil)
	g := gitexec.Repo{Dir: r.Dir}

	_, err := g.Run(t.Context(), "cat-file", "-p", "nope")
	ge, ok := errors.AsType[*gitexec.Error](err)
	if !ok || ge.ExitCode != 128 || !strings.Contains(ge.Stderr, "nope") ||
		!strings.HasPrefix(err.Error(), `running git cat-file -p nope in "`+r.Dir+`": `) {
		t.Errorf("failed command: err = %#v", err)
	}

	// git's message quotes what it was given, over several lines: the
	// error keeps it on one, so nothing of it starts a line.
	_, err = g.Run(t.Context(), "rev-parse", "nope\n::error::injected")
	if ge, ok := errors.AsType[*gitexec.Error](err); !ok || !strings.Contains(ge.Stderr, "\n") || strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("multi-line message: err = %q", err)
	}

	dir := t.TempDir()
	err = gitexec.Repo{Dir: dir}.Check(t.Context())
	if ne, ok := errors.AsType[*gitexec.NotRepoError](err); !ok || !ne.BadInput() || !strings.Contains(err.Error(), "is not a git repository") {
		t.Errorf("not a repository: err = %v", err)
	}

	_, err = gitexec.Repo{Bin: filepath.Join(dir, "no-git"), Dir: r.Dir}.Tags(t.Context())
	if ge, ok := errors.AsType[*gitexec.Error](err); !ok || ge.ExitCode != -1 || !errors.Is(err, exec.ErrNotFound) && !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing binary: err = %v", err)
	}
	if err := (gitexec.Repo{Bin: filepath.Join(dir, "no-git"), Dir: r.Dir}).Check(t.Context()); err == nil {
		t.Error("missing binary: Check passed")
	} else if _, ok := errors.AsType[*gitexec.NotRepoError](err); ok {
		t.Errorf("missing binary: Check = %v, want no *NotRepoError", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = g.Run(ctx, "log")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	if _, err := g.Resolve(ctx, "HEAD"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Resolve: err = %v, want context.Canceled", err)
	}
}

// TestEnv: the environment a repository adds reaches git.
func TestEnv(t *testing.T) {
	r := gittest.New(t)
	g := gitexec.Repo{Dir: r.Dir, Env: []string{"GIT_AUTHOR_NAME=Grace Hopper", "GIT_AUTHOR_EMAIL=grace@example.com"}}
	out, err := g.Output(t.Context(), "var", "GIT_AUTHOR_IDENT")
	if err != nil || !strings.HasPrefix(out, "Grace Hopper <grace@example.com> ") {
		t.Errorf("author = %q, %v", out, err)
	}
}
