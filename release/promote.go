package release

// Promote the tested image instead of rebuilding it: a version release
// takes the image the push of its commit already built, tested and tagged,
// so vX.Y.Z is byte for byte the master-<sha> that CI tested.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/tagging"
)

// AutoSourceName is the source setting that promotes the tested image
// (Promote).
const AutoSourceName = "auto"

// Promotion is the tested image Promote found.
type Promotion struct {
	// Source is the image by digest, as BuildPlan takes it.
	Source Source `json:"-"`
	// Tag is the commit tag it was found by, REPO:TAG.
	Tag    string `json:"tag"`
	Digest string `json:"digest"`
	// Revision is its org.opencontainers.image.revision: the commit.
	Revision string `json:"revision"`
}

// PromotionTags are the commit tags Promote looks for, in order, for the
// release ev: the one sonic-release writes on the push of the commit to
// the default branch, <default branch>-<short sha>, then the one of a
// backport built on its release branch (release/X.Y or release-X.Y),
// release-X.Y-<short sha>, which that branch's build pushes. The short
// sha has the policy's length.
func PromotionTags(ev tagging.Event, pol tagging.Policy) ([]string, error) {
	n := pol.SHALength
	if n == 0 {
		n = tagging.DefaultSHALength
	}
	sha, err := tagging.ParseSHA(ev.SHA)
	if err != nil {
		return nil, err
	}
	if len(sha) < n {
		return nil, badInputf("commit id %q is shorter than the sha length %d: give the full commit id of %s", ev.SHA, n, ev.Tag)
	}
	def := ev.DefaultBranch
	if def == "" {
		def = "master"
	}
	short := sha[:n]
	return []string{
		def + "-" + short,
		fmt.Sprintf("release-%d.%d-%s", ev.Version.Major(), ev.Version.Minor(), short),
	}, nil
}

// Promote finds, in repo, the tested image of the version release ev: the
// first of PromotionTags that exists, whose revision label must be the
// release's commit. It reads and writes nothing else; the release then
// copies no blob within repo's registry (the manifest is there, or its
// blobs are mounted). A missing image, or one without that label, is a
// *TestedImageError.
func Promote(ctx context.Context, repo name.Repository, ev tagging.Event, pol tagging.Policy, opts ...Option) (Promotion, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return Promotion{}, err
	}
	if ev.Kind != tagging.EventRelease {
		return Promotion{}, badInputf("the tested image is promoted for a version release only: a push to a branch releases the image its build pushed, by digest")
	}
	if ev.SHA == "" {
		return Promotion{}, &tagging.InputError{What: fmt.Sprintf("no commit id for %s", ev.Version), Expect: "give the commit id of the tag, whose tested image is promoted", Missing: tagging.MissingSHA}
	}
	tags, err := PromotionTags(ev, pol)
	if err != nil {
		return Promotion{}, err
	}
	c := newClients(o, []name.Repository{repo}, nil)
	for _, tag := range tags {
		d, err := headDigest(ctx, c, repo.Tag(tag))
		if err != nil {
			return Promotion{}, err
		}
		if d == "" {
			o.Log.Debug("no tested image", "tag", repo.Tag(tag).String())
			continue
		}
		src := RegistrySource(repo.Digest(d))
		art, err := src.open(ctx, o, c)
		if err != nil {
			return Promotion{}, err
		}
		rev, err := art.revision()
		if err != nil {
			return Promotion{}, fmt.Errorf("reading the revision label of %q: %w", repo.Tag(tag), err)
		}
		if rev == "" || !sameCommit(rev, ev.SHA) {
			return Promotion{}, &TestedImageError{Version: ev.Version.String(), SHA: ev.SHA, DefaultBranch: ev.DefaultBranch, Repo: repo.Name(), Tags: tags, Found: tag, Revision: rev}
		}
		o.Log.Info("promoting the tested image", "tag", repo.Tag(tag).String(), "digest", d, "revision", rev)
		return Promotion{Source: src, Tag: repo.Tag(tag).String(), Digest: d, Revision: rev}, nil
	}
	return Promotion{}, &TestedImageError{Version: ev.Version.String(), SHA: ev.SHA, DefaultBranch: ev.DefaultBranch, Repo: repo.Name(), Tags: tags}
}

// TestedImageError is a version whose tested image cannot be promoted:
// none of its commit tags exists (Found empty), or the one found does not
// carry the release's commit as its revision label.
type TestedImageError struct {
	Version, SHA, DefaultBranch, Repo string
	// Tags are the commit tags looked for, in order.
	Tags []string
	// Found is the tag found, and Revision its label ("" for none).
	Found, Revision string
}

func (e *TestedImageError) Error() string {
	short := e.SHA
	if len(short) > 12 {
		short = short[:12]
	}
	how := fmt.Sprintf("or release a build of commit %s instead, giving its image by digest as the source (%s@sha256:…)", short, e.Repo)
	if e.Found == "" {
		return fmt.Sprintf("no tested image of %s to promote: %s has neither %s (commit %s). "+
			"The workflow run of the push of commit %s to %s should have built it and tagged it %s: check that run (its build and its release step) and run it again; "+
			"for a backport, the build of the push to its release branch pushes %s:%s; %s",
			e.Version, e.Repo, strings.Join(e.Tags, " nor "), e.SHA, short, branchOr(e.DefaultBranch), e.Tags[0], e.Repo, e.Tags[len(e.Tags)-1], how)
	}
	if e.Revision == "" {
		return fmt.Sprintf("%s:%s has no %s label: nothing shows it was built from commit %s of %s, so it is not promoted; label the build with its commit (docker/metadata-action does), %s",
			e.Repo, e.Found, RevisionLabel, e.SHA, e.Version, how)
	}
	return fmt.Sprintf("%s:%s was built from commit %s (%s), not from commit %s of %s, so it is not promoted: the commit tag does not name its build; %s",
		e.Repo, e.Found, e.Revision, RevisionLabel, e.SHA, e.Version, how)
}

// Refused reports a refusal (exit 3): nothing was written.
func (e *TestedImageError) Refused() bool { return true }

func branchOr(b string) string {
	if b == "" {
		return "master"
	}
	return b
}

// AutoSource stands for the source setting "auto" where nothing is
// released (a pull request): it is never opened. A version release takes
// Promote's source instead.
func AutoSource() Source { return autoSource{} }

type autoSource struct{}

func (autoSource) String() string { return AutoSourceName }

func (autoSource) open(context.Context, *options, *clients) (*artifact, error) {
	return nil, errors.New("the source auto is resolved by Promote for a version release")
}
