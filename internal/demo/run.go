package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v2/pkg/cosign"

	"github.com/sonicsaas/sonic-release/internal/ghcrsim"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/prune"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
)

// Config is what Run needs.
type Config struct {
	// Dir is where the demo writes its repository, keys and notes.
	Dir string
	// Out receives the narrative.
	Out io.Writer
	// Migrations analyses the migrations of a release in the demo
	// repository; nil leaves the migration section out of the notes.
	Migrations pipeline.AnalyzeFunc
	// Upgrades makes the upgrade and rollback table of a release; nil
	// leaves it out.
	Upgrades pipeline.UpgradesFunc
}

// Summary is what the demo did, for tests and callers.
type Summary struct {
	Registry  string            // host:port of the embedded registry
	App       string            // the GHCR-like target repository
	Mirror    string            // the mirror repository
	Tags      map[string]string // the app repository's tags → digests at the end
	Digests   map[string]string // version (or "master") → released digest
	Notes     string            // path of the v1.2.0 notes file
	ReRunPuts int               // write requests of the re-run of v1.2.0
	Refused   error             // the refusal of a conflicting v1.2.0
	// Yanked are the app repository's tags → digests once v1.2.0 was
	// yanked (before the unyank restored it).
	Yanked map[string]string
	Prune  *prune.Plan // the dry-run prune of the app repository
}

const password = "sonic-demo"

