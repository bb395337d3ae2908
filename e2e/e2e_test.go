package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

var binary string

// TestMain builds the binary once, as the release workflow ships it.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sonic-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sonic-release")
	build := exec.Command("go", "build", "-o", binary, "../cmd/sonic-release")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building sonic-release:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const repoName = "acme/app" // the repository the fake issuer's identities name

// world is everything a runner talks to, on loopback.
type world struct {
	t        *testing.T
	reg      *registrytest.Server
	issuer   *sigstoretest.Issuer
	fulcio   *sigstoretest.Fulcio
	tsa      *sigstoretest.TSA
	trust    string // trusted root JSON
	gh       *fakegithub.Server
	repo     *demo.Repo
	docker   string // DOCKER_CONFIG with the registry's credentials
	app      string // the target repository
	commits  map[string]string
	timings  []string
	outFiles int
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, reg: registrytest.StartRegistry(t), issuer: sigstoretest.NewIssuer(t), gh: fakegithub.New(t), commits: map[string]string{}}
	w.fulcio = sigstoretest.StartFulcio(t, w.issuer)
	w.tsa = sigstoretest.StartTSA(t)
	_, w.trust = sigstoretest.TrustedRoot(t, w.fulcio, w.tsa)
	w.app = w.reg.Repo("acme/app")

	var err error
	if w.repo, err = demo.NewRepo(t.Context(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	for _, r := range w.repo.Releases {
		w.commits[r.Version] = r.Commit
	}
	// A release candidate on master after v1.2.0.
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", w.repo.Dir, "-c", "tag.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("tag", "-a", "v1.3.0-rc.1", "-m", "v1.3.0-rc.1", "master")
	w.commits["v1.3.0-rc.1"] = git("rev-parse", "master")
	w.commits["master"] = w.repo.Head

	w.gh.AddRepo(repoName)
	// The maintainers' releases exist before the workflow runs (release:
	// published), with their own text around which the notes go.
	for _, v := range []string{"v1.0.0", "v1.1.0", "v1.2.0", "v1.1.1"} {
		w.gh.AddRelease(repoName, fakegithub.Release{TagName: v, Name: v, Body: "Maintainer's words for " + v + ".", PublishedAt: time.Now()})
	}

	// docker/login-action's result: a docker config with the credentials.
	w.docker = t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(w.reg.User + ":" + w.reg.Password))
	cfg, _ := json.Marshal(map[string]any{"auths": map[string]any{w.reg.Host: map[string]string{"auth": auth}}})
	if err := os.WriteFile(filepath.Join(w.docker, "config.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// build pushes the CI build of a commit by digest (docker/build-push-action
// with push-by-digest) and returns its reference.
func (w *world) build(version string, at time.Time) (string, string) {
	w.t.Helper()
	commit := w.commits[version]
	idx, err := demo.Image(version, commit, at)
	if err != nil {
		w.t.Fatal(err)
	}
	d, _ := idx.Digest()
	ref, _ := name.NewDigest(w.reg.Repo("acme/ci@" + d.String()))
	if err := remote.WriteIndex(ref, idx, remote.WithAuthFromKeychain(w.reg.Keychain())); err != nil {
		w.t.Fatal(err)
	}
	return ref.String(), d.String()
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
	outputs        map[string]string
	summary        string
}

// run runs `sonic-release release` as the step of a workflow triggered by
// event (a payload file) on ref.
func (w *world) run(event string, payload map[string]any, ref, sha, source string, extra ...string) result {
	w.t.Helper()
	dir := w.t.TempDir()
	eventPath := filepath.Join(dir, "event.json")
	b, _ := json.Marshal(payload)
	if err := os.WriteFile(eventPath, b, 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.issuer.SetClaims(map[string]string{"ref": ref, "repository": repoName, "sha": sha, "event_name": event})
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "DOCKER_CONFIG=" + w.docker,
		"GITHUB_ACTIONS=true", "CI=true",
		"GITHUB_EVENT_NAME=" + event, "GITHUB_EVENT_PATH=" + eventPath,
		"GITHUB_REF=" + ref, "GITHUB_SHA=" + sha, "GITHUB_REPOSITORY=" + repoName,
		"GITHUB_API_URL=" + w.gh.URL, "GITHUB_SERVER_URL=https://github.com",
		"GITHUB_WORKFLOW_REF=" + repoName + "/.github/workflows/release.yml@" + ref,
		"GITHUB_TOKEN=ghs_e2e", "GITHUB_OUTPUT=" + filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary"), "RUNNER_TEMP=" + dir,
		"ACTIONS_ID_TOKEN_REQUEST_URL=" + w.issuer.ActionsURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + w.issuer.ActionsRequestToken,
	}
	args := append([]string{"release", "--source", source, "--image", w.app,
		"--repo-dir", w.repo.Dir, "--fulcio-url", w.fulcio.URL, "--tsa-url", w.tsa.URL, "--trusted-root", w.trust,
		"--tlog-upload=false"}, extra...)
	cmd := exec.CommandContext(w.t.Context(), binary, args...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	w.timings = append(w.timings, fmt.Sprintf("%-30s %5.0fms  %s", event+" "+ref, took.Seconds()*1000, steps(stderr.String(), took)))
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatal(err)
	}
	res.outputs = readOutputs(w.t, filepath.Join(dir, "output"))
	if s, err := os.ReadFile(filepath.Join(dir, "summary")); err == nil {
		res.summary = string(s)
	}
	return res
}

// steps breaks a run down by step, from the start times in its progress
// groups ("::group::sonic-release: sign … (at 0.12s)").
func steps(stderr string, total time.Duration) string {
	re := regexp.MustCompile(`^::group::sonic-release: (\S+).* \(at ([0-9.]+)s\)$`)
	var names []string
	var at []float64
	for _, l := range strings.Split(stderr, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			var f float64
			fmt.Sscan(m[2], &f)
			names, at = append(names, m[1]), append(at, f)
		}
	}
	var s []string
	for i := range names {
		end := total.Seconds()
		if i+1 < len(at) {
			end = at[i+1]
		}
		s = append(s, fmt.Sprintf("%s %.0fms", names[i], (end-at[i])*1000))
	}
	return strings.Join(s, ", ")
}

// readOutputs parses $GITHUB_OUTPUT as the runner does (name<<DELIMITER).
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	lines := strings.Split(string(b), "\n")
	head := regexp.MustCompile(`^([A-Za-z0-9_-]+)<<(\S+)$`)
	for i := 0; i < len(lines); i++ {
		m := head.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		var v []string
		for i++; i < len(lines) && lines[i] != m[2]; i++ {
			v = append(v, lines[i])
		}
		out[m[1]] = strings.Join(v, "\n")
	}
	return out
}

// tags reads the target's tags → digests (signature tags left out).
func (w *world) tags() map[string]string {
	w.t.Helper()
	repo, _ := name.NewRepository(w.app)
	opt := remote.WithAuthFromKeychain(w.reg.Keychain())
	list, err := remote.List(repo, opt)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]string{}
	for _, tag := range list {
		if strings.HasSuffix(tag, ".sig") {
			continue
		}
		d, err := remote.Head(repo.Tag(tag), opt)
		if err != nil {
			w.t.Fatal(err)
		}
		out[tag] = d.Digest.String()
	}
	return out
}

