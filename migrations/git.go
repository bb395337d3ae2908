package migrations

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
)

// git reads one repository with the git binary (internal/gitexec).
type git struct {
	gitexec.Repo
}

// commit resolves a ref to a commit id; a ref that names no commit is a
// *gitexec.RefError (bad input).
func (g git) commit(ctx context.Context, ref string) (string, error) {
	return g.Resolve(ctx, ref)
}

// tree lists the blobs under dir at commit: path → blob id.
func (g git) tree(ctx context.Context, commit, dir string) (map[string]string, error) {
	args := []string{"ls-tree", "-r", "-z", "--full-tree", commit}
	if dir != "" && dir != "." {
		args = append(args, "--", dir+"/")
	}
	out, err := g.Run(ctx, args...)
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
			files[path] = blobID(f[0], f[2])
		}
	}
	return files, nil
}

// symlinkID stands, in a tree listing (path → blob id), for a symbolic link
// (git mode 120000): its blob is the link's target, which is no migration,
// and nothing reads it or follows it.
const symlinkID = "symlink"

// blobID is the id a tree listing gives a blob of this git mode.
func blobID(mode, id string) string {
	if mode == "120000" {
		return symlinkID
	}
	return id
}

// blobs reads blobs by id with one git cat-file --batch process.
func (g git) blobs(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []string{"cat-file", "--batch"}
	cmd := g.Command(ctx, args...)
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, g.Fail(ctx, args, err, "")
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
		readErr = g.Fail(ctx, args, err, stderr.String())
	}
	return out, readErr
}

// show reads one file at a commit; ok is false when it does not exist.
func (g git) show(ctx context.Context, commit, path string) (data []byte, ok bool, err error) {
	out, err := g.Run(ctx, "ls-tree", "-z", "--full-tree", commit, "--", path)
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
