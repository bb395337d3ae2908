package fakegithub

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

//go:embed github-rest-subset.json
var subsetJSON []byte

var (
	docOnce sync.Once
	docVal  *openapi3.T
	docErr  error
)

// Document returns the loaded, validated OpenAPI subset the server is held
// to. It is loaded once per process.
func Document() (*openapi3.T, error) {
	docOnce.Do(func() {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		docVal, docErr = loader.LoadFromData(subsetJSON)
		if docErr != nil {
			docErr = fmt.Errorf("loading github-rest-subset.json: %w", docErr)
			return
		}
		if err := docVal.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
			docErr = fmt.Errorf("validating github-rest-subset.json: %w", err)
		}
	})
	return docVal, docErr
}

// Server is a running fake GitHub API. Seed it with the Add methods, point a
// go-github client at URL, and read back what the client did with Release,
// Releases and Calls.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:PORT", without a
	// trailing slash. A go-github client takes URL+"/" as its BaseURL, or
	// URL through WithEnterpriseURLs (then requests arrive under /api/v3/).
	URL string

	t   testing.TB
	doc *openapi3.T
	srv *httptest.Server

	mu          sync.Mutex
	repos       map[string]*repo
	packages    map[string]*pkg
	calls       map[string]int
	log         []Call
	limits      []*limit
	nextID      int64
	now         func() time.Time
	strictAPIVe bool
	onDelete    func(PackageVersion) error // package_hooks.go

	att attestations // attestations.go
}

// Call is one request the server answered.
type Call struct {
	Operation string // the operationId, e.g. "pulls/list"
	Method    string
	Path      string // the request's path and query, without the /api/v3 prefix
	Status    int
	// Header holds the request's headers (Authorization, Accept, …).
	Header http.Header
}

type limit struct {
	op         string
	remaining  int
	retryAfter time.Duration // Retry-After (secondary rate limit), or
	reset      time.Duration // x-ratelimit-reset from now (primary rate limit)
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock used for created_at, published_at and
// x-ratelimit-reset. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New starts a fake GitHub API on 127.0.0.1 and stops it when the test
// ends. Any contract violation is reported with t.Errorf.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	doc, err := Document()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		t:           t,
		doc:         doc,
		repos:       map[string]*repo{},
		calls:       map[string]int{},
		nextID:      1000,
		now:         time.Now,
		strictAPIVe: true,
	}
	for _, o := range opts {
		o(s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fakegithub: listening on 127.0.0.1: %v", err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: s}}
	s.srv.Start()
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Client returns an http.Client for the server (no authentication).
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Calls returns how many times each operation (by operationId) was called.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// TotalCalls returns the number of requests answered, rate-limited ones included.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.log)
}

// Log returns every request answered, in order.
func (s *Server) Log() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.log...)
}

// ResetCalls forgets the calls counted so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.log = nil
}

// RateLimit makes the next n calls of operation op (an operationId, or ""
// for any) fail with GitHub's secondary rate limit response: 403 with
// Retry-After: retryAfter seconds.
func (s *Server) RateLimit(op string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &limit{op: op, remaining: n, retryAfter: retryAfter})
}

// PrimaryRateLimit makes the next n calls of op fail with GitHub's primary
// rate limit response: 403, x-ratelimit-remaining: 0 and x-ratelimit-reset
// set to now+reset.
func (s *Server) PrimaryRateLimit(op string, n int, reset time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &limit{op: op, remaining: n, reset: reset})
}

// route is one operation of the document and how to match its path.
type route struct {
	method string
	// segs is the path template split on "/". A segment "{x}" matches one
	// segment; "{x*}" matches the rest of the path (multi-segment, at least
	// one segment), optionally followed by the literal segments after it.
	segs    []string
	tmpl    string // the document's path key
	handler func(s *Server, w *response, r *http.Request, p map[string]string)
}