// cosignVerify verifies ref with the real cosign CLI and the keyless
// identity of the workflow run on gitRef.
func (w *world) cosignVerify(ref, gitRef string) error {
	w.t.Helper()
	out, err := sigstoretest.Cosign(w.t, []string{"DOCKER_CONFIG=" + w.docker}, "verify", "--trusted-root", w.trust,
		"--certificate-identity", w.issuer.Identity(gitRef), "--certificate-oidc-issuer", w.issuer.URL,
		"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct", ref)
	if err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	return nil
}

func releasePayload(tag string, prerelease bool) map[string]any {
	return map[string]any{
		"action":     "published",
		"release":    map[string]any{"tag_name": tag, "draft": false, "prerelease": prerelease, "target_commitish": "master"},
		"repository": map[string]any{"full_name": repoName, "default_branch": "master"},
	}
}

// body returns the release body between the sonic-release markers, and
// the text around them.
func (w *world) body(tag string) (inside, outside string) {
	w.t.Helper()
	rel, ok := w.gh.Release(repoName, tag)
	if !ok {
		w.t.Fatalf("no GitHub release %s", tag)
	}
	begin, end := strings.Index(rel.Body, "<!-- sonic-release:begin -->"), strings.Index(rel.Body, "<!-- sonic-release:end -->")
	if begin < 0 || end < begin {
		return "", rel.Body
	}
	return rel.Body[begin:end], rel.Body[:begin] + rel.Body[end:]
}

