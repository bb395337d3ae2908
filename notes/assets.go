package notes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
)

// AssetFile is a file to attach to a GitHub release.
type AssetFile struct {
	// Name is the asset's name on the release, a plain file name.
	Name string `json:"name"`
	// Path is the local file. Its bytes are streamed from disk, never
	// held in memory.
	Path string `json:"-"`
	// KeepExisting keeps an asset of the same name whatever its content:
	// for a signature, which differs on every run but stays valid for
	// the same signed file.
	KeepExisting bool `json:"-"`
}

// AssetState is an asset a release holds, with its digest and state
// (what ReleaseAssets does not read).
type AssetState struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Size int64  `json:"size"`
	// Digest is "sha256:…" where GitHub reports it (assets uploaded
	// since mid-2025), else empty.
	Digest string `json:"digest,omitempty"`
	// State is "uploaded" for a complete asset; an upload that failed
	// upstream may leave one in another state ("starter").
	State string `json:"state"`
	URL   string `json:"browser_download_url"`
}

// ReleaseAssetStates lists the assets of release id with their digests and
// states (go-github v62 does not read the digest field).
func ReleaseAssetStates(ctx context.Context, repository string, id int64, opts ...Option) ([]AssetState, error) {
	_, c, owner, name, err := repoClient(repository, opts)
	if err != nil {
		return nil, err
	}
	return listAssets(ctx, c, owner, name, id)
}

func listAssets(ctx context.Context, c *github.Client, owner, repo string, id int64) ([]AssetState, error) {
	var out []AssetState
	for page := 1; ; {
		req, err := c.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/releases/%d/assets?per_page=100&page=%d", owner, repo, id, page), nil)
		if err != nil {
			return nil, err
		}
		var as []AssetState
		resp, err := c.Do(ctx, req, &as)
		if err != nil {
			return nil, fmt.Errorf("listing the assets of release %d of %s/%s: %w", id, owner, repo, err)
		}
		out = append(out, as...)
		if resp.NextPage == 0 {
			return out, nil
		}
		page = resp.NextPage
	}
}

// AssetsInput says which files to attach to which release.
type AssetsInput struct {
	// Repository is "owner/name"; Tag the release's tag. Required.
	Repository string
	Tag        string
	// ReleaseID is the release, when known (a draft just created);
	// 0 finds the release of Tag, drafts included.
	ReleaseID int64
	Assets    []AssetFile
}

// AssetResult says what happened to one asset.
type AssetResult struct {
	Name string `json:"name"`
	// Action is "uploaded" or "kept" (the release holds it already).
	Action string `json:"action"`
	Size   int64  `json:"size"`
	URL    string `json:"url,omitempty"`
}

// AssetConflictError is an asset the release already holds with other
// content: like an immutable image tag, it is not replaced. Refused
// reports true.
type AssetConflictError struct {
	Tag, Name          string
	Size, ExistingSize int64
	Digest, Existing   string
	// Reason, when set, says what differs instead of the sizes and digests.
	Reason string
}

func (e *AssetConflictError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("the release of %s already holds an asset %s: %s: release assets are not replaced; delete the asset on GitHub if it is wrong and run again", e.Tag, e.Name, e.Reason)
	}
	return fmt.Sprintf("the release of %s already holds an asset %s with other content (%d bytes, %s; this run made %d bytes, %s): release assets are not replaced; delete the asset on GitHub if it is wrong and run again",
		e.Tag, e.Name, e.ExistingSize, orUnknown(e.Existing), e.Size, e.Digest)
}

// Refused reports the conflict as a policy refusal.
func (e *AssetConflictError) Refused() bool { return true }

func orUnknown(s string) string {
	if s == "" {
		return "digest unknown"
	}
	return s
}

// CheckAssets compares the files to attach with the assets a release
// holds: an asset of the same name and content (digest when GitHub
// reports one, else size) is kept, a missing one is to upload, and one
// with other content is an *AssetConflictError. It reads the files (to
// hash them) but sends nothing.
func CheckAssets(tag string, assets []AssetFile, existing []AssetState) (upload []AssetFile, kept []AssetResult, err error) {
	have := map[string]AssetState{}
	for _, a := range existing {
		if a.State == "" || a.State == "uploaded" {
			have[a.Name] = a
		}
	}
	for _, a := range assets {
		old, ok := have[a.Name]
		if !ok {
			upload = append(upload, a)
			continue
		}
		if a.KeepExisting {
			kept = append(kept, AssetResult{Name: a.Name, Action: "kept", Size: old.Size, URL: old.URL})
			continue
		}
		size, digest, err := fileDigest(a.Path)
		if err != nil {
			return nil, nil, err
		}
		if size != old.Size || (old.Digest != "" && old.Digest != digest) {
			return nil, nil, &AssetConflictError{Tag: tag, Name: a.Name, Size: size, ExistingSize: old.Size, Digest: digest, Existing: old.Digest}
		}
		kept = append(kept, AssetResult{Name: a.Name, Action: "kept", Size: old.Size, URL: old.URL})
	}
	return upload, kept, nil
}

func fileDigest(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("reading %s: %w", path, err)
	}
	return n, "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// UploadAssets attaches the files to the release, each streamed from disk
