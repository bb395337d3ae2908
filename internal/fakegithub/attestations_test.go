package fakegithub_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

func attestationBody(t *testing.T, digest, predicateType string) []byte {
	t.Helper()
	st, _ := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": "ghcr.io/acme/app", "digest": map[string]string{"sha256": strings.TrimPrefix(digest, "sha256:")}}},
		"predicateType": predicateType,
		"predicate":     map[string]any{},
	})
	b, _ := json.Marshal(map[string]any{"bundle": map[string]any{
		"mediaType":            "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{"publicKey": map[string]any{"hint": "x"}},
		"dsseEnvelope": map[string]any{
			"payload":     base64.StdEncoding.EncodeToString(st),
			"payloadType": "application/vnd.in-toto+json",
			"signatures":  []any{map[string]any{"sig": "c2ln"}},
		},
	}})
	return b
}

func call(t *testing.T, s *fakegithub.Server, method, path string, body []byte) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("Accept", "application/vnd.github+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

func TestAttestations(t *testing.T) {
	s := fakegithub.New(t)
	s.AddRepo("acme/app")
	d1 := "sha256:" + strings.Repeat("a", 64)
	d2 := "sha256:" + strings.Repeat("b", 64)
	for i := 0; i < 3; i++ {
		if st, out, _ := call(t, s, "POST", "/repos/acme/app/attestations", attestationBody(t, d1, "https://slsa.dev/provenance/v1")); st != 201 || out["id"] == nil {
			t.Fatalf("create: %d %v", st, out)
		}
	}
	if st, _, _ := call(t, s, "POST", "/api/v3/repos/acme/app/attestations", attestationBody(t, d2, "https://spdx.dev/Document/v2.3")); st != 201 {
		t.Fatalf("create (GHES path): %d", st)
	}

	// By digest, filtered, paged by cursor.
	st, out, h := call(t, s, "GET", "/repos/acme/app/attestations/"+d1+"?per_page=2&predicate_type=provenance", nil)
	if st != 200 || len(out["attestations"].([]any)) != 2 || !strings.Contains(h.Get("Link"), `after=2`) {
		t.Fatalf("list page 1: %d %v %q", st, out, h.Get("Link"))
	}
	if _, out, h = call(t, s, "GET", "/repos/acme/app/attestations/"+d1+"?per_page=2&after=2", nil); len(out["attestations"].([]any)) != 1 || h.Get("Link") != "" {
		t.Fatalf("list page 2: %v %q", out, h.Get("Link"))
	}
	for filter, want := range map[string]int{"sbom": 0, "https://slsa.dev/provenance/v1": 3, "": 3} {
		if _, out, _ := call(t, s, "GET", fmt.Sprintf("/repos/acme/app/attestations/%s?predicate_type=%s", d1, filter), nil); len(out["attestations"].([]any)) != want {
			t.Errorf("filter %q: %d attestations, want %d", filter, len(out["attestations"].([]any)), want)
		}
	}
	if _, out, _ := call(t, s, "GET", "/repos/acme/app/attestations/"+d2+"?predicate_type=sbom", nil); len(out["attestations"].([]any)) != 1 {
		t.Errorf("sbom of d2: %v", out)
	}
	if got := s.Attestations("acme/app"); len(got) != 4 || got[0].Digests[0] != d1 {
		t.Errorf("Attestations = %+v", got)
	}

	// What GitHub refuses.
	if st, _, _ := call(t, s, "POST", "/repos/acme/app/attestations", []byte(`{"bundle":{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}}`)); st != 422 {
		t.Errorf("a bundle without an envelope: %d", st)
	}
	s.DenyAttestations("acme/app")
	if st, _, _ := call(t, s, "POST", "/repos/acme/app/attestations", attestationBody(t, d1, "https://slsa.dev/provenance/v1")); st != 403 {
		t.Errorf("denied: %d", st)
	}
	if n := s.Calls()["repos/create-attestation"]; n != 6 {
		t.Errorf("create-attestation counted %d", n)
	}
}
