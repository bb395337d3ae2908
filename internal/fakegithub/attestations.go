package fakegithub

// The handlers of a repository's artifact attestations (create, list by
// subject digest): what actions/attest-build-provenance writes and
// `gh attestation verify` reads.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Attestation is an attestation the fake stores: what Attestations reads
// back.
type Attestation struct {
	ID         int64
	Repository string // owner/name
	// Bundle is the sigstore bundle as the client sent it.
	Bundle json.RawMessage
	// PredicateType and Digests (sha256:…) are read from the bundle's
	// in-toto statement.
	PredicateType string
	Digests       []string
}

// attestations are the attestations of every repository, and the
// repositories whose token may not write them.
type attestations struct {
	list   []*Attestation
	denied map[string]bool
}

// DenyAttestations makes create-attestation in repository (owner/name)
// answer 403, as GitHub does for a token without `attestations: write`.
func (s *Server) DenyAttestations(fullName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.att.denied == nil {
		s.att.denied = map[string]bool{}
	}
	s.att.denied[fullName] = true
}

// Attestations returns the attestations stored in repository (owner/name),
// oldest first.
func (s *Server) Attestations(fullName string) []Attestation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Attestation
	for _, a := range s.att.list {
		if a.Repository == fullName {
			out = append(out, *a)
		}
	}
	return out
}

// readAttestation checks a create request's bundle as GitHub does: a
// sigstore bundle with verification material and a DSSE envelope of an
// in-toto statement with at least one sha256 subject.
func readAttestation(body []byte) (*Attestation, string) {
	var req struct {
		Bundle json.RawMessage `json:"bundle"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, "the body is not JSON"
	}
	var b struct {
		MediaType            string          `json:"mediaType"`
		VerificationMaterial json.RawMessage `json:"verificationMaterial"`
		DsseEnvelope         *struct {
			Payload     string `json:"payload"`
			PayloadType string `json:"payloadType"`
			Signatures  []struct {
				Sig string `json:"sig"`
			} `json:"signatures"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(req.Bundle, &b); err != nil {
		return nil, "bundle is not a sigstore bundle"
	}
	switch {
	case !strings.HasPrefix(b.MediaType, "application/vnd.dev.sigstore.bundle"):
		return nil, fmt.Sprintf("unknown bundle media type %q", b.MediaType)
	case len(b.VerificationMaterial) == 0:
		return nil, "the bundle has no verification material"
	case b.DsseEnvelope == nil || len(b.DsseEnvelope.Signatures) == 0 || b.DsseEnvelope.Signatures[0].Sig == "":
		return nil, "the bundle has no signed DSSE envelope"
	case b.DsseEnvelope.PayloadType != "application/vnd.in-toto+json":
		return nil, fmt.Sprintf("payload type %q is not an in-toto statement", b.DsseEnvelope.PayloadType)
	}
	payload, err := base64.StdEncoding.DecodeString(b.DsseEnvelope.Payload)
	if err != nil {
		return nil, "the envelope's payload is not base64"
	}
	var st struct {
		Type          string `json:"_type"`
		PredicateType string `json:"predicateType"`
		Subject       []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(payload, &st); err != nil || !strings.HasPrefix(st.Type, "https://in-toto.io/Statement/") || st.PredicateType == "" {
		return nil, "the payload is not an in-toto statement"
	}
	a := &Attestation{Bundle: req.Bundle, PredicateType: st.PredicateType}
	for _, sub := range st.Subject {
		if h := sub.Digest["sha256"]; h != "" && !slices.Contains(a.Digests, "sha256:"+h) {
			a.Digests = append(a.Digests, "sha256:"+h)
		}
	}
	if len(a.Digests) == 0 {
		return nil, "the statement has no sha256 subject"
	}
	return a, ""
}

// forbidden is GitHub's answer to a token without the permission.
func (w *response) forbidden() {
	w.json(403, map[string]any{"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/repos/attestations#create-an-attestation"})
}

func (s *Server) createAttestation(w *response, r *http.Request, p map[string]string) {
	// An unknown repository is answered 403, like a missing permission:
	// the document describes no 404 here.
	rp, ok := s.lookup(p)
	if !ok || s.att.denied[p["owner"]+"/"+p["repo"]] {
		w.forbidden()
		return
	}
	body, _ := io.ReadAll(r.Body)
	a, problem := readAttestation(body)
	if a == nil {
		w.json(422, map[string]any{"message": "Validation Failed: " + problem, "documentation_url": "https://docs.github.com/rest/repos/attestations#create-an-attestation"})
		return
	}
	s.nextID++
	a.ID, a.Repository = s.nextID, rp.owner+"/"+rp.name
	s.att.list = append(s.att.list, a)
	w.json(201, map[string]any{"id": a.ID})
}

// predicateMatches is GitHub's predicate_type filter: "provenance" and
// "sbom" name the families, anything else is exact.
func predicateMatches(filter, typ string) bool {
	switch filter {
	case "":
		return true
	case "provenance":
		return strings.HasPrefix(typ, "https://slsa.dev/provenance/")
	case "sbom":
		return strings.HasPrefix(typ, "https://spdx.dev/Document") || strings.HasPrefix(typ, "https://cyclonedx.org/bom")
	}
	return filter == typ
}

func (s *Server) listAttestations(w *response, r *http.Request, p map[string]string) {
	// The document describes only 200: an unknown repository has no
	// attestations.
	full := p["owner"] + "/" + p["repo"]
	q := r.URL.Query()
	var match []*Attestation
	for _, a := range s.att.list {
		if a.Repository == full && slices.Contains(a.Digests, p["subject_digest"]) && predicateMatches(q.Get("predicate_type"), a.PredicateType) {
			match = append(match, a)
		}
	}
	// Cursor pagination, as GitHub pages attestations: per_page (30 by
	// default, at most 100) and an opaque "after" cursor in the Link
	// header.
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	start := 0
	if v, err := strconv.Atoi(q.Get("after")); err == nil && v > 0 {
		start = min(v, len(match))
	}
	end := min(start+per, len(match))
	if end < len(match) {
		u := *r.URL
		u.Scheme, u.Host = "https", "api.github.com"
		u.Path = strings.TrimPrefix(u.Path, "/api/v3")
		qq := u.Query()
		qq.Set("after", strconv.Itoa(end))
		u.RawQuery = qq.Encode()
		w.header.Set("Link", fmt.Sprintf("<%s>; rel=%q", u.String(), "next"))
	}
	out := []any{}
	for _, a := range match[start:end] {
		out = append(out, map[string]any{"bundle": a.Bundle, "repository_id": int64(1)})
	}
	w.json(200, map[string]any{"attestations": out})
}
