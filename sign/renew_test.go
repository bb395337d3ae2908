package sign

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

// TestCertificateRenewal: a certificate close to its expiry is replaced
// (with a fresh Actions token) before the next signature.
func TestCertificateRenewal(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	is := sigstoretest.NewIssuer(t)
	fulcio := sigstoretest.StartFulcio(t, is)
	tsa := sigstoretest.StartTSA(t)
	tr, _ := sigstoretest.TrustedRoot(t, fulcio, tsa)
	s, err := New(WithKeyless(ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		WithTimestampAuthority(tsa.URL), WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, sigstoretest.PushImage(t, host, "acme/app", "a")); err != nil {
		t.Fatal(err)
	}
	first := s.cert
	if err := s.Sign(ctx, sigstoretest.PushImage(t, host, "acme/app", "b")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.cert, first) {
		t.Fatal("a fresh certificate was replaced")
	}
	s.notAfter = time.Now().Add(certRenewal - time.Second) // about to expire
	if err := s.Sign(ctx, sigstoretest.PushImage(t, host, "acme/app", "c")); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(s.cert, first) {
		t.Fatal("a certificate about to expire was kept")
	}
}