// Run starts an embedded registry on loopback and runs the real release
// pipeline (package pipeline: plan, tags, cosign signature, notes) over the
// history of the demo repository, narrating it on cfg.Out.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	w := cfg.Out
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the embedded registry: %w", err)
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0))), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // closed below
	defer srv.Close()
	host := ln.Addr().String()
	sum := &Summary{Registry: host, App: host + "/sonicsaas/sonicsaas-app", Mirror: host + "/mirror/sonicsaas-app",
		Digests: map[string]string{}}

	repo, err := NewRepo(ctx, filepath.Join(cfg.Dir, "sonicsaas-app"))
	if err != nil {
		return nil, err
	}
	keys, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(password), nil })
	if err != nil {
		return nil, fmt.Errorf("generating the signing key: %w", err)
	}
	pubPath := filepath.Join(cfg.Dir, "cosign.pub")
	if err := os.WriteFile(filepath.Join(cfg.Dir, "cosign.key"), keys.PrivateBytes, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(pubPath, keys.PublicBytes, 0o644); err != nil {
		return nil, err
	}

	fmt.Fprintf(w, "sonic-release demo: a whole release pipeline, offline, on this machine\n\n")
	fmt.Fprintf(w, "  registry     http://%s (embedded, in memory)\n", host)
	fmt.Fprintf(w, "  targets      %s  and its mirror  %s\n", sum.App, sum.Mirror)
	fmt.Fprintf(w, "  repository   %s (Drizzle migrations, releases v1.0.0 v1.1.0 v1.2.0, backport v1.1.1)\n", repo.Dir)
	fmt.Fprintf(w, "  signing key  %s (cosign, ECDSA P-256, made just now)\n", pubPath)

	writes := &writeCounter{rt: http.DefaultTransport}
	signer, err := sign.New(sign.WithKey(keys.PrivateBytes, func() ([]byte, error) { return []byte(password), nil }),
		sign.WithRemoteOptions(remote.WithTransport(writes)))
	if err != nil {
		return nil, err
	}
	targets := []name.Repository{mustRepo(sum.App), mustRepo(sum.Mirror)}
	// What GHCR's Packages API would list for the app repository: a
	// version per manifest, dated by the demo's clock (an hour a step).
	pkg := ghcrsim.NewPackage(mustRepo(sum.App))
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	step := func(title string, ev tagging.Event, img v1.ImageIndex, withNotes bool) (pipeline.Result, error) {
		fmt.Fprintf(w, "\n▸ %s\n", title)
		d, err := pushBuild(ctx, host, img)
		if err != nil {
			return pipeline.Result{}, err
		}
		pc := pipeline.Config{
			Source:  release.RegistrySource(d),
			Targets: targets,
			Event:   ev,
			Release: []release.Option{release.WithTransport(writes)},
			Signer:  signer,
			Signing: notes.Signing{Key: "cosign.pub"},
		}
		if withNotes {
			pc.Notes = &pipeline.NotesConfig{Input: notes.Input{RepoDir: repo.Dir}, Migrations: cfg.Migrations, Upgrades: cfg.Upgrades}
		}
		before := writes.n.Load()
		res, err := pipeline.Run(ctx, pc)
		defer res.Plan.Close()
		if err != nil {
			return res, err
		}
		printSteps(w, res, writes.n.Load()-before)
		clock = clock.Add(time.Hour)
		return res, pkg.Observe(ctx, clock)
	}

	// The history, in the order a project lives it.
	rel := map[string]Release{}
	for _, r := range repo.Releases {
		rel[r.Version] = r
	}
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, v := range []string{"v1.0.0", "v1.1.0", "v1.2.0", "v1.1.1"} {
		r := rel[v]
		img, err := Image(v, r.Commit, created)
		if err != nil {
			return nil, err
		}
		title := "release " + v
		if v == "v1.1.1" {
			title += " (a backport on release-1.1, after v1.2.0 shipped)"
		}
		res, err := step(title, releaseEvent(v, r.Commit), img, true)
		if err != nil {
			return nil, fmt.Errorf("releasing %s: %w", v, err)
		}
		sum.Digests[v] = res.Plan.Digest
		if v == "v1.2.0" && res.Markdown != "" {
			sum.Notes = filepath.Join(cfg.Dir, "release-notes-v1.2.0.md")
			if err := os.WriteFile(sum.Notes, []byte(res.Markdown), 0o644); err != nil {
				return nil, err
			}
			fmt.Fprintf(w, "  notes        %s\n", sum.Notes)
			if strings.Contains(res.Markdown, "[!CAUTION]") {
				fmt.Fprintf(w, "               ⚠ flags a migration v1.1.x cannot run against: back up before upgrading\n")
			}
		}
	}
	// CI builds every push to master; two earlier ones, then the head.
	for _, v := range []string{"v1.0.0", "v1.1.0"} {
		c := rel[v].Commit
		img, err := Image("master", c, created)
		if err != nil {
			return nil, err
		}
		if _, err := step("push to master "+c[:7]+" (the commit of "+v+")", tagging.Event{Kind: tagging.EventBranch, Branch: "master", DefaultBranch: "master", SHA: c}, img, false); err != nil {
			return nil, fmt.Errorf("releasing master: %w", err)
		}
	}
	img, err := Image("master", repo.Head, created)
	if err != nil {
		return nil, err
	}
	res, err := step("push to master "+repo.Head[:7], tagging.Event{Kind: tagging.EventBranch, Branch: "master", DefaultBranch: "master", SHA: repo.Head}, img, false)
	if err != nil {
		return nil, fmt.Errorf("releasing master: %w", err)
	}
	sum.Digests["master"] = res.Plan.Digest

	// A re-run of a finished release writes nothing.
	img, _ = Image("v1.2.0", rel["v1.2.0"].Commit, created)
	before := writes.n.Load()
	if _, err := step("re-run of release v1.2.0 (idempotent)", releaseEvent("v1.2.0", rel["v1.2.0"].Commit), img, false); err != nil {
		return nil, err
	}
	sum.ReRunPuts = int(writes.n.Load() - before)

	// Another build of v1.2.0 is refused before anything is written.
	other, _ := Image("v1.2.0", rel["v1.2.0"].Commit, created.Add(time.Hour))
	_, err = step("another build claiming v1.2.0 (must be refused)", releaseEvent("v1.2.0", rel["v1.2.0"].Commit), other, false)
	var conflict *release.ConflictError
	if !errors.As(err, &conflict) {
		return nil, fmt.Errorf("the conflicting v1.2.0 was not refused: %v", err)
	}
	sum.Refused = err
	fmt.Fprintf(w, "  refused (exit 3): %s\n", firstLine(err.Error()))

	// A bad release withdrawn, then restored.
	if sum.Yanked, err = yankStep(ctx, w, targets, keys.PublicBytes); err != nil {
		return nil, err
	}

	// What an operator runs: verify the published tags with the public key.
	fmt.Fprintf(w, "\n▸ verify, as an operator would (cosign verify --key cosign.pub …)\n")
	for _, tag := range []string{"v1.2.0", "latest", "v1.1", "master"} {
		vr, err := sign.Verify(ctx, sum.App+":"+tag, sign.WithPublicKey(keys.PublicBytes), sign.WithRequireTransparencyLog(false))
		if err != nil {
			return nil, fmt.Errorf("verifying %s: %w", tag, err)
		}
		fmt.Fprintf(w, "  ✓ %-8s %s  (index and %d platform images signed)\n", tag, vr.Digest, len(vr.Manifests)-1)
	}

	sum.Tags = map[string]string{}
	tags, err := remote.List(mustRepo(sum.App), remote.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		// cosign's sha256-<hex>.sig / .att and the referrers fallback
		// sha256-<hex> tags describe images; they are not release tags.
		if strings.HasPrefix(t, "sha256-") {
			continue
		}
		desc, err := remote.Head(mustRepo(sum.App).Tag(t), remote.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		sum.Tags[t] = desc.Digest.String()
	}
	fmt.Fprintf(w, "\n▸ where the tags ended (%s)\n", sum.App)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range []string{"latest", "v1", "v1.2", "v1.2.0", "v1.1", "v1.1.1", "v1.1.0", "v1.0", "v1.0.0", "master", "master-" + repo.Head[:7]} {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", t, short(sum.Tags[t]), versionOf(sum.Digests, sum.Tags[t]))
	}
	tw.Flush()

	// GHCR keeps every build forever: what a prune would delete, dry run.
	fmt.Fprintf(w, "\n▸ prune, dry run (sonic-release prune %s --keep 1)\n", sum.App)
	sum.Prune, err = prune.BuildPlan(ctx, pkg, mustRepo(sum.App), prune.Policy{Keep: 1, Branch: "master"}, prune.WithClock(func() time.Time { return clock }))
	if err != nil {
		return nil, fmt.Errorf("planning the prune: %w", err)
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, it := range sum.Prune.Deletions() {
		fmt.Fprintf(tw, "  delete\t%s\t%s\n", short(it.Digest), it.Reason)
	}
	tw.Flush()
	fmt.Fprintf(w, "  %d of %d versions would go (about %d bytes); the %d kept include every platform image and signature of every tag above\n",
		sum.Prune.DeleteCount, sum.Prune.DeleteCount+sum.Prune.KeepCount, sum.Prune.Bytes, sum.Prune.KeepCount)
	fmt.Fprintf(w, "\nEverything above ran the same code as `sonic-release release` in GitHub Actions.\n")
	return sum, nil
}

func releaseEvent(version, commit string) tagging.Event {
	v, _ := tagging.ParseVersion(version)
	return tagging.Event{Kind: tagging.EventRelease, Version: v, SHA: commit, DefaultBranch: "master"}
}

// pushBuild pushes the CI build by digest, as docker/build-push-action does.
func pushBuild(ctx context.Context, host string, img v1.ImageIndex) (name.Digest, error) {
	d, err := img.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	ref, err := name.NewDigest(host + "/sonicsaas/ci@" + d.String())
	if err != nil {
		return name.Digest{}, err
	}
	if err := remote.WriteIndex(ref, img, remote.WithContext(ctx)); err != nil {
		return name.Digest{}, fmt.Errorf("pushing the CI build: %w", err)
	}
	return ref, nil
}

func printSteps(w io.Writer, res pipeline.Result, writes int64) {
	p := res.Plan
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	seen := map[string]bool{}
	for _, t := range p.Targets {
		for _, tp := range t.Tags {
			if seen[tp.Tag] {
				continue // the mirror gets the same decisions
			}
			seen[tp.Tag] = true
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", tp.Tag, tp.Op, tp.Reason)
		}
	}
	tw.Flush()
	signed := "unsigned"
	if res.Applied != nil && len(res.Applied.Signed) > 0 {
		signed = fmt.Sprintf("signed in %d repositories (index + %d platform images)", len(res.Applied.Signed), len(p.Platforms))
	}
	fmt.Fprintf(w, "  digest       %s · %s · %d write requests\n", short(p.Digest), signed, writes)
}

// writeCounter counts the requests that change a registry.
type writeCounter struct {
	rt http.RoundTripper
	n  atomic.Int64
}

func (c *writeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		c.n.Add(1)
	}
	return c.rt.RoundTrip(r)
}

func mustRepo(s string) name.Repository {
	r, err := name.NewRepository(s)
	if err != nil {
		panic(err)
	}
	return r
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	if d == "" {
		return "-"
	}
	return d
}

func versionOf(digests map[string]string, d string) string {
	for v, x := range digests {
		if x == d {
			return "= " + v
		}
	}
	return ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