// routes lists the operations in matching order: more specific first, so
// /commits/{sha}/pulls wins over /commits/{ref*}.
var routes = []route{
	{"GET", nil, "/repos/{owner}/{repo}/releases", (*Server).listReleases},
	{"POST", nil, "/repos/{owner}/{repo}/releases", (*Server).createRelease},
	{"GET", nil, "/repos/{owner}/{repo}/releases/latest", (*Server).latestRelease},
	{"POST", nil, "/repos/{owner}/{repo}/releases/generate-notes", (*Server).generateNotes},
	{"DELETE", nil, "/repos/{owner}/{repo}/releases/assets/{asset_id}", (*Server).deleteAsset},
	{"GET", nil, "/repos/{owner}/{repo}/releases/tags/{tag*}", (*Server).releaseByTag},
	{"PATCH", nil, "/repos/{owner}/{repo}/releases/{release_id}", (*Server).updateRelease},
	{"GET", nil, "/repos/{owner}/{repo}/releases/{release_id}/assets", (*Server).listAssets},
	{"POST", nil, "/repos/{owner}/{repo}/releases/{release_id}/assets", (*Server).uploadAsset},
	{"GET", nil, "/repos/{owner}/{repo}/pulls", (*Server).listPulls},
	{"GET", nil, "/repos/{owner}/{repo}/pulls/{pull_number}", (*Server).getPull},
	{"GET", nil, "/repos/{owner}/{repo}/issues/{issue_number}/labels", (*Server).listLabels},
	{"GET", nil, "/repos/{owner}/{repo}/commits", (*Server).listCommits},
	{"GET", nil, "/repos/{owner}/{repo}/commits/{commit_sha*}/pulls", (*Server).pullsForCommit},
	{"GET", nil, "/repos/{owner}/{repo}/commits/{ref*}", (*Server).getCommit},
	{"GET", nil, "/repos/{owner}/{repo}/compare/{base}...{head}", (*Server).compare},
	{"GET", nil, "/repos/{owner}/{repo}/contents/{path*}", (*Server).getContent},
	{"GET", nil, "/repos/{owner}/{repo}/git/ref/{ref*}", (*Server).getRef},
	{"GET", nil, "/repos/{owner}/{repo}/tags", (*Server).listTags},
	{"GET", nil, "/orgs/{org}/packages/{package_type}/{package_name}/versions", (*Server).listPackageVersions},
	{"GET", nil, "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}", (*Server).getPackageVersion},
	{"DELETE", nil, "/orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}", (*Server).deletePackageVersion},
	{"GET", nil, "/users/{username}/packages/{package_type}/{package_name}/versions", (*Server).listPackageVersions},
	{"POST", nil, "/repos/{owner}/{repo}/attestations", (*Server).createAttestation},
	{"GET", nil, "/repos/{owner}/{repo}/attestations/{subject_digest}", (*Server).listAttestations},
	{"DELETE", nil, "/users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}", (*Server).deletePackageVersion},
}

func init() {
	for i := range routes {
		routes[i].segs = strings.Split(strings.TrimPrefix(routes[i].tmpl, "/"), "/")
		routes[i].tmpl = strings.ReplaceAll(routes[i].tmpl, "*}", "}")
	}
}

// match matches a raw (still escaped) path against the routes and returns
// the route and its decoded parameters.
func match(method, rawPath string) (*route, map[string]string, error) {
	parts := strings.Split(strings.TrimPrefix(rawPath, "/"), "/")
	for i := range routes {
		rt := &routes[i]
		if rt.method != method {
			continue
		}
		if p, ok := matchSegs(rt.segs, parts); ok {
			for k, v := range p {
				d, err := unescape(k, v)
				if err != nil {
					return nil, nil, err
				}
				p[k] = d
			}
			return rt, p, nil
		}
	}
	return nil, nil, nil
}

func matchSegs(segs, parts []string) (map[string]string, bool) {
	p := map[string]string{}
	for i, seg := range segs {
		if strings.HasSuffix(seg, "*}") {
			name := strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "*}")
			rest := segs[i+1:]
			n := len(parts) - i - len(rest)
			if n < 1 {
				return nil, false
			}
			for j, lit := range rest {
				if parts[i+n+j] != lit {
					return nil, false
				}
			}
			p[name] = strings.Join(parts[i:i+n], "/")
			return p, true
		}
		if i >= len(parts) {
			return nil, false
		}
		if seg == "{base}...{head}" {
			b, h, ok := strings.Cut(parts[i], "...")
			if !ok || b == "" || h == "" {
				return nil, false
			}
			p["base"], p["head"] = b, h
			continue
		}
		if strings.HasPrefix(seg, "{") {
			if parts[i] == "" {
				return nil, false
			}
			p[strings.Trim(seg, "{}")] = parts[i]
			continue
		}
		if parts[i] != seg {
			return nil, false
		}
	}
	return p, len(parts) == len(segs)
}

// unescape decodes a path parameter the way GitHub does for what go-github
// sends: compare's base and head are query-escaped ("+" is a space), the
// others path-escaped.
func unescape(name, v string) (string, error) {
	var (
		d   string
		err error
	)
	if name == "base" || name == "head" {
		d, err = queryUnescape(v)
	} else {
		d, err = pathUnescape(v)
	}
	if err != nil {
		return "", fmt.Errorf("path parameter %s=%q: %w", name, v, err)
	}
	return d, nil
}

