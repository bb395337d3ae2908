package fakegithub

import (
	"encoding/json"
	"net/url"
	"sort"
	"sync"
	"time"
)

// exampleJSON caches the examples of the document, marshalled.
var exampleJSON sync.Map

// PullRequest seeds a pull request.
type PullRequest struct {
	Number int
	Title  string
	Body   string
	Author string   // login; the default is "octocat"
	Labels []string // label names
	// State is "open" or "closed". The default is "closed".
	State     string
	CreatedAt time.Time
	UpdatedAt time.Time
	// MergedAt is when it was merged; zero for a PR closed unmerged or open.
	MergedAt       time.Time
	MergeCommitSHA string
	// Base is the branch it was merged into. The default is "main".
	Base string
	// Commits are the commit SHAs list-PRs-for-commit answers this PR for.
	Commits []string
}

// Release seeds a release, and is what Release and Releases read back.
type Release struct {
	ID              int64
	TagName         string
	TargetCommitish string
	Name            string
	Body            string
	Draft           bool
	Prerelease      bool
	CreatedAt       time.Time
	PublishedAt     time.Time // zero for a draft
	// MakeLatest is the make_latest value of the last create or update
	// request that sent one ("true", "false", "legacy"), else "".
	MakeLatest string
	// Immutable is set when the release is published while the repository
	// has immutable releases (SetImmutableReleases); a seed may set it.
	Immutable bool

	assets []*Asset
}

// Commit seeds a commit, for compare and list-commits.
type Commit struct {
	SHA         string
	Message     string
	AuthorName  string
	AuthorEmail string
	// Date is required: a zero Date is sent as null, which GitHub's schema
	// does not allow, and the fake reports its own invalid response.
	Date    time.Time
	Parents []string
}

type repo struct {
	owner, name string
	pulls       map[int]*PullRequest
	releases    []*Release
	latest      int64 // the release last made the latest (make_latest), see latest.go
	commits     map[string]*Commit
	order       map[string]int // insertion order of commits, oldest first
	tags        []string
	refs        map[string]string // "tags/v1" or "heads/main" -> sha
	files       map[string]string
	imm         *immutability // immutable.go
}

func (s *Server) repo(fullName string) *repo {
	owner, name, _ := cut(fullName, "/")
	if r, ok := s.repos[fullName]; ok {
		return r
	}
	r := &repo{
		owner: owner, name: name,
		pulls: map[int]*PullRequest{}, commits: map[string]*Commit{}, order: map[string]int{},
		refs: map[string]string{}, files: map[string]string{},
	}
	s.repos[fullName] = r
	return r
}

func (s *Server) lookup(p map[string]string) (*repo, bool) {
	r, ok := s.repos[p["owner"]+"/"+p["repo"]]
	return r, ok
}

// AddRepo makes an empty repository exist (the Add methods create it too);
// operations on a repository that does not exist answer 404.
func (s *Server) AddRepo(fullName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(fullName)
}

// AddPull seeds a pull request in repository fullName ("owner/name").
func (s *Server) AddPull(fullName string, pr PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr.State == "" {
		pr.State = "closed"
	}
	if pr.Author == "" {
		pr.Author = "octocat"
	}
	if pr.Base == "" {
		pr.Base = "main"
	}
	if pr.CreatedAt.IsZero() {
		pr.CreatedAt = s.now().UTC().Truncate(time.Second)
	}
	if pr.UpdatedAt.IsZero() {
		pr.UpdatedAt = pr.CreatedAt
		if !pr.MergedAt.IsZero() {
			pr.UpdatedAt = pr.MergedAt
		}
	}
	s.repo(fullName).pulls[pr.Number] = &pr
}

// AddRelease seeds a release and returns its id.
func (s *Server) AddRelease(fullName string, rel Release) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	rel.ID = s.nextID
	if rel.CreatedAt.IsZero() {
		rel.CreatedAt = s.now().UTC().Truncate(time.Second)
	}
	if !rel.Draft && rel.PublishedAt.IsZero() {
		rel.PublishedAt = rel.CreatedAt
	}
	if rel.TargetCommitish == "" {
		rel.TargetCommitish = "main"
	}
	r := s.repo(fullName)
	r.seal(&rel)
	r.releases = append(r.releases, &rel)
	return rel.ID
}

// Release returns the release of tag (drafts included) as it is now.
func (s *Server) Release(fullName, tag string) (Release, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rel := range s.repo(fullName).releases {
		if rel.TagName == tag {
			return *rel, true
		}
	}
	return Release{}, false
}

// Releases returns every release of the repository, newest first.
func (s *Server) Releases(fullName string) []Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Release
	for _, rel := range s.repo(fullName).releases {
		out = append(out, *rel)
	}
	sortReleases(out)
	return out
}

// AddCommit seeds a commit. Add commits oldest first: compare returns them
// in the order they were added.
func (s *Server) AddCommit(fullName string, c Commit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(fullName)
	if _, ok := r.commits[c.SHA]; !ok {
		r.order[c.SHA] = len(r.order)
	}
	if c.AuthorName == "" {
		c.AuthorName = "Monalisa Octocat"
	}
	if c.AuthorEmail == "" {
		c.AuthorEmail = "mona@github.com"
	}
	r.commits[c.SHA] = &c
}