// to GitHub's upload host (uploads.github.com; <host>/api/uploads/ on
// GitHub Enterprise Server). It checks every asset first (CheckAssets): a
// re-run uploads nothing that is there, and a conflict uploads nothing at
// all. A failed upload (a network error, a 5xx) is tried again, after
// removing the incomplete asset GitHub may have left; rate limits are
// waited out.
func UploadAssets(ctx context.Context, in AssetsInput, opts ...Option) ([]AssetResult, error) {
	o, c, owner, name, err := repoClient(in.Repository, opts)
	if err != nil {
		return nil, err
	}
	for _, a := range in.Assets {
		if a.Name == "" || strings.ContainsAny(a.Name, "/\\") || strings.HasPrefix(a.Name, ".") {
			return nil, &InputError{What: fmt.Sprintf("asset name %q", a.Name), Expect: "a plain file name"}
		}
	}
	id := in.ReleaseID
	if id == 0 {
		rel, err := FindRelease(ctx, in.Repository, in.Tag, opts...)
		if err != nil {
			return nil, err
		}
		if rel == nil {
			return nil, &NoReleaseError{Tag: in.Tag}
		}
		id = rel.ID
	}
	existing, err := listAssets(ctx, c, owner, name, id)
	if err != nil {
		return nil, err
	}
	upload, results, err := CheckAssets(in.Tag, in.Assets, existing)
	if err != nil {
		return nil, err
	}
	for _, a := range upload {
		// An incomplete asset of that name (an upload that failed
		// upstream) would make GitHub refuse the name.
		for _, old := range existing {
			if old.Name == a.Name {
				if _, err := c.Repositories.DeleteReleaseAsset(ctx, owner, name, old.ID); err != nil {
					return results, fmt.Errorf("removing the incomplete asset %s of the release of %s: %w", a.Name, in.Tag, err)
				}
			}
		}
		r, err := o.uploadOne(ctx, c, owner, name, id, in.Tag, a)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	return results, nil
}

// uploadAttempts is how many times one asset is sent.
const uploadAttempts = 3

func (o *options) uploadOne(ctx context.Context, c *github.Client, owner, repo string, id int64, tag string, a AssetFile) (AssetResult, error) {
	f, err := os.Open(a.Path)
	if err != nil {
		return AssetResult{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return AssetResult{}, err
	}
	size := st.Size()
	u := fmt.Sprintf("repos/%s/%s/releases/%d/assets?name=%s", owner, repo, id, url.QueryEscape(a.Name))
	for attempt := 1; ; attempt++ {
		req, err := c.NewUploadRequest(u, io.NewSectionReader(f, 0, size), size, contentType(a.Name))
		if err != nil {
			return AssetResult{}, err
		}
		// A rate-limited try is sent again by the transport, from the
		// start of the file.
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(f, 0, size)), nil }
		var got AssetState
		resp, err := c.Do(ctx, req, &got)
		if err == nil {
			o.Log.Info("release asset uploaded", "tag", tag, "name", a.Name, "size", size)
			return AssetResult{Name: a.Name, Action: "uploaded", Size: got.Size, URL: got.URL}, nil
		}
		if ctx.Err() != nil || attempt == uploadAttempts || !transient(resp, err) {
			return AssetResult{}, fmt.Errorf("uploading %s to the release of %s: %w", a.Name, tag, AsImmutable(err, tag, a.Name))
		}
		// GitHub may have kept the asset (the response was lost) or an
		// incomplete one: keep the first, delete the second.
		existing, lerr := listAssets(ctx, c, owner, repo, id)
		if lerr != nil {
			return AssetResult{}, fmt.Errorf("uploading %s to the release of %s: %w (and then %v)", a.Name, tag, err, lerr)
		}
		for _, old := range existing {
			if old.Name != a.Name {
				continue
			}
			if _, kept, cerr := CheckAssets(tag, []AssetFile{a}, []AssetState{old}); cerr == nil && len(kept) == 1 {
				return AssetResult{Name: a.Name, Action: "uploaded", Size: old.Size, URL: old.URL}, nil
			}
			if _, derr := c.Repositories.DeleteReleaseAsset(ctx, owner, repo, old.ID); derr != nil {
				return AssetResult{}, fmt.Errorf("removing the incomplete asset %s of the release of %s: %w", a.Name, tag, derr)
			}
		}
		wait := time.Duration(attempt) * 2 * time.Second
		o.Log.Warn("release asset upload failed: trying again", "name", a.Name, "attempt", attempt, "wait", wait.String(), "error", err.Error())
		if err := o.sleep(ctx, wait); err != nil {
			return AssetResult{}, err
		}
	}
}

// transient reports whether a failed upload may succeed when sent again:
// a network error or a server error, not a refusal.
func transient(resp *github.Response, err error) bool {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return false
	}
	if resp == nil {
		return true
	}
	return resp.StatusCode >= 500
}

// contentType is the media type of an asset, by its name.
func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".tar.gz"), strings.HasSuffix(name, ".tgz"):
		return "application/gzip"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".tar"):
		return "application/x-tar"
	case name == "SHA256SUMS" || strings.HasSuffix(name, ".txt"):
		return "text/plain"
	}
	return "application/octet-stream"
}
