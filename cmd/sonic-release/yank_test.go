package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestYankEndToEnd releases v1.2.0, v1.2.1 and v1.3.0, key-signed, into
// the real registry and a mirror, then yanks v1.3.0: v1.3 keeps it (its
// line has nothing else), v1 and latest move to v1.2.1, the GitHub release
// is marked and v1.2.1 becomes the latest; a re-run writes nothing; a
// re-run of v1.3.0's release moves no floating tag back; v1.2.2 takes
// latest; unyank restores v1.3.0.
func TestYankEndToEnd(t *testing.T) {
	reg := registrytest.StartRegistry(t)
	mirror := registrytest.NewMemory(t)
	cfgDir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(reg.User + ":" + reg.Password))
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(`{"auths":{"`+reg.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfgDir)
	_, pub, privPath, pubPath := sigstoretest.KeyPair(t)
	app, mapp := reg.Repo("acme/app"), mirror.Repo("acme/app")
	signEnv := map[string]string{"COSIGN_PASSWORD": sigstoretest.KeyPassword}

	digests := map[string]string{}
	releaseV := func(version, signMode string, images ...string) {
		t.Helper()
		src := pushImage(t, reg.Repo("acme/build:"+version), releaseSHA, remote.WithAuthFromKeychain(reg.Keychain()))
		digests[version] = src.DigestStr()
		args := []string{"release", "--source", src.String(), "--ref", "refs/tags/" + version, "--sha", releaseSHA, "--sign", signMode}
		if signMode == "key" {
			args = append(args, "--key", privPath, "--tlog-upload=false")
		}
		for _, img := range images {
			args = append(args, "--image", img)
		}
		if code, _, stderr := runCLI(t, signEnv, args...); code != 0 {
			t.Fatalf("release %s: exit %d: %s", version, code, stderr)
		}
	}
	for _, v := range []string{"v1.2.0", "v1.2.1", "v1.3.0"} {
		releaseV(v, "key", app, mapp)
	}

	gh := fakegithub.New(t)
	const ghRepo = "acme/app"
	body130, _ := notes.Splice("", "## v1.3.0\n")
	for i, v := range []string{"v1.2.0", "v1.2.1", "v1.3.0"} {
		gh.AddRelease(ghRepo, fakegithub.Release{TagName: v, Body: body130, CreatedAt: gittest.T0.Add(time.Duration(i) * time.Hour)})
	}
	ghEnv := map[string]string{"GITHUB_REPOSITORY": ghRepo, "GITHUB_API_URL": gh.URL, "GITHUB_TOKEN": "ghs_test", "GITHUB_OUTPUT": filepath.Join(t.TempDir(), "out")}
	verifyArgs := []string{"--image", app, "--image", mapp, "--key", pubPath, "--insecure-ignore-tlog"}
	yankArgs := append([]string{"yank", "v1.3.0", "--reason", "corrupts sessions (#412)"}, verifyArgs...)

	tagsOf := func(r *registrytest.Server, repo string) map[string]string {
		t.Helper()
		return r.Tags(t, repo)
	}
	want := func(what string, tags map[string]string, tag, version string) {
		t.Helper()
		if tags[tag] != digests[version] {
			t.Errorf("%s: %s points at %s, want %s (%s)", what, tag, tags[tag], version, digests[version])
		}
	}

	// A dry run writes nothing, anywhere.
	reg.Counter.Reset()
	mirror.Counter.Reset()
	code, stdout, stderr := runCLI(t, ghEnv, append(yankArgs, "--dry-run")...)
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	if w := append(reg.Counter.Writes(), mirror.Counter.Writes()...); len(w) != 0 {
		t.Errorf("the dry run wrote %v", w)
	}
	if c := gh.Calls(); c["repos/update-release"] != 0 {
		t.Errorf("the dry run wrote to GitHub: %v", c)
	}
	for _, s := range []string{app + "\tyanked.v1.3.0\tmark", app + "\tlatest\tmove", mapp + "\tv1\tmove", app + "\tv1.3\tkeep"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("dry-run plan lacks %q:\n%s", s, stdout)
		}
	}
	if !strings.Contains(stderr, "would be written") {
		t.Errorf("dry-run stderr: %s", stderr)
	}

	// The yank.
	reg.Counter.Reset()
	gh.ResetCalls()
	code, _, stderr = runCLI(t, ghEnv, yankArgs...)
	t.Logf("yank: registry %s; mirror %s; GitHub %v", reg.Counter.Summary(), mirror.Counter.Summary(), gh.Calls())
	if code != 0 {
		t.Fatalf("yank: exit %d: %s", code, stderr)
	}
	for _, s := range []string{"yank v1.3.0: 6 tag(s) written", app + ":v1.3 v1.3 keeps v1.3.0: its line has no other stable version left", "use v1.2.1 instead", "latest GitHub release: v1.2.1"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("yank stderr lacks %q:\n%s", s, stderr)
		}
	}
	for _, r := range []struct {
		s    *registrytest.Server
		repo string
	}{{reg, app}, {mirror, mapp}} {
		tags := tagsOf(r.s, r.repo)
		want("yanked "+r.repo, tags, "v1.3.0", "v1.3.0")
		want("yanked "+r.repo, tags, "v1.3", "v1.3.0")
		want("yanked "+r.repo, tags, "v1", "v1.2.1")
		want("yanked "+r.repo, tags, "latest", "v1.2.1")
		if tags["yanked.v1.3.0"] == "" {
			t.Errorf("%s has no marker: %v", r.repo, tags)
		}
	}
	// The moved tags still verify, with the real cosign CLI too.
	if _, err := sign.Verify(t.Context(), app+":latest", sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false), sign.WithRemoteOptions(remote.WithAuthFromKeychain(reg.Keychain()))); err != nil {
		t.Errorf("latest does not verify after the yank: %v", err)
	}
	if out, err := sigstoretest.Cosign(t, []string{"DOCKER_CONFIG=" + cfgDir}, "verify", "--key", pubPath, "--insecure-ignore-tlog", "--allow-http-registry", app+":v1"); err != nil {
		t.Errorf("cosign verify v1: %v\n%s", err, out)
	}
	rel, _ := gh.Release(ghRepo, "v1.3.0")
	if !strings.Contains(rel.Body, notes.BeginMarker+"\n<!-- sonic-release:yanked -->\n> [!WARNING]\n> **Yanked:** corrupts sessions (#412) Use v1.2.1 instead.") {
		t.Errorf("v1.3.0's body: %q", rel.Body)
	}
	if r, _ := gh.Release(ghRepo, "v1.2.1"); r.MakeLatest != "true" {
		t.Errorf("v1.2.1 make_latest %q", r.MakeLatest)
	}

	// Idempotent.
	reg.Counter.Reset()
	gh.ResetCalls()
	code, _, stderr = runCLI(t, ghEnv, yankArgs...)
	t.Logf("re-run: registry %s; GitHub %v", reg.Counter.Summary(), gh.Calls())
	if code != 0 || !strings.Contains(stderr, "already done") {
		t.Errorf("re-run: exit %d: %s", code, stderr)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("the re-run wrote %v", w)
	}
	if c := gh.Calls(); c["repos/update-release"] != 0 {
		t.Errorf("the re-run wrote to GitHub: %v", c)
	}

	// tags and the release plan show it; a re-run of v1.3.0's release
	// moves no floating tag back onto it.
	code, stdout, stderr = runCLI(t, nil, "tags", "--ref", "refs/tags/v1.3.0", "--image", app, "-o", "json")
	if !strings.Contains(stderr, "yanked, no floating tag points at them: v1.3.0") {
		t.Errorf("tags stderr: %s", stderr)
	}
	var doc struct {
		Yanked []string `json:"yanked"`
		Tags   []struct {
			Name   string `json:"name"`
			Apply  bool   `json:"apply"`
			Reason string `json:"reason"`
		} `json:"tags"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != 0 {
		t.Fatalf("tags: exit %d %v\n%s", code, err, stdout)
	}
	if len(doc.Yanked) != 1 || doc.Yanked[0] != "v1.3.0" || doc.Tags[3].Apply || !strings.Contains(doc.Tags[3].Reason, "v1.3.0 is yanked") {
		t.Errorf("tags: %+v", doc)
	}
	src130 := reg.Repo("acme/build@") + digests["v1.3.0"]
	code, stdout, stderr = runCLI(t, signEnv, "release", "--source", src130, "--image", app, "--image", mapp, "--ref", "refs/tags/v1.3.0", "--sha", releaseSHA, "--sign", "key", "--key", privPath, "--tlog-upload=false")
	if code != 0 || !strings.Contains(stdout, "latest\tskip") {
		t.Errorf("re-run of v1.3.0: exit %d\n%s\n%s", code, stdout, stderr)
	}
	want("re-run of v1.3.0", tagsOf(reg, app), "latest", "v1.2.1")

	// The next release takes the floating tags, v1.3 stays.
	releaseV("v1.2.2", "key", app, mapp)
	for _, r := range []struct {
		s    *registrytest.Server
		repo string
	}{{reg, app}, {mirror, mapp}} {
		tags := tagsOf(r.s, r.repo)
		want("v1.2.2 "+r.repo, tags, "latest", "v1.2.2")
		want("v1.2.2 "+r.repo, tags, "v1", "v1.2.2")
		want("v1.2.2 "+r.repo, tags, "v1.3", "v1.3.0")
	}

	// Unyank: v1 and latest back on v1.3.0, and the GitHub release too.
	code, _, stderr = runCLI(t, ghEnv, append([]string{"unyank", "v1.3.0"}, verifyArgs...)...)
	if code != 0 {
		t.Fatalf("unyank: exit %d: %s", code, stderr)
	}
	for _, r := range []struct {
		s    *registrytest.Server
		repo string
	}{{reg, app}, {mirror, mapp}} {
		tags := tagsOf(r.s, r.repo)
		want("unyanked "+r.repo, tags, "latest", "v1.3.0")
		want("unyanked "+r.repo, tags, "v1", "v1.3.0")
		want("unyanked "+r.repo, tags, "v1.2", "v1.2.2")
		if tags["unyanked.v1.3.0"] == "" || tags["yanked.v1.3.0"] == "" {
			t.Errorf("%s markers: %v", r.repo, tags)
		}
	}
	if rel, _ := gh.Release(ghRepo, "v1.3.0"); rel.Body != body130 || rel.MakeLatest != "true" {
		t.Errorf("unyanked release: %q make_latest %q", rel.Body, rel.MakeLatest)
	}
}

// TestYankRefusesUnsigned: a floating tag never moves to a digest the
// signer did not sign; nothing is written.
func TestYankRefusesUnsigned(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	_, _, _, pubPath := sigstoretest.KeyPair(t)
	app := reg.Repo("acme/app")
	for _, v := range []string{"v2.0.0", "v2.1.0"} {
		src := pushImage(t, reg.Repo("acme/build:"+v), releaseSHA)
		if code, _, stderr := runCLI(t, nil, "release", "--source", src.String(), "--image", app, "--ref", "refs/tags/"+v, "--sha", releaseSHA, "--sign", "none"); code != 0 {
			t.Fatalf("release %s: exit %d: %s", v, code, stderr)
		}
	}
	reg.Counter.Reset()
	code, stdout, stderr := runCLI(t, nil, "yank", "v2.1.0", "--reason", "broken", "--image", app, "--key", pubPath, "--insecure-ignore-tlog")
	if code != exitRefused || stdout != "" || !strings.Contains(stderr, "does not verify as signed") {
		t.Errorf("exit %d\nstdout %q\nstderr %s", code, stdout, stderr)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("a refused yank wrote %v", w)
	}
	// Bad input: no reason, no signer, not a version, not published.
	for _, args := range [][]string{
		{"yank", "v2.1.0", "--image", app, "--key", pubPath},
		{"yank", "v2.1.0", "--reason", "x", "--image", app},
		{"yank", "v2.1", "--reason", "x", "--image", app, "--allow-unsigned"},
		{"yank", "v9.0.0", "--reason", "x", "--image", app, "--allow-unsigned"},
	} {
		if code, _, stderr := runCLI(t, nil, args...); code != exitBadInput {
			t.Errorf("%q: exit %d: %s", args, code, stderr)
		}
	}
	// --allow-unsigned: the yank goes through.
	if code, _, stderr := runCLI(t, nil, "yank", "v2.1.0", "--reason", "broken", "--image", app, "--allow-unsigned"); code != 0 {
		t.Errorf("--allow-unsigned: exit %d: %s", code, stderr)
	}
	if tags := reg.Tags(t, app); tags["latest"] == tags["v2.1.0"] || tags["yanked.v2.1.0"] == "" {
		t.Errorf("after the yank: %v", tags)
	}
}