func TestRunnerReleases(t *testing.T) {
	w := newWorld(t)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	digests := map[string]string{}

	t.Run("push to master", func(t *testing.T) {
		src, d := w.build("master", at)
		sha := w.commits["master"]
		r := w.run("push", map[string]any{"ref": "refs/heads/master", "after": sha, "repository": map[string]any{"full_name": repoName, "default_branch": "master"}},
			"refs/heads/master", sha, src)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		tags := w.tags()
		if tags["master"] != d || tags["master-"+sha[:7]] != d {
			t.Errorf("tags %v, want master and master-%s on %s", tags, sha[:7], d)
		}
		if err := w.cosignVerify(w.app+":master", "refs/heads/master"); err != nil {
			t.Errorf("cosign verify master: %v", err)
		}
		// The branch build is not signed by the tag's identity.
		if err := w.cosignVerify(w.app+":master", "refs/tags/v1.0.0"); err == nil {
			t.Errorf("cosign verify accepted master with the identity of a tag workflow")
		}
		if r.outputs["digest"] != d || r.outputs["version"] != "" || !strings.Contains(r.outputs["tags"], w.app+":master-"+sha[:7]) {
			t.Errorf("outputs %q", r.outputs)
		}
		digests["master"] = d
	})

	release := func(t *testing.T, version string, prerelease bool, extra ...string) (result, string) {
		t.Helper()
		src, d := w.build(version, at)
		r := w.run("release", releasePayload(version, prerelease), "refs/tags/"+version, w.commits[version], src, extra...)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if err := w.cosignVerify(w.app+":"+version, "refs/tags/"+version); err != nil {
			t.Errorf("cosign verify %s: %v", version, err)
		}
		if r.outputs["digest"] != d || r.outputs["version"] != version || !strings.Contains(r.outputs["notes"], d) {
			t.Errorf("outputs %q", r.outputs)
		}
		digests[version] = d
		return r, d
	}
	wantTags := func(t *testing.T, want map[string]string) {
		t.Helper()
		got := w.tags()
		for tag, v := range want {
			if got[tag] != digests[v] {
				t.Errorf("%s = %s, want %s (%s)", tag, got[tag], v, digests[v])
			}
		}
	}

	t.Run("first release", func(t *testing.T) {
		release(t, "v1.0.0", false)
		wantTags(t, map[string]string{"v1.0.0": "v1.0.0", "v1.0": "v1.0.0", "v1": "v1.0.0", "latest": "v1.0.0", "master": "master"})
		inside, outside := w.body("v1.0.0")
		if !strings.Contains(inside, "cosign verify --certificate-identity "+w.issuer.Identity("refs/tags/v1.0.0")) || !strings.Contains(outside, "Maintainer's words for v1.0.0.") {
			t.Errorf("release body:\n%s\n---\n%s", inside, outside)
		}
	})
	t.Run("next release", func(t *testing.T) {
		release(t, "v1.1.0", false)
		wantTags(t, map[string]string{"v1.1.0": "v1.1.0", "v1.1": "v1.1.0", "v1": "v1.1.0", "latest": "v1.1.0", "v1.0": "v1.0.0"})
	})
	t.Run("release with a breaking migration", func(t *testing.T) {
		r, d := release(t, "v1.2.0", false)
		wantTags(t, map[string]string{"v1.2.0": "v1.2.0", "v1.2": "v1.2.0", "v1": "v1.2.0", "latest": "v1.2.0"})
		inside, _ := w.body("v1.2.0")
		for _, s := range []string{"[!CAUTION]", `DROP COLUMN "status"`, "SONICSAAS_IMAGE_TAG=v1.2.0", "@" + d, "linux/arm64"} {
			if !strings.Contains(inside, s) {
				t.Errorf("v1.2.0 notes lack %q:\n%s", s, inside)
			}
		}
		if !strings.Contains(r.summary, "[!CAUTION]") || !strings.Contains(r.summary, "| `latest` |") {
			t.Errorf("step summary:\n%s", r.summary)
		}
	})
	t.Run("backport", func(t *testing.T) {
		release(t, "v1.1.1", false)
		wantTags(t, map[string]string{"v1.1.1": "v1.1.1", "v1.1": "v1.1.1", "v1": "v1.2.0", "latest": "v1.2.0"})
	})
	t.Run("pre-release", func(t *testing.T) {
		r, _ := release(t, "v1.3.0-rc.1", true, "--create-release")
		wantTags(t, map[string]string{"v1.3.0-rc.1": "v1.3.0-rc.1", "v1": "v1.2.0", "latest": "v1.2.0"})
		if _, ok := w.tags()["v1.3"]; ok {
			t.Errorf("a pre-release made v1.3")
		}
		rel, ok := w.gh.Release(repoName, "v1.3.0-rc.1")
		if !ok || !rel.Prerelease || rel.MakeLatest == "true" {
			t.Errorf("created release %+v", rel)
		}
		if !strings.Contains(r.stderr, "release notes created") {
			t.Errorf("stderr: %s", r.stderr)
		}
	})
	t.Run("re-run writes nothing", func(t *testing.T) {
		before := w.tags()
		bodyBefore, _ := w.body("v1.2.0")
		src, _ := w.build("v1.2.0", at)
		w.reg.Counter.Reset()
		r := w.run("release", releasePayload("v1.2.0", false), "refs/tags/v1.2.0", w.commits["v1.2.0"], src)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		// The CI build push above is not counted: Reset came after it.
		if writes := w.reg.Counter.Writes(); len(writes) != 0 {
			t.Errorf("re-run wrote to the registry: %v", writes)
		}
		if after := w.tags(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("tags changed: %v → %v", before, after)
		}
		if bodyAfter, _ := w.body("v1.2.0"); bodyAfter != bodyBefore {
			t.Errorf("release body changed on re-run")
		}
	})
	t.Run("conflict", func(t *testing.T) {
		before := w.tags()
		src, d := w.build("v1.2.0", at.Add(time.Hour)) // another build claiming v1.2.0
		w.reg.Counter.Reset()
		r := w.run("release", releasePayload("v1.2.0", false), "refs/tags/v1.2.0", w.commits["v1.2.0"], src)
		if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, d) || !strings.Contains(r.stderr, digests["v1.2.0"]) {
			t.Errorf("conflict: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
		}
		if writes := w.reg.Counter.Writes(); len(writes) != 0 {
			t.Errorf("a refused release wrote: %v", writes)
		}
		if after := w.tags(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("tags changed: %v → %v", before, after)
		}
	})
	t.Logf("runs (wall time, steps):\n  %s", strings.Join(w.timings, "\n  "))
}
