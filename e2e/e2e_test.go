package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/notes"
)

// binary is the sonic-release binary TestMain builds.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sonic-release-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "sonic-release")
	build := exec.Command("go", "build", "-o", binary, "github.com/sonicsaas/sonic-release/cmd/sonic-release")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building sonic-release: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	repository = "acme/app"
	serverURL  = "https://github.com"
	// maintainerText is what a maintainer wrote in a release; the notes
	// go beside it, never over it.
	maintainerText = "Hand-written by the maintainer: thanks to everyone who tested the betas.\n"
)

// world is everything a release job talks to, started once.
type world struct {
	reg       *registrytest.Server
	issuer    *sigstoretest.Issuer
	fulcio    *sigstoretest.Fulcio
	tsa       *sigstoretest.TSA
	rekor     *sigstoretest.Rekor
	trustRoot string
	gh        *fakegithub.Server
	repo      *demo.Repo
	commits   map[string]string // version → commit
	dockerCfg string
	app       string // the primary target (GHCR-like)
	mirror    string // the second target
	created   time.Time
	builds    map[string]string // commit → the build last pushed for it
	seeded    map[string]bool   // tags whose GitHub release the test made
}

// job is one workflow run: the event as the runner describes it.
type job struct {
	event   string // GITHUB_EVENT_NAME
	ref     string // GITHUB_REF
	sha     string
	payload string // path of the event payload
}

// result is what a step of the workflow sees after the binary ran.
type result struct {
	code           int
	stdout, stderr string
	outputs        map[string]string
	summary        string
	steps          string // the time of each step of the job
}

// stepClock collects the job's stderr and times its steps, the ::group::
// blocks of the Actions log, as their lines arrive.
type stepClock struct {
	buf     bytes.Buffer
	pending []byte
	marks   []mark
}

type mark struct {
	step string
	at   time.Time
}

func (c *stepClock) Write(p []byte) (int, error) {
	now := time.Now()
	c.buf.Write(p)
	c.pending = append(c.pending, p...)
	for {
		i := bytes.IndexByte(c.pending, '\n')
		if i < 0 {
			break
		}
		line := string(c.pending[:i])
		c.pending = c.pending[i+1:]
		if step, ok := strings.CutPrefix(line, "::group::sonic-release: "); ok {
			step, _, _ = strings.Cut(step, " ") // "sign REPO@DIGEST" is "sign"
			c.marks = append(c.marks, mark{step, now})
		}
	}
	return len(p), nil
}

// breakdown is "total (step time, …)", each step's time summed over its
// blocks, from the first block to the process's end.
func (c *stepClock) breakdown(start, end time.Time) string {
	var order []string
	sum := map[string]time.Duration{}
	for i, m := range c.marks {
		next := end
		if i+1 < len(c.marks) {
			next = c.marks[i+1].at
		}
		if _, ok := sum[m.step]; !ok {
			order = append(order, m.step)
		}
		sum[m.step] += next.Sub(m.at)
	}
	parts := make([]string, 0, len(order)+1)
	if len(c.marks) > 0 {
		parts = append(parts, "start-up "+c.marks[0].at.Sub(start).Round(time.Millisecond).String())
	}
	for _, s := range order {
		parts = append(parts, s+" "+sum[s].Round(time.Millisecond).String())
	}
	return fmt.Sprintf("%s (%s)", end.Sub(start).Round(time.Millisecond), strings.Join(parts, ", "))
}

