package pipeline_test

import (
	"context"
	"errors"
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

// TestSignerNotReady: a signer that is not ready stops the job after the
// plan and before any write.
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
	if res.Plan.Changes() != 4 || res.Applied != nil || s.signed != 0 {
		t.Errorf("plan changes %d, applied %v, signed %d", res.Plan.Changes(), res.Applied, s.signed)
	}
	if w := f.reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("writes before the signer was ready: %v", w)
	}
}
