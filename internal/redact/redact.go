// Package redact removes credentials from text a server sent back: a
// registry or a proxy that echoes the Authorization header in an error
// body, a GitHub API error quoting a token. The CLI passes everything it
// prints on stderr (errors, warnings, annotations, logs) through it.
package redact

import (
	"io"
	"regexp"
	"slices"
	"strings"
)

// Mask replaces a credential.
const Mask = "***"

// MinSecret is the shortest configured value Redactor replaces: shorter
// ones would mask ordinary words.
const MinSecret = 8

var (
	// Authorization schemes followed by their credentials; "Bearer realm=…"
	// (a WWW-Authenticate challenge) is not a credential and stays.
	scheme = regexp.MustCompile(`\b(Bearer|Basic|bearer|basic|BEARER|BASIC)(\s+)[A-Za-z0-9._~+/-]{8,}=*`)
	// Tokens of known shapes: GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_,
	// github_pat_) and JSON Web Tokens (OIDC identity tokens).
	shapes = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)`)
	// Credentials in a URL: scheme://user:password@host.
	userinfo = regexp.MustCompile(`(://)[^/\s:@"']+:[^/\s@"']+@`)
)

// Redactor replaces credentials in text: Authorization values (Bearer …,
// Basic …), tokens of known shapes, passwords in URLs, and the configured
// secrets it was given.
type Redactor struct {
	secrets []string // longest first, so that one containing another goes whole
}

// New returns a Redactor that also replaces the given secrets (the
// configured token values); empty ones and ones shorter than MinSecret are
// ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if len(s) >= MinSecret && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	return r
}

// String returns s with every credential replaced by Mask.
func (r *Redactor) String(s string) string {
	for _, v := range r.secrets {
		s = strings.ReplaceAll(s, v, Mask)
	}
	s = scheme.ReplaceAllString(s, "${1}${2}"+Mask)
	s = shapes.ReplaceAllString(s, Mask)
	return userinfo.ReplaceAllString(s, "${1}"+Mask+"@")
}

// Writer returns a writer that redacts each write before passing it to w.
// Each write is redacted on its own: the CLI and log/slog write a line or a
// record at a time.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r, w} }

type writer struct {
	r *Redactor
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	s := w.r.String(string(p))
	if s == string(p) {
		return w.w.Write(p)
	}
	if _, err := io.WriteString(w.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
