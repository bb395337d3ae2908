package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

// BenchmarkReleaseGitHubLatency runs the whole release job of a version
// with GitHub, as the Action runs it: `sonic-release release` with the
// runner's environment, a key-signed 2-platform index released as v1.2.3
// (v1.2.2 released before) into one repository, provenance attached and
// stored through the attestations API, and the notes (the clone's git log
// and the pull requests listed from GitHub) published into the GitHub
// release. The fake GitHub and the real distribution registry each sit
// behind a latencyProxy with the same round trip (SONIC_BENCH_RTT, 20ms by
// default).
//
// Scenarios: a tag push (the release is drafted before the first tag and
// published last), a `release: published` event (the maintainer's release
// gets its notes), and a re-run of each. ns/op is the wall time of the
// process; ghcalls/op and requests/op count what reached GitHub and the
// registry; rt/op is wall ÷ RTT. SONIC_BENCH_TRACE=1 logs every GitHub
// call and registry request of each timed run in one timeline (-v).
func BenchmarkReleaseGitHubLatency(b *testing.B) {
	rtt := latencyRTT(b)
	reg := registrytest.StartRegistry(b)
	rpx := startLatencyProxy(b, reg.Host, rtt)
	host := rpx.host
	kc := (&registrytest.Server{Host: host, User: reg.User, Password: reg.Password}).Keychain()
	gh := fakegithub.New(b)
	gpx := startLatencyProxy(b, strings.TrimPrefix(gh.URL, "http://"), rtt)
	bin := sonicReleaseBin(b)
	_, _, privPath, _ := sigstoretest.KeyPair(b)
	cfg := dockerConfig(b, host, reg.User, reg.Password)

	// The application's clone: v1.2.2, then three merged pull requests and
	// v1.2.3 (annotated tags, as a maintainer pushes them).
	repo := gittest.New(b)
	repo.Commit("feat: initial import (#1)", nil)
	repo.Git("tag", "-a", "v1.2.2", "-m", "v1.2.2")
	prs := []fakegithub.PullRequest{
		{Number: 2, Title: "feat(api): ticket search", Author: "alice"},
		{Number: 3, Title: "fix(api): trim ticket titles", Author: "bob"},
		{Number: 4, Title: "docs: upgrade notes", Author: "carol"},
	}
	for _, pr := range prs {
		repo.Commit(fmt.Sprintf("%s (#%d)", pr.Title, pr.Number), nil)
	}
	repo.Git("tag", "-a", "v1.2.3", "-m", "v1.2.3")
	sha := repo.Git("rev-parse", "v1.2.3^{commit}")
	src := pushIndex(b, host+"/build/app:v1.2.3", kc, sha)
	merged := gittest.T0.Add(time.Hour)

	// seed makes a fresh GitHub repository for one run: the pull requests
	// and the published release v1.2.2; published adds the maintainer's
	// published release v1.2.3.
	seed := func(full string, published bool) {
		gh.AddRepo(full)
		for _, pr := range prs {
			pr.Base, pr.MergedAt = "main", merged
			gh.AddPull(full, pr)
		}
		gh.AddRelease(full, fakegithub.Release{TagName: "v1.2.2", Name: "v1.2.2", Body: "v1.2.2\n", TargetCommitish: "main"})
		if published {
			gh.AddRelease(full, fakegithub.Release{TagName: "v1.2.3", Name: "v1.2.3", Body: "Hand-written by the maintainer.\n", TargetCommitish: "main"})
		}
	}
	tagPush := writePayload(b, "push.tag.1.json", func(p map[string]any) {
		p["ref"], p["after"], p["created"], p["deleted"] = "refs/tags/v1.2.3", sha, true, false
		if hc, ok := p["head_commit"].(map[string]any); ok {
			hc["id"] = sha
		}
	})
	published := writePayload(b, "release.published.1.json", func(p map[string]any) {
		r := p["release"].(map[string]any)
		r["tag_name"], r["name"], r["prerelease"], r["target_commitish"] = "v1.2.3", "v1.2.3", false, "main"
	})

	run := func(b *testing.B, full, target, event, payload string) {
		dir := b.TempDir()
		out, sum := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
		for _, p := range []string{out, sum} {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "release", "--source", src.String(), "--image", target,
			"--sign", "key", "--key", privPath, "--tlog-upload=false", "--repo-dir", repo.Dir)
		cmd.Dir = repo.Dir
		cmd.Env = []string{
			"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + dir, "TUF_ROOT=" + filepath.Join(dir, "tuf"),
			"DOCKER_CONFIG=" + cfg, "COSIGN_PASSWORD=" + sigstoretest.KeyPassword,
			"CI=true", "GITHUB_ACTIONS=true",
			"GITHUB_EVENT_NAME=" + event, "GITHUB_EVENT_PATH=" + payload,
			"GITHUB_REF=refs/tags/v1.2.3", "GITHUB_SHA=" + sha,
			"GITHUB_REPOSITORY=" + full, "GITHUB_REPOSITORY_OWNER=acme", "GITHUB_ACTOR=acme",
			"GITHUB_API_URL=http://" + gpx.host, "GITHUB_SERVER_URL=https://github.com",
			"GITHUB_WORKFLOW_REF=" + full + "/.github/workflows/release.yml@refs/tags/v1.2.3",
			"GITHUB_RUN_ID=4242", "GITHUB_RUN_ATTEMPT=1", "GITHUB_TOKEN=ghs_benchtoken",
			"GITHUB_OUTPUT=" + out, "GITHUB_STEP_SUMMARY=" + sum, "RUNNER_TEMP=" + dir,
		}
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sonic-release release (%s): %v\n%s", event, err, o)
		}
	}

	scenarios := []struct {
		name, event, payload string
		published, rerun     bool
	}{
		{"tag-push", "push", tagPush, false, false},
		{"tag-push-rerun", "push", tagPush, false, true},
		{"release-published", "release", published, true, false},
		{"release-published-rerun", "release", published, true, true},
	}
	runID := 0
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			var reqs, calls int
			var wall time.Duration
			for range b.N {
				b.StopTimer()
				runID++
				full := "acme/app-" + strconv.Itoa(runID)
				target := host + "/bench/gh-" + strconv.Itoa(runID)
				seed(full, sc.published)
				if sc.rerun {
					run(b, full, target, sc.event, sc.payload)
				}
				rpx.reset()
				gpx.reset()
				gpx.mu.Lock()
				gpx.start = rpx.start // one timeline
				gpx.mu.Unlock()
				start := time.Now()
				b.StartTimer()
				run(b, full, target, sc.event, sc.payload)
				b.StopTimer()
				wall += time.Since(start)
				rs, gs := rpx.stats(), gpx.stats()
				if tr := timeline(rpx.traced(), gpx.traced()); tr != nil {
					b.Logf("%d GitHub calls and %d registry requests, by time since the start (RTT %v):\n%s", gs.reqs, rs.reqs, rtt, strings.Join(tr, "\n"))
				}
				reqs += rs.reqs
				calls += gs.reqs
			}
			n := float64(b.N)
			b.ReportMetric(float64(calls)/n, "ghcalls/op")
			b.ReportMetric(float64(reqs)/n, "requests/op")
			if rtt > 0 {
				b.ReportMetric(float64(wall)/float64(rtt)/n, "rt/op")
			}
		})
	}
}

