package migrations

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// git runs the real git binary in one repository.
type git struct {
	dir string
}

func (g git) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", g.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("running git %s: %w", strings.Join(args, " "), ctx.Err())
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("running git %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}

// commit resolves a ref to a commit id.
func (g git) commit(ctx context.Context, ref string) (string, error) {
	out, err := g.run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return "", &refError{ref: ref}
	}
	return strings.TrimSpace(string(out)), nil
}

// refError is a ref that does not name a commit: bad input.
type refError struct{ ref string }

func (e *refError) Error() string {
	return fmt.Sprintf("ref %q is not a commit of the repository: pass a tag, branch or commit id (fetch tags with 'git fetch --tags' in a shallow clone)", e.ref)
}

// BadInput marks the error as unusable input (the CLI exits 2).
func (e *refError) BadInput() bool { return true }

// tags lists the repository's tags.
func (g git) tags(ctx context.Context) ([]string, error) {
	out, err := g.run(ctx, "tag", "--list")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// tree lists the blobs under dir at commit: path → blob id.
func (g git) tree(ctx context.Context, commit, dir string) (map[string]string, error) {
	args := []string{"ls-tree", "-r", "-z", "--full-tree", commit}
	if dir != "" && dir != "." {
		args = append(args, "--", dir+"/")
	}
	out, err := g.run(ctx, args...)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, path, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) == 3 && f[1] == "blob" {
			files[path] = f[2]
		}
	}
	return files, nil
}

// blobs reads blobs by id with one git cat-file --batch process.
func (g git) blobs(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cmd := exec.CommandContext(ctx, "git", "-C", g.dir, "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running git cat-file: %w", err)
	}
	r := bufio.NewReader(stdout)
	var readErr error
	for range ids {
		header, err := r.ReadString('\n')
		if err != nil {
			readErr = fmt.Errorf("reading git cat-file output: %w", err)
			break
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			readErr = fmt.Errorf("reading git cat-file output: unexpected %q", strings.TrimSpace(header))
			break
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			readErr = fmt.Errorf("reading git cat-file output: unexpected %q", strings.TrimSpace(header))
			break
		}
		buf := make([]byte, size+1) // content and a newline
		if _, err := io.ReadFull(r, buf); err != nil {
			readErr = fmt.Errorf("reading blob %s: %w", f[0], err)
			break
		}
		out[f[0]] = buf[:size]
	}
	_, _ = io.Copy(io.Discard, r)
	if err := cmd.Wait(); err != nil && readErr == nil {
		readErr = fmt.Errorf("running git cat-file: %s", strings.TrimSpace(stderr.String()+" "+err.Error()))
	}
	return out, readErr
}

// show reads one file at a commit; ok is false when it does not exist.
func (g git) show(ctx context.Context, commit, path string) (data []byte, ok bool, err error) {
	out, err := g.run(ctx, "ls-tree", "-z", "--full-tree", commit, "--", path)
	if err != nil {
		return nil, false, err
	}
	meta, _, found := strings.Cut(string(out), "\t")
	f := strings.Fields(meta)
	if !found || len(f) != 3 || f[1] != "blob" {
		return nil, false, nil
	}
	b, err := g.blobs(ctx, []string{f[2]})
	return b[f[2]], true, err
}
