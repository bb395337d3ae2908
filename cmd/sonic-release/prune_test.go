package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/ghcrtest"
)

// TestPruneCommand runs prune against the fake Packages API paired with
// the real registry: a dry run deletes nothing, --apply deletes the old
// builds and leaves every kept tag whole, a 403 says which token it needs.
func TestPruneCommand(t *testing.T) {
	f := ghcrtest.New(t, true)
	var builds []ghcrtest.Image
	for i := 1; i <= 4; i++ {
		builds = append(builds, f.PushIndex(t, fmt.Sprintf("master-%07x", 0xabc0000+i), "master"))
	}
	f.Tag(t, "v1.0.0", builds[0].Digest)
	t.Setenv("DOCKER_CONFIG", f.DockerConfig(t))
	env := map[string]string{"GITHUB_API_URL": f.GH.URL, "GITHUB_TOKEN": "ghp_prunetest"}
	image := f.Repo.String()
	versions := len(f.Versions())

	// Dry run (the default): the plan, nothing deleted.
	code, out, stderr := runCLI(t, env, "prune", image, "--keep", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "would delete 7") || !strings.Contains(out, "dry run: nothing deleted; pass --apply to delete") || !strings.Contains(out, "master-abc0002: not one of the newest 2 master builds") {
		t.Errorf("dry run output:\n%s", out)
	}
	if got := len(f.Versions()); got != versions {
		t.Errorf("the dry run deleted %d versions", versions-got)
	}

	// A 403 says what the Packages API needs.
	f.GH.OnDeletePackageVersion(func(fakegithub.PackageVersion) error {
		return &fakegithub.Status{Code: http.StatusForbidden, Message: "Must have admin rights to Repository."}
	})
	code, out, stderr = runCLI(t, env, "prune", image, "--keep", "2", "--apply")
	if code != exitFailure || out != "" || !strings.Contains(stderr, "classic personal access token with the delete:packages scope") ||
		!strings.Contains(stderr, "deleted 0 of the 7 versions planned") || strings.Contains(stderr, "ghp_prunetest") {
		t.Errorf("403: exit %d, stdout %q, stderr %s", code, out, stderr)
	}

	// --apply deletes build 2's closure; v1.0.0 (build 1) stays.
	f.GH.OnDeletePackageVersion(nil)
	code, out, stderr = runCLI(t, env, "prune", image, "--keep", "2", "--apply", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Applied bool
		Result  struct {
			Deleted []struct{ Digest string }
			Bytes   int64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !res.Applied || len(res.Result.Deleted) != 7 || res.Result.Bytes <= 0 {
		t.Errorf("result: %+v", res)
	}
	if _, ok := f.Versions()[builds[1].Digest]; ok {
		t.Errorf("master-abc0002 is still there")
	}
	for _, tag := range []string{"v1.0.0", "master", "master-abc0003", "master-abc0004"} {
		f.CheckIntact(t, tag)
	}
	f.CheckEveryTag(t)
}

func TestPruneCommandBadInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"prune", "ghcr.io/acme/app", "--keep", "0"},
		{"prune", "ghcr.io/app"},
		{"prune", "ghcr.io/acme/app", "--owner-type", "team"},
		{"prune", "ghcr.io/acme/app", "--branch", "a/b"},
		{"prune"},
	} {
		code, out, stderr := runCLI(t, nil, args...)
		if code != exitBadInput || out != "" || !strings.Contains(stderr, "sonic-release prune --help") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}