// response buffers what a handler writes so it can be validated first.
type response struct {
	header http.Header
	status int
	body   bytes.Buffer
	// unchecked marks a response the document does not describe on
	// purpose (rate limiting applies to every operation but is declared on
	// none); it is sent without response validation.
	unchecked bool
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.EscapedPath()
	raw = strings.TrimPrefix(strings.TrimPrefix(raw, "/api/v3"), "/api/uploads")
	rt, params, err := match(r.Method, raw)
	if err != nil {
		s.t.Errorf("fakegithub: %s %s: %v", r.Method, r.URL, err)
		writeRaw(w, 400, `{"message":"Bad Request","documentation_url":"https://docs.github.com/rest"}`)
		return
	}
	if rt == nil {
		s.t.Errorf("fakegithub: %s %s matches no operation of github-rest-subset.json", r.Method, r.URL)
		writeRaw(w, 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
		return
	}
	pathItem := s.doc.Paths.Value(rt.tmpl)
	if pathItem == nil || pathItem.GetOperation(rt.method) == nil {
		panic("fakegithub: route " + rt.method + " " + rt.tmpl + " is not in the document")
	}
	op := pathItem.GetOperation(rt.method)
	opID := op.OperationID
	pathQuery := strings.TrimPrefix(strings.TrimPrefix(r.URL.RequestURI(), "/api/v3"), "/api/uploads")

	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "2022-11-28" {
		s.t.Errorf("fakegithub: %s %s (%s): X-GitHub-Api-Version is %q, want 2022-11-28", r.Method, pathQuery, opID, v)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      &routers.Route{Spec: s.doc, Path: rt.tmpl, PathItem: pathItem, Method: rt.method, Operation: op},
		Options: &openapi3filter.Options{
			AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
			IncludeResponseStatus: true,
			SkipSettingDefaults:   true,
			MultiError:            true,
		},
	}
	if opID == "repos/upload-release-asset" {
		// The body is the raw file with the media type of the file (go-github
		// takes it from the extension); the document lists only
		// application/octet-stream, GitHub takes any. A Content-Type is required.
		in.Options.ExcludeRequestBody = true
		if r.Header.Get("Content-Type") == "" {
			s.t.Errorf("fakegithub: %s %s: upload without a Content-Type header", r.Method, pathQuery)
		}
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		s.t.Errorf("fakegithub: request %s %s (%s) does not match the document: %v", r.Method, pathQuery, opID, err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	resp := &response{header: http.Header{}, status: 200}
	s.mu.Lock()
	s.calls[opID]++
	limited := s.takeLimit(opID, resp)
	s.mu.Unlock()
	if !limited {
		if rt.handler == nil {
			s.t.Errorf("fakegithub: %s (%s %s) is in the document but not implemented by the fake yet", opID, r.Method, pathQuery)
			resp.unchecked = true
			resp.status = 501
			resp.body.WriteString(`{"message":"not implemented by fakegithub","documentation_url":"https://docs.github.com/rest"}`)
		} else {
			s.mu.Lock()
			rt.handler(s, resp, r, params)
			s.mu.Unlock()
		}
	}
	if resp.body.Len() > 0 && resp.header.Get("Content-Type") == "" {
		resp.header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if !resp.unchecked {
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in,
			Status:                 resp.status,
			Header:                 resp.header,
			Options:                in.Options,
		}
		out.SetBodyBytes(resp.body.Bytes())
		if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
			s.t.Errorf("fakegithub: response %d to %s %s (%s) does not match the document: %v", resp.status, r.Method, pathQuery, opID, err)
		}
	}
	s.mu.Lock()
	s.log = append(s.log, Call{Operation: opID, Method: r.Method, Path: pathQuery, Status: resp.status, Header: r.Header.Clone()})
	s.mu.Unlock()
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body.Bytes())
}

func (s *Server) takeLimit(op string, resp *response) bool {
	for i, l := range s.limits {
		if l.remaining <= 0 || (l.op != "" && l.op != op) {
			continue
		}
		l.remaining--
		if l.remaining == 0 {
			s.limits = append(s.limits[:i], s.limits[i+1:]...)
		}
		resp.unchecked = true
		resp.status = http.StatusForbidden
		if l.retryAfter > 0 || l.reset == 0 {
			resp.header.Set("Retry-After", fmt.Sprint(int(l.retryAfter/time.Second)))
			resp.body.WriteString(`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
			return true
		}
		resp.header.Set("X-RateLimit-Limit", "5000")
		resp.header.Set("X-RateLimit-Remaining", "0")
		resp.header.Set("X-RateLimit-Used", "5000")
		resp.header.Set("X-RateLimit-Reset", fmt.Sprint(s.now().Add(l.reset).Unix()))
		resp.body.WriteString(`{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`)
		return true
	}
	return false
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (w *response) json(status int, v any) {
	w.status = status
	w.body.Reset()
	if err := json.NewEncoder(&w.body).Encode(v); err != nil {
		panic(err)
	}
}

func (w *response) notFound() {
	w.json(404, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
}

func (w *response) validationFailed(code, resource, field, msg string) {
	w.json(422, map[string]any{
		"message":           "Validation Failed",
		"documentation_url": "https://docs.github.com/rest/releases/releases#create-a-release",
		"errors":            []map[string]any{{"resource": resource, "code": code, "field": field, "message": msg}},
	})
}