// TestReleaseAsARunner runs the whole life of an application's releases,
// in order, with the built binary as a GitHub Actions runner runs it.
func TestReleaseAsARunner(t *testing.T) {
	start := time.Now()
	w := newWorld(t)
	t.Logf("servers and fixtures ready in %s", time.Since(start).Round(time.Millisecond))

	// want is the expected tag → digest map of both targets, kept up to
	// date step by step.
	want := map[string]string{}
	digests := map[string]string{}
	step := func(name string, f func(t *testing.T)) {
		t0 := time.Now()
		ok := t.Run(name, f)
		t.Logf("%s: %s", name, time.Since(t0).Round(time.Millisecond))
		if !ok {
			t.FailNow() // later steps build on this one
		}
	}

	step("push to master", func(t *testing.T) {
		head := w.repo.Head
		src := w.pushBuild(t, "master", head, w.created)
		res := w.run(t, w.pushJob(t, "master", head))
		if res.code != 0 {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		d := src.DigestStr()
		digests["master"] = d
		want["master"], want["master-"+head[:7]] = d, d
		w.checkRegistry(t, want)
		w.checkOutputs(t, res, d, "", []string{"master", "master-" + head[:7]})
		if res.outputs["notes"] != "" {
			t.Errorf("a push has no notes, got:\n%s", res.outputs["notes"])
		}
		if !strings.Contains(res.summary, "### Release\n") || !strings.Contains(res.summary, "`master-"+head[:7]+"` | create") {
			t.Errorf("step summary:\n%s", res.summary)
		}
		w.cosignVerify(t, w.app+":master-"+head[:7], "refs/heads/master", head)
		w.cosignVerify(t, w.mirror+":master", "refs/heads/master", head)
	})

	// release runs the job of version (by default its release event)
	// and checks the registry, the outputs, the signature and the notes.
	release := func(t *testing.T, version string, j *job, wantTags []string, extra ...string) result {
		t.Helper()
		commit := w.commits[version]
		src := w.pushBuild(t, version, commit, w.created)
		if j == nil {
			rj := w.releaseJob(t, version, commit)
			j = &rj
		}
		res := w.run(t, *j, extra...)
		if res.code != 0 {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		d := src.DigestStr()
		digests[version] = d
		for _, tag := range wantTags {
			want[tag] = d
		}
		w.checkRegistry(t, want)
		w.checkOutputs(t, res, d, version, wantTags)
		w.cosignVerify(t, w.app+":"+version, "refs/tags/"+version, commit)
		w.checkNotes(t, res, version, d, wantTags)
		rel, _ := w.gh.Release(repository, version)
		action := "updated"
		if !w.seeded[version] {
			action = "created"
		}
		if want := fmt.Sprintf("release notes %s: %s/%s/releases/tag/%s\n", action, serverURL, repository, version); !strings.Contains(res.stderr, want) {
			t.Errorf("the log does not say %q (release %d):\n%s", want, rel.ID, res.stderr)
		}
		return res
	}

	step("release v1.0.0", func(t *testing.T) {
		w.seedRelease(t, "v1.0.0")
		res := release(t, "v1.0.0", nil, []string{"v1.0.0", "v1.0", "v1", "latest"})
		if !strings.Contains(res.outputs["notes"], "## v1.0.0") {
			t.Errorf("notes output:\n%s", res.outputs["notes"])
		}
	})

	step("next release v1.1.0", func(t *testing.T) {
		w.seedRelease(t, "v1.1.0")
		res := release(t, "v1.1.0", nil, []string{"v1.1.0", "v1.1", "v1", "latest"})
		body := w.body(t, "v1.1.0")
		for _, s := range []string{"customer notes", "@alice", "(#2)", "trim ticket titles", "(#3)",
			serverURL + "/" + repository + "/compare/v1.0.0...v1.1.0"} {
			if !strings.Contains(body, s) {
				t.Errorf("the v1.1.0 release body lacks %q:\n%s", s, body)
			}
		}
		if strings.Contains(res.outputs["notes"], "initial schema") {
			t.Errorf("the v1.1.0 notes list a v1.0.0 change:\n%s", res.outputs["notes"])
		}
	})

	step("release v1.2.0 with a breaking migration", func(t *testing.T) {
		w.seedRelease(t, "v1.2.0")
		release(t, "v1.2.0", nil, []string{"v1.2.0", "v1.2", "v1", "latest"})
		body := w.body(t, "v1.2.0")
		for _, s := range []string{"> [!CAUTION]", "v1.1.0 cannot run against", "Back up the database before upgrading",
			"drizzle/0002_lifecycle_stage.sql", "### Breaking changes", "lifecycle stage"} {
			if !strings.Contains(body, s) {
				t.Errorf("the v1.2.0 release body lacks %q:\n%s", s, body)
			}
		}
		// The previous release's notes are not touched.
		if b := w.body(t, "v1.1.0"); strings.Contains(b, "v1.2.0") {
			t.Errorf("the v1.1.0 body mentions v1.2.0:\n%s", b)
		}
	})

	step("backport v1.1.1", func(t *testing.T) {
		w.seedRelease(t, "v1.1.1")
		// v1.1 moves; v1 and latest stay on v1.2.0.
		release(t, "v1.1.1", nil, []string{"v1.1.1", "v1.1"})
		if want["v1"] != digests["v1.2.0"] || want["latest"] != digests["v1.2.0"] {
			t.Fatal("test bug: v1 and latest must be expected on v1.2.0")
		}
		body := w.body(t, "v1.1.1")
		if !strings.Contains(body, "reject expired sessions") || strings.Contains(body, "lifecycle stage") {
			t.Errorf("the v1.1.1 notes must hold the backported fix only:\n%s", body)
		}
		w.cosignVerify(t, w.app+":v1.1", "refs/tags/v1.1.1", w.commits["v1.1.1"])
		w.cosignVerify(t, w.mirror+":latest", "refs/tags/v1.2.0", w.commits["v1.2.0"])
	})

	step("pre-release v1.3.0-rc.1", func(t *testing.T) {
		// A workflow that runs on tag pushes: no GitHub release yet,
		// --create-release makes one, marked pre-release and never the
		// latest.
		w.tag(t, "v1.3.0-rc.1")
		j := w.tagPushJob(t, "v1.3.0-rc.1", w.commits["v1.3.0-rc.1"])
		release(t, "v1.3.0-rc.1", &j, []string{"v1.3.0-rc.1"}, "--create-release")
		rel, ok := w.gh.Release(repository, "v1.3.0-rc.1")
		if !ok {
			t.Fatal("no GitHub release was created for v1.3.0-rc.1")
		}
		if !rel.Prerelease || rel.MakeLatest != "false" {
			t.Errorf("created release: prerelease %v, make_latest %q; want true, \"false\"", rel.Prerelease, rel.MakeLatest)
		}
		if !strings.Contains(rel.Body, "This is a pre-release.") || !strings.Contains(rel.Body, "ticket tags") ||
			!strings.Contains(rel.Body, "/compare/v1.2.0...v1.3.0-rc.1") || strings.Contains(rel.Body, "lifecycle stage") {
			t.Errorf("the pre-release body:\n%s", rel.Body)
		}
	})

	step("dry run of v1.3.0", func(t *testing.T) {
		// The final release of the candidate, planned only: the plan, what
		// would be signed and the notes, and no write anywhere.
		w.commits["v1.3.0"] = w.commits["v1.3.0-rc.1"]
		w.tag(t, "v1.3.0")
		src := w.pushBuild(t, "v1.3.0", w.commits["v1.3.0"], w.created)
		calls := w.gh.Calls()
		w.reg.Counter.Reset()
		res := w.run(t, w.releaseJob(t, "v1.3.0", w.commits["v1.3.0"]), "--dry-run")
		if res.code != 0 {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		if writes := w.reg.Counter.Writes(); len(writes) != 0 {
			t.Errorf("a dry run wrote to the registry: %v", writes)
		}
		w.checkRegistry(t, want)
		after := w.gh.Calls()
		for _, op := range []string{"repos/create-release", "repos/update-release"} {
			if after[op] != calls[op] {
				t.Errorf("a dry run called %s", op)
			}
		}
		for _, s := range []string{"dry-run: 8 tag(s) would be written; nothing was sent",
			"dry-run: would sign " + src.DigestStr() + " (index + 2 platform images) in 2 repositories (keyless)",
			"dry-run: the release notes that would be published:", "## v1.3.0", "/compare/v1.2.0...v1.3.0"} {
			if !strings.Contains(res.stderr, s) {
				t.Errorf("the dry run's log lacks %q:\n%s", s, res.stderr)
			}
		}
		var js struct {
			DryRun bool `json:"dry_run"`
			Plan   struct {
				Digest string `json:"digest"`
			} `json:"plan"`
		}
		if err := json.Unmarshal([]byte(res.outputs["json"]), &js); err != nil || !js.DryRun || js.Plan.Digest != src.DigestStr() {
			t.Errorf("output json (%v): %s", err, res.outputs["json"])
		}
		if res.outputs["digest"] != src.DigestStr() || !strings.Contains(res.outputs["tags"], w.mirror+":latest") ||
			!strings.Contains(res.summary, "### Release v1.3.0 (dry-run)") {
			t.Errorf("outputs %q\nsummary:\n%s", res.outputs, res.summary)
		}
	})

	step("re-run of v1.2.0", func(t *testing.T) {
		bodyBefore := w.body(t, "v1.2.0")
		sigs := w.signatureTags(t)
		rerun := func(t *testing.T) result {
			t.Helper()
			w.reg.Counter.Reset()
			res := w.run(t, w.releaseJob(t, "v1.2.0", w.commits["v1.2.0"]))
			if res.code != 0 {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			if writes := w.reg.Counter.Writes(); len(writes) != 0 {
				t.Errorf("a re-run wrote to the registry: %v", writes)
			}
			t.Logf("re-run: %s", w.reg.Counter.Summary())
			w.checkRegistry(t, want)
			if got := w.signatureTags(t); !maps.Equal(got, sigs) {
				t.Errorf("signatures changed:\n%s", cmp.Diff(sigs, got))
			}
			w.checkOutputs(t, res, digests["v1.2.0"], "v1.2.0", []string{"v1.2.0", "v1.2", "v1", "latest"})
			w.checkNotes(t, res, "v1.2.0", digests["v1.2.0"], []string{"v1.2.0", "v1.2", "v1", "latest"})
			return res
		}
		updates := w.gh.Calls()["repos/update-release"]
		rerun(t)
		// The notes compare with the highest version below v1.2.0 as it
		// is now (docs/notes.md, "The range"): v1.1.1, published since
		// the first run. That is the only change to the body.
		if n := w.gh.Calls()["repos/update-release"] - updates; n != 1 {
			t.Errorf("the re-run updated the release %d time(s), want 1 (the previous version is now v1.1.1)", n)
		}
		if b, want := w.body(t, "v1.2.0"), strings.ReplaceAll(bodyBefore, "v1.1.0", "v1.1.1"); b != want {
			t.Errorf("the release body after the re-run (-want +got):\n%s", cmp.Diff(want, b))
		}
		// A second re-run finds everything done: no write anywhere.
		updates, bodyBefore = w.gh.Calls()["repos/update-release"], w.body(t, "v1.2.0")
		rerun(t)
		if n := w.gh.Calls()["repos/update-release"] - updates; n != 0 {
			t.Errorf("the second re-run updated the release %d time(s)", n)
		}
		if b := w.body(t, "v1.2.0"); b != bodyBefore {
			t.Errorf("the release body changed:\n%s", cmp.Diff(bodyBefore, b))
		}
		w.cosignVerify(t, w.app+":latest", "refs/tags/v1.2.0", w.commits["v1.2.0"])
	})

	step("conflict: another build claims v1.2.0", func(t *testing.T) {
		// The same commit built again an hour later: another digest.
		src := w.pushBuild(t, "v1.2.0", w.commits["v1.2.0"], w.created.Add(time.Hour))
		if src.DigestStr() == digests["v1.2.0"] {
			t.Fatal("test bug: the rebuild has the released digest")
		}
		before := w.gh.TotalCalls()
		bodyBefore := w.body(t, "v1.2.0")
		sigs := w.signatureTags(t)
		w.reg.Counter.Reset()
		res := w.run(t, w.releaseJob(t, "v1.2.0", w.commits["v1.2.0"]))
		if res.code != 3 {
			t.Fatalf("exit %d, want 3 (refused)\n%s", res.code, res.stderr)
		}
		if !strings.Contains(res.stderr, "v1.2.0") || !strings.Contains(res.stderr, digests["v1.2.0"]) {
			t.Errorf("the refusal does not name the tag and the digest it holds:\n%s", res.stderr)
		}
		if writes := w.reg.Counter.Writes(); len(writes) != 0 {
			t.Errorf("a refused release wrote to the registry: %v", writes)
		}
		w.checkRegistry(t, want)
		if got := w.signatureTags(t); !maps.Equal(got, sigs) {
			t.Errorf("signatures changed:\n%s", cmp.Diff(sigs, got))
		}
		if n := w.gh.TotalCalls() - before; n != 0 {
			t.Errorf("a refused release made %d GitHub call(s)", n)
		}
		if b := w.body(t, "v1.2.0"); b != bodyBefore {
			t.Errorf("the release body changed:\n%s", cmp.Diff(bodyBefore, b))
		}
		if res.stdout != "" {
			t.Errorf("stdout of a refused release: %q", res.stdout)
		}
		if len(res.outputs) != 0 {
			t.Errorf("outputs of a refused release: %q", res.outputs)
		}
		if !strings.Contains(res.stderr, "::error title=sonic-release::tag "+w.app+":v1.2.0 already points at") {
			t.Errorf("no ::error annotation for the conflict:\n%s", res.stderr)
		}
		if !strings.Contains(res.summary, "conflict") {
			t.Errorf("the step summary does not show the conflict:\n%s", res.summary)
		}
	})
	// Every GitHub call was authenticated with the job's token.
	for _, c := range w.gh.Log() {
		if got := c.Header.Get("Authorization"); !strings.EqualFold(got, "Bearer ghs_e2etoken") {
			t.Errorf("%s %s: Authorization %q, want the job's GITHUB_TOKEN", c.Method, c.Path, got)
		}
	}
	t.Logf("whole test: %s; GitHub calls: %v", time.Since(start).Round(time.Millisecond), w.gh.Calls())
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{
		reg:     registrytest.StartRegistry(t),
		issuer:  sigstoretest.NewIssuer(t),
		gh:      fakegithub.New(t),
		builds:  map[string]string{},
		seeded:  map[string]bool{},
		created: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
	}
	w.fulcio = sigstoretest.StartFulcio(t, w.issuer)
	w.tsa = sigstoretest.StartTSA(t) // before Rekor: both want :2112
	t0 := time.Now()
	w.rekor = sigstoretest.StartRekor(t)
	t.Logf("Rekor (MariaDB, Trillian) up in %s", time.Since(t0).Round(time.Millisecond))
	_, w.trustRoot = sigstoretest.TrustedRoot(t, w.fulcio, w.tsa, w.rekor)
	w.app, w.mirror = w.reg.Repo(repository), w.reg.Repo("mirror/app")

	repo, err := demo.NewRepo(t.Context(), filepath.Join(t.TempDir(), "app"))
	if err != nil {
		t.Fatal(err)
	}
	w.repo = repo
	w.commits = map[string]string{}
	for _, r := range repo.Releases {
		w.commits[r.Version] = r.Commit
	}
	// A release candidate of the next minor version, on master.
	if err := os.WriteFile(filepath.Join(repo.Dir, "src", "tags.ts"), []byte("export const tags: string[] = [];\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.git(t, "add", "-A")
	w.git(t, "commit", "-q", "-m", "feat(tickets): ticket tags (#7)")
	w.commits["v1.3.0-rc.1"] = w.git(t, "rev-parse", "HEAD")
	repo.Head = w.commits["v1.3.0-rc.1"]
	// A version is tagged when its GitHub release is published, not
	// before: the clone of each job holds the tags of the releases so far.
	for _, r := range repo.Releases {
		w.git(t, "tag", "-d", r.Version)
	}

	// GitHub knows the pull requests behind the commits.
	w.gh.AddRepo(repository)
	merged := w.created.Add(-24 * time.Hour)
	for _, pr := range []fakegithub.PullRequest{
		{Number: 1, Title: "feat: initial schema", Author: "alice"},
		{Number: 2, Title: "feat(tickets): customer notes", Author: "alice"},
		{Number: 3, Title: "fix(api): trim ticket titles", Author: "bob"},
		{Number: 4, Title: "feat!: replace customer status with lifecycle stage", Author: "carol", Labels: []string{"breaking"}},
		{Number: 5, Title: "docs: upgrade notes for 1.2", Author: "bob"},
		{Number: 6, Title: "fix(auth): reject expired sessions", Author: "dave", Base: "release-1.1"},
		{Number: 7, Title: "feat(tickets): ticket tags", Author: "erin"},
	} {
		if pr.Base == "" {
			pr.Base = "master"
		}
		pr.MergedAt = merged
		w.gh.AddPull(repository, pr)
	}

	// What docker/login-action leaves for the job: a docker config.
	w.dockerCfg = t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(w.reg.User + ":" + w.reg.Password))
	cfg := fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, w.reg.Host, auth)
	if err := os.WriteFile(filepath.Join(w.dockerCfg, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// pushBuild pushes the application's image as the build step does (by
// digest, no tag) and returns its reference.
func (w *world) pushBuild(t *testing.T, version, commit string, created time.Time) name.Digest {
	t.Helper()
	idx, err := demo.Image(version, commit, created)
	if err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewDigest(w.app + "@" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithAuthFromKeychain(w.reg.Keychain()), remote.WithContext(t.Context())); err != nil {
		t.Fatalf("pushing the build: %v", err)
	}
	w.builds[commit] = ref.String()
	return ref
}

// git runs git in the application's repository.
func (w *world) git(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", w.repo.Dir, "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Env = gittest.Env(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// seedRelease creates the GitHub release a maintainer publishes, which
// triggers the release event.
func (w *world) seedRelease(t *testing.T, tag string) {
	t.Helper()
	w.seeded[tag] = true
	w.tag(t, tag)
	w.gh.AddRelease(repository, fakegithub.Release{TagName: tag, Name: tag, Body: maintainerText, TargetCommitish: "master"})
}

func (w *world) body(t *testing.T, tag string) string {
	t.Helper()
	rel, ok := w.gh.Release(repository, tag)
	if !ok {
		t.Fatalf("no GitHub release %s", tag)
	}
	return rel.Body
}

// tag tags the version's commit, as publishing its GitHub release does.
func (w *world) tag(t *testing.T, version string) {
	t.Helper()
	w.git(t, "tag", "-a", version, "-m", version, w.commits[version])
}

// payload writes a copy of a recorded webhook payload with the fields of
// this repository and event changed.
func payload(t *testing.T, recorded string, edit func(map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "tagging", "testdata", "events", recorded))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	r := p["repository"].(map[string]any)
	r["full_name"], r["name"], r["default_branch"] = repository, "app", "master"
	r["owner"].(map[string]any)["login"] = "acme"
	edit(p)
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func (w *world) pushJob(t *testing.T, branch, sha string) job {
	ref := "refs/heads/" + branch
	return job{event: "push", ref: ref, sha: sha, payload: payload(t, "push.branch.1.json", func(p map[string]any) {
		p["ref"], p["after"], p["before"], p["created"] = ref, sha, w.commits["v1.2.0"], false
		if hc, ok := p["head_commit"].(map[string]any); ok {
			hc["id"] = sha
		}
	})}
}

func (w *world) releaseJob(t *testing.T, tag, sha string) job {
	return job{event: "release", ref: "refs/tags/" + tag, sha: sha, payload: payload(t, "release.published.1.json", func(p map[string]any) {
		r := p["release"].(map[string]any)
		r["tag_name"], r["name"], r["prerelease"], r["target_commitish"] = tag, tag, false, "master"
	})}
}

func (w *world) tagPushJob(t *testing.T, tag, sha string) job {
	ref := "refs/tags/" + tag
	return job{event: "push", ref: ref, sha: sha, payload: payload(t, "push.tag.1.json", func(p map[string]any) {
		p["ref"], p["after"], p["created"], p["deleted"] = ref, sha, true, false
		if hc, ok := p["head_commit"].(map[string]any); ok {
			hc["id"] = sha
		}
	})}
}

// run runs `sonic-release release` as the workflow step does: the inputs
// as flags, the rest from the runner's environment, nothing inherited.
func (w *world) run(t *testing.T, j job, extra ...string) result {
	t.Helper()
	dir := t.TempDir()
	home, temp := filepath.Join(dir, "home"), filepath.Join(dir, "runner-temp")
	for _, d := range []string{home, temp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	outPath, sumPath := filepath.Join(dir, "output"), filepath.Join(dir, "step_summary")
	// The runner creates both files empty before the step.
	for _, p := range []string{outPath, sumPath} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	workflowRef := repository + "/.github/workflows/release.yml@" + j.ref
	// Fulcio issues the certificate for the claims of this run's token.
	w.issuer.SetClaims(map[string]string{"ref": j.ref, "sha": j.sha, "event_name": j.event, "repository": repository})
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home,
		"CI=true",
		"GITHUB_ACTIONS=true",
		"GITHUB_EVENT_NAME=" + j.event,
		"GITHUB_EVENT_PATH=" + j.payload,
		"GITHUB_REF=" + j.ref,
		"GITHUB_SHA=" + j.sha,
		"GITHUB_REPOSITORY=" + repository,
		"GITHUB_REPOSITORY_OWNER=acme",
		"GITHUB_ACTOR=acme",
		"GITHUB_API_URL=" + w.gh.URL,
		"GITHUB_SERVER_URL=" + serverURL,
		"GITHUB_WORKFLOW_REF=" + workflowRef,
		"GITHUB_RUN_ID=4242",
		"GITHUB_RUN_ATTEMPT=1",
		"GITHUB_TOKEN=ghs_e2etoken",
		"GITHUB_OUTPUT=" + outPath,
		"GITHUB_STEP_SUMMARY=" + sumPath,
		"RUNNER_TEMP=" + temp,
		"ACTIONS_ID_TOKEN_REQUEST_URL=" + w.issuer.ActionsURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + w.issuer.ActionsRequestToken,
		"DOCKER_CONFIG=" + w.dockerCfg,
	}
	args := append([]string{"release",
		"--source", w.sourceFor(t, j),
		"--image", w.app + "\n" + w.mirror + "\n", // a multi-line Action input
		"--fulcio-url", w.fulcio.URL,
		"--tsa-url", w.tsa.URL,
		"--trusted-root", w.trustRoot,
		"--rekor-url", w.rekor.URL,
		"--repo-dir", w.repo.Dir,
	}, extra...)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	cmd.Dir = w.repo.Dir
	var stdout bytes.Buffer
	stderr := &stepClock{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	t0 := time.Now()
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.buf.String(), steps: stderr.breakdown(t0, time.Now())}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running sonic-release: %v", err)
		}
		res.code = ee.ExitCode()
	}
	t.Logf("%s %s: exit %d in %s", j.event, j.ref, res.code, res.steps)
	// $GITHUB_OUTPUT, read as the runner reads it.
	if res.outputs, err = actions.ReadOutputs(outPath); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	res.summary = string(b)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("sonic-release %s: exit %d\nstderr:\n%s", strings.Join(args, " "), res.code, res.stderr)
		}
	})
	return res
}

// sourceFor is the build of the job: the digest its build step pushed
// last for the commit.
func (w *world) sourceFor(t *testing.T, j job) string {
	t.Helper()
	s, ok := w.builds[j.sha]
	if !ok {
		t.Fatalf("test bug: no build pushed for %s", j.sha)
	}
	return s
}

// checkRegistry compares the tags of both targets (signature tags aside)
// with want.
func (w *world) checkRegistry(t *testing.T, want map[string]string) {
	t.Helper()
	for _, repo := range []string{w.app, w.mirror} {
		got := map[string]string{}
		for tag, d := range w.reg.Tags(t, repo) {
			if !strings.HasPrefix(tag, "sha256-") {
				got[tag] = d
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tags of %s (-want +got):\n%s", repo, diff)
		}
	}
}

// signatureTags are the cosign signature tags of both targets and the
// digest of each signature manifest.
func (w *world) signatureTags(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, repo := range []string{w.app, w.mirror} {
		for tag, d := range w.reg.Tags(t, repo) {
			if strings.HasSuffix(tag, ".sig") {
				out[repo+":"+tag] = d
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no signature tags at all")
	}
	return out
}

// checkOutputs checks the step outputs: the digest, the tags of both
// targets, the version, and the json output against them.
func (w *world) checkOutputs(t *testing.T, res result, digest, version string, tags []string) {
	t.Helper()
	o := res.outputs
	for _, k := range []string{"digest", "tags", "version", "notes", "json"} {
		if _, ok := o[k]; !ok {
			t.Errorf("output %s is missing; outputs: %v", k, slices.Sorted(maps.Keys(o)))
		}
	}
	if o["digest"] != digest {
		t.Errorf("output digest = %q, want %q", o["digest"], digest)
	}
	if o["version"] != version {
		t.Errorf("output version = %q, want %q", o["version"], version)
	}
	var wantTags []string
	for _, repo := range []string{w.app, w.mirror} {
		for _, tag := range tags {
			wantTags = append(wantTags, repo+":"+tag)
		}
	}
	gotTags := strings.Split(o["tags"], "\n")
	slices.Sort(gotTags)
	slices.Sort(wantTags)
	if !slices.Equal(gotTags, wantTags) {
		t.Errorf("output tags:\n%s\nwant:\n%s", strings.Join(gotTags, "\n"), strings.Join(wantTags, "\n"))
	}
	var js struct {
		DryRun bool `json:"dry_run"`
		Plan   struct {
			Digest  string `json:"digest"`
			Version string `json:"version"`
		} `json:"plan"`
		Signing string `json:"signing"`
	}
	if err := json.Unmarshal([]byte(o["json"]), &js); err != nil {
		t.Errorf("output json: %v\n%s", err, o["json"])
	}
	if js.DryRun || js.Plan.Digest != digest || js.Plan.Version != version || js.Signing != "keyless" {
		t.Errorf("output json: dry_run %v, digest %q, version %q, signing %q", js.DryRun, js.Plan.Digest, js.Plan.Version, js.Signing)
	}
	if !strings.Contains(res.summary, "Digest `"+digest+"`") {
		t.Errorf("the step summary does not show the digest:\n%s", res.summary)
	}
	if o["notes"] != "" && !strings.Contains(res.summary, o["notes"]) {
		t.Errorf("the step summary does not hold the notes:\n%s", res.summary)
	}
	// Workflow commands: the steps are log groups.
	if !strings.Contains(res.stderr, "::group::") || !strings.Contains(res.stderr, "::endgroup::") {
		t.Errorf("no ::group:: in the log:\n%s", res.stderr)
	}
}

// identity is the certificate identity of this workflow at ref.
func identity(ref string) string {
	return serverURL + "/" + repository + "/.github/workflows/release.yml@" + ref
}

// verifyFlags make cosign verify offline against the local servers: the
// trusted root of Fulcio and the TSA, a timestamp instead of Rekor, no CT
// log.
func (w *world) verifyFlags() []string {
	return []string{"--trusted-root", w.trustRoot, "--use-signed-timestamps", "--insecure-ignore-sct"}
}

// cosignVerify checks ref's signature with the cosign v3 CLI: the keyless
// identity of the workflow at ref, the fake issuer, the annotations, the
// Rekor entry and the timestamp; one signature, not one per run. (cosign
// v2.6.5 ignores -a on the bundle of the default format both; checkNotes
// runs the notes' command with it.)
func (w *world) cosignVerify(t *testing.T, ref, gitRef, commit string) {
	t.Helper()
	args := append([]string{"verify", "--certificate-identity", identity(gitRef), "--certificate-oidc-issuer", w.issuer.URL,
		"-a", "commit=" + commit, "-a", "repository=" + repository,
		"-a", "workflow-ref=" + repository + "/.github/workflows/release.yml@" + gitRef}, w.verifyFlags()...)
	if v, ok := strings.CutPrefix(gitRef, "refs/tags/"); ok {
		args = append(args, "-a", "version="+v)
	}
	out, err := sigstoretest.Cosign3(t, []string{"DOCKER_CONFIG=" + w.dockerCfg}, append(args, ref)...)
	if err != nil {
		t.Errorf("cosign verify %s: %v\n%s", ref, err, out)
	}
	for _, s := range []string{"transparency log was verified offline", "code-signing certificate"} {
		if !strings.Contains(out, s) {
			t.Errorf("cosign verify %s does not say %q:\n%s", ref, s, out)
		}
	}
	if n := strings.Count(out, `"critical":`); n != 1 {
		t.Errorf("cosign verify %s: %d signatures, want 1:\n%s", ref, n, out)
	}
	// Another workflow's identity must not verify.
	args[2] = identity("refs/heads/evil")
	if out, err := sigstoretest.Cosign(t, []string{"DOCKER_CONFIG=" + w.dockerCfg}, append(args, ref)...); err == nil {
		t.Errorf("cosign verify %s accepted the identity %s:\n%s", ref, args[2], out)
	}
}

// checkNotes checks the release body: the maintainer's text kept, the
// notes between the markers equal to the notes output, the image section,
// and the cosign verify command of the notes, run as an operator would.
func (w *world) checkNotes(t *testing.T, res result, version, digest string, tags []string) {
	t.Helper()
	body := w.body(t, version)
	bi, ei := strings.Index(body, notes.BeginMarker), strings.Index(body, notes.EndMarker)
	if bi < 0 || ei < bi || strings.Count(body, notes.BeginMarker) != 1 {
		t.Fatalf("the release body of %s has no single pair of markers:\n%s", version, body)
	}
	if w.seeded[version] && !strings.HasPrefix(body, maintainerText) {
		t.Errorf("the maintainer's text is gone from %s:\n%s", version, body)
	}
	inside := strings.TrimSpace(body[bi+len(notes.BeginMarker) : ei])
	if inside != strings.TrimSpace(res.outputs["notes"]) {
		t.Errorf("the release body differs from the notes output:\n%s", cmp.Diff(strings.TrimSpace(res.outputs["notes"]), inside))
	}
	for _, s := range []string{"## " + version, "### Container image", "`" + w.app + "@" + digest + "`",
		"docker pull " + w.app + "@" + digest, "SONICSAAS_IMAGE_TAG=" + version, "linux/amd64", "linux/arm64"} {
		if !strings.Contains(inside, s) {
			t.Errorf("the notes of %s lack %q:\n%s", version, s, inside)
		}
	}
	for _, tag := range tags {
		if !strings.Contains(inside, "| `"+tag+"` | `"+digest+"` |") {
			t.Errorf("the notes of %s do not list the tag %s:\n%s", version, tag, inside)
		}
	}
	// The verify command of the notes, with the flags that make cosign
	// use the local Sigstore instead of the public one.
	var verify string
	for _, line := range strings.Split(inside, "\n") {
		if strings.HasPrefix(line, "cosign verify ") {
			verify = line
		}
	}
	wantCmd := fmt.Sprintf("cosign verify --certificate-identity %s --certificate-oidc-issuer %s %s@%s",
		identity("refs/tags/"+version), w.issuer.URL, w.app, digest)
	if verify != wantCmd {
		t.Fatalf("verify command of the notes:\n%s\nwant:\n%s", verify, wantCmd)
	}
	args := append(strings.Fields(verify)[1:], w.verifyFlags()...)
	if out, err := sigstoretest.Cosign(t, []string{"DOCKER_CONFIG=" + w.dockerCfg}, args...); err != nil {
		t.Errorf("the notes' verify command fails: %v\n%s", err, out)
	}
}