// AddTag seeds a lightweight tag pointing at a commit.
func (s *Server) AddTag(fullName, tag, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(fullName)
	if _, ok := r.refs["tags/"+tag]; !ok {
		r.tags = append(r.tags, tag)
	}
	r.refs["tags/"+tag] = sha
}

// AddBranch seeds a branch pointing at a commit.
func (s *Server) AddBranch(fullName, branch, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(fullName).refs["heads/"+branch] = sha
}

// AddFile seeds a file of the default branch, served by get-content.
func (s *Server) AddFile(fullName, path, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(fullName).files[path] = content
}

// resolve turns a ref (sha, unique sha prefix of 7+, tag, branch) into a sha.
func (r *repo) resolve(ref string) (string, bool) {
	if _, ok := r.commits[ref]; ok {
		return ref, true
	}
	for _, k := range []string{"tags/" + ref, "heads/" + ref, ref} {
		if sha, ok := r.refs[k]; ok {
			return sha, true
		}
	}
	if len(ref) >= 7 {
		found := ""
		for sha := range r.commits {
			if len(sha) >= len(ref) && sha[:len(ref)] == ref {
				if found != "" {
					return "", false
				}
				found = sha
			}
		}
		return found, found != ""
	}
	return "", false
}

// ancestors returns sha and every commit reachable from it.
func (r *repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[c] {
			continue
		}
		seen[c] = true
		if cm, ok := r.commits[c]; ok {
			stack = append(stack, cm.Parents...)
		}
	}
	return seen
}

func (r *repo) ordered(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for sha := range set {
		if _, ok := r.commits[sha]; ok {
			out = append(out, sha)
		}
	}
	sort.Slice(out, func(i, j int) bool { return r.order[out[i]] < r.order[out[j]] })
	return out
}

func sortReleases(rs []Release) {
	sort.SliceStable(rs, func(i, j int) bool {
		if !rs[i].CreatedAt.Equal(rs[j].CreatedAt) {
			return rs[i].CreatedAt.After(rs[j].CreatedAt)
		}
		return rs[i].ID > rs[j].ID
	})
}

func cut(s, sep string) (string, string, bool) {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

func pathUnescape(s string) (string, error)  { return url.PathUnescape(s) }
func queryUnescape(s string) (string, error) { return url.QueryUnescape(s) }

// example returns a deep copy of a component example's value from the
// document: responses start from GitHub's own examples, so every field the
// schema requires is there, and the handlers override what the test seeded.
func (s *Server) example(name string) any {
	var b []byte
	if cached, ok := exampleJSON.Load(name); ok {
		b = cached.([]byte)
	} else {
		ex := s.doc.Components.Examples[name]
		if ex == nil || ex.Value == nil {
			panic("fakegithub: no example " + name)
		}
		var err error
		if b, err = json.Marshal(ex.Value.Value); err != nil {
			panic(err)
		}
		exampleJSON.Store(name, b)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		panic(err)
	}
	if a, ok := v.([]any); ok {
		return a[0]
	}
	return v
}

// Asset is a release asset, as uploaded.
type Asset struct {
	ID          int64
	Name        string
	Label       string
	ContentType string
	Content     []byte
	CreatedAt   time.Time
}

// PackageVersion seeds a version of a container package (GHCR).
type PackageVersion struct {
	ID int64
	// Name is the manifest digest, "sha256:…".
	Name      string
	Tags      []string
	CreatedAt time.Time
}

type pkg struct {
	versions []*PackageVersion
}

// packages are keyed "orgs/ORG/TYPE/NAME" or "users/USER/TYPE/NAME".
func pkgKey(kind, owner, typ, name string) string { return kind + "/" + owner + "/" + typ + "/" + name }

// AddPackageVersion seeds a version of package name (such as "app") of type
// typ ("container") owned by owner; org says whether owner is an
// organization (/orgs/…) or a user (/users/…). It returns the version id.
func (s *Server) AddPackageVersion(owner string, org bool, typ, name string, v PackageVersion) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := "users"
	if org {
		kind = "orgs"
	}
	k := pkgKey(kind, owner, typ, name)
	if s.packages == nil {
		s.packages = map[string]*pkg{}
	}
	if s.packages[k] == nil {
		s.packages[k] = &pkg{}
	}
	s.nextID++
	v.ID = s.nextID
	if v.CreatedAt.IsZero() {
		v.CreatedAt = s.now().UTC().Truncate(time.Second)
	}
	s.packages[k].versions = append(s.packages[k].versions, &v)
	return v.ID
}

// PackageVersions returns the versions of a package as they are now.
func (s *Server) PackageVersions(owner string, org bool, typ, name string) []PackageVersion {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := "users"
	if org {
		kind = "orgs"
	}
	var out []PackageVersion
	if p := s.packages[pkgKey(kind, owner, typ, name)]; p != nil {
		for _, v := range p.versions {
			out = append(out, *v)
		}
	}
	return out
}

// Assets returns the assets of the release of tag.
func (s *Server) Assets(fullName, tag string) []Asset {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rel := range s.repo(fullName).releases {
		if rel.TagName == tag {
			var out []Asset
			for _, a := range rel.assets {
				out = append(out, *a)
			}
			return out
		}
	}
	return nil
}
