package redact_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/sonicsaas/sonic-release/internal/redact"
)

const (
	ghp     = "ghp_0123456789abcdefABCDEF0123456789abcd"
	pat     = "github_pat_11AAAAAAA0123456789_abcdefghijklmnopqrstuvwxyz0123456789"
	jwt     = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl"
	basic   = "dXNlcjpzM2NyZXQtcGFzc3dvcmQ="
	bearer  = "djE6YWNtZS9hcHA6cHVsbA.long-registry-token"
	secret  = "configured-s3cret-value"
	message = "ordinary text: Basic auth, Bearer realm=\"https://ghcr.io/token\", sha256:0123abcd, v1.2.3"
)

func TestString(t *testing.T) {
	t.Parallel()
	r := redact.New(secret, "", "short")
	for _, tt := range []struct{ in, want string }{
		{"Authorization: Bearer " + bearer, "Authorization: Bearer ***"},
		{`{"Authorization":["Basic ` + basic + `"]}`, `{"Authorization":["Basic ***"]}`},
		{"token " + ghp + " and " + pat, "token *** and ***"},
		{"ghs_" + strings.Repeat("x", 36), "***"},
		{"identity " + jwt + " rejected", "identity *** rejected"},
		{"proxy said " + secret + "!", "proxy said ***!"},
		{"GET https://user:" + secret + "@registry.example/v2/", "GET https://***@registry.example/v2/"},
		{"GET https://bot:hunter2hunter2@r.example/v2/", "GET https://***@r.example/v2/"},
		{message, message}, // nothing that is no credential
		{"a short value stays", "a short value stays"},
	} {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTransportError: the message go-containerregistry builds from a
// registry's error body (transport.CheckError) keeps the body, credentials
// included; redacted, it keeps everything else.
func TestTransportError(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusUnauthorized, http.StatusInternalServerError} {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"errors":[{"code":"UNAUTHORIZED","message":"rejected %s"}]}`, req.Header.Get("Authorization"))
		}))
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/v2/", nil)
		req.Header.Set("Authorization", "Basic "+basic)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		terr := transport.CheckError(resp, http.StatusOK)
		resp.Body.Close()
		s.Close()
		if terr == nil || !strings.Contains(terr.Error(), basic) {
			t.Fatalf("%d: transport error %v does not echo the header; the test proves nothing", status, terr)
		}
		got := redact.New().String(terr.Error())
		if strings.Contains(got, basic) || !strings.Contains(got, "rejected Basic ***") {
			t.Errorf("%d: redacted %q", status, got)
		}
	}
}

func TestWriter(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := redact.New(secret).Writer(&b)
	n, err := io.WriteString(w, "level=WARN msg=retry err=\"Bearer "+bearer+"\" token="+secret+"\n")
	if err != nil || n != len("level=WARN msg=retry err=\"Bearer "+bearer+"\" token="+secret+"\n") {
		t.Errorf("Write = %d, %v: want the length written by the caller", n, err)
	}
	if got, want := b.String(), "level=WARN msg=retry err=\"Bearer ***\" token=***\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}
