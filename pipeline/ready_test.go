package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/pipeline"
)

// unreadySigner is a signer that turns out unable to sign (a wrong key
// password found while the plan ran).
type unreadySigner struct{ signed int }

func (s *unreadySigner) Ready() (string, error) { return "", errors.New("wrong key password") }
func (s *unreadySigner) Sign(context.Context, name.Digest) error {
	s.signed++
	return nil
}

// TestSignerNotReady: a signer that is not ready stops the job before any
// tag is written (blobs and child manifests may be copied meanwhile).
func TestSignerNotReady(t *testing.T) {
	t.Parallel()
	f := setup(t)
	src, commit := f.build(t, "v1.0.0", time.Unix(0, 0))
	target, _ := name.NewRepository(f.host + "/acme/app")
	s := &unreadySigner{}
	f.reg.Counter.Reset()
	res, err := pipeline.Run(t.Context(), pipeline.Config{Source: src, Targets: []name.Repository{target}, Event: event("v1.0.0", commit), Signer: s})
	defer res.Plan.Close()
	if err == nil || err.Error() != "wrong key password" {
		t.Fatalf("Run: %v, want the signer's error", err)
	}
	if res.Plan.Changes() != 4 || res.Applied == nil || len(res.Applied.Written) != 0 || s.signed != 0 {
		t.Errorf("plan changes %d, applied %+v, signed %d", res.Plan.Changes(), res.Applied, s.signed)
	}
	for _, w := range f.reg.Counter.Writes() {
		if strings.Contains(w, "/acme/app/manifests/") && !strings.Contains(w, "/manifests/sha256:") {
			t.Errorf("a tag written before the signer was ready: %s", w)
		}
	}
	if got := f.tags(t); len(got) != 0 {
		t.Errorf("tags after a signer that is not ready: %v", got)
	}
}