// timeline merges the registry's and GitHub's traces ("+ms METHOD path")
// by time, marking each line with its side; nil without a trace.
func timeline(registry, github []string) []string {
	if registry == nil && github == nil {
		return nil
	}
	type line struct {
		ms   int
		text string
	}
	var all []line
	add := func(side string, tr []string) {
		for _, l := range tr {
			f := strings.Fields(l)
			ms, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(f[0], "+"), "ms"))
			all = append(all, line{ms, fmt.Sprintf("%s %-8s %s", f[0], side, strings.Join(f[1:], " "))})
		}
	}
	add("github", github)
	add("registry", registry)
	sort.SliceStable(all, func(i, j int) bool { return all[i].ms < all[j].ms })
	out := make([]string, len(all))
	for i, l := range all {
		out[i] = l.text
	}
	return out
}

// writePayload writes a copy of a recorded webhook payload
// (../shared/github/events) for the repository acme/app with edit applied.
func writePayload(b *testing.B, recorded string, edit func(map[string]any)) string {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "tagging", "testdata", "events", recorded))
	if err != nil {
		b.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		b.Fatal(err)
	}
	r := p["repository"].(map[string]any)
	r["full_name"], r["name"], r["default_branch"] = "acme/app", "app", "main"
	r["owner"].(map[string]any)["login"] = "acme"
	edit(p)
	out, err := json.Marshal(p)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), recorded)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}
