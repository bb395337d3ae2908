package sign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// referrersAPI remembers, per registry, whether it answers the OCI
// referrers API: a run asks a registry once, and the first time it reads
// the referrers API and the fallback tag at once (one round trip, not
// two). A nil *referrersAPI remembers nothing.
type referrersAPI struct {
	mu sync.Mutex
	m  map[string]bool
}

func (r *referrersAPI) known(reg string) (api, ok bool) {
	if r == nil {
		return false, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	api, ok = r.m[reg]
	return api, ok
}

func (r *referrersAPI) set(reg string, api bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]bool{}
	}
	r.m[reg] = api
}

var errNoReferrersAPI = errors.New("no referrers API")

// apiReferrers reads the referrers API's index for d, or
// errNoReferrersAPI when the registry does not answer it. With tr, an
// authenticated transport, it asks in a request of its own: options
// that remote.Reuse a Puller (release.Registries) keep that Puller's
// referrers tag fallback, so remote.Referrers would answer with the
// fallback tag's index and the API would seem to be there.
func apiReferrers(ctx context.Context, d name.Digest, ropts []remote.Option, tr http.RoundTripper) (*v1.IndexManifest, error) {
	if tr == nil {
		idx, err := remote.Referrers(d, append(slices.Clip(ropts), remote.WithReferrersTagFallback(false))...)
		if err != nil {
			if strings.Contains(err.Error(), "does not support the Referrers API") {
				return nil, errNoReferrersAPI
			}
			return nil, fmt.Errorf("listing the referrers of %s: %w", d, err)
		}
		return idx.IndexManifest()
	}
	repo := d.Context()
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/referrers/" + d.DigestStr()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", string(types.OCIImageIndex))
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", d, err)
	}
	defer resp.Body.Close()
	// As go-containerregistry decides: only an index answer is the API.
	if err := transport.CheckError(resp, http.StatusOK, http.StatusNotFound, http.StatusBadRequest, http.StatusNotAcceptable); err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", d, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != string(types.OCIImageIndex) {
		return nil, errNoReferrersAPI
	}
	im, err := v1.ParseIndexManifest(io.LimitReader(resp.Body, maxBundleSize))
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", d, err)
	}
	return im, nil
}

// list returns the referrers of d: the referrers API's answer, or the
// fallback tag's index on a registry without the API (an empty index when
// there is none).
func (r *referrersAPI) list(ctx context.Context, d name.Digest, ropts []remote.Option, tr http.RoundTripper) (*v1.IndexManifest, error) {
	reg := d.RegistryStr()
	if api, ok := r.known(reg); ok {
		if api {
			return apiReferrers(ctx, d, ropts, tr)
		}
		return readFallback(fallbackTag(d), ropts)
	}
	var (
		wg    sync.WaitGroup
		fb    *v1.IndexManifest
		fbErr error
	)
	wg.Go(func() { fb, fbErr = readFallback(fallbackTag(d), ropts) })
	im, err := apiReferrers(ctx, d, ropts, tr)
	wg.Wait()
	switch {
	case err == nil:
		r.set(reg, true)
		return im, nil
	case errors.Is(err, errNoReferrersAPI):
		r.set(reg, false)
		return fb, fbErr
	}
	return nil, err
}

// hasAPI reports whether the registry of d answers the referrers API,
// asking it unless r knows.
func (r *referrersAPI) hasAPI(ctx context.Context, d name.Digest, ropts []remote.Option, tr http.RoundTripper) (bool, error) {
	if api, ok := r.known(d.RegistryStr()); ok {
		return api, nil
	}
	_, err := apiReferrers(ctx, d, ropts, tr)
	switch {
	case err == nil:
		r.set(d.RegistryStr(), true)
		return true, nil
	case errors.Is(err, errNoReferrersAPI):
		r.set(d.RegistryStr(), false)
		return false, nil
	}
	return false, err
}
