package fakegithub

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const apiBase = "https://api.github.com"

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// paginate cuts items to the requested page and sets GitHub's Link header.
func paginate[T any](w *response, r *http.Request, items []T) []T {
	q := r.URL.Query()
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max(1, (len(items)+per-1)/per)
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "https", "api.github.com"
		u.Path = strings.TrimPrefix(u.Path, "/api/v3")
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.header.Set("Link", strings.Join(links, ", "))
	}
	start := (page - 1) * per
	if start >= len(items) {
		return nil
	}
	return items[start:min(start+per, len(items))]
}

func (s *Server) user(login string) map[string]any {
	rel := s.example("release").(map[string]any)
	u := rel["author"].(map[string]any)
	u["login"] = login
	u["url"] = apiBase + "/users/" + login
	u["html_url"] = "https://github.com/" + login
	return u
}

func (s *Server) label(r *repo, name string) map[string]any {
	l := s.example("label-items").(map[string]any)
	id := int64(0)
	for _, c := range name {
		id = id*31 + int64(c)
	}
	if id < 0 {
		id = -id
	}
	l["id"] = id
	l["name"] = name
	l["url"] = fmt.Sprintf("%s/repos/%s/%s/labels/%s", apiBase, r.owner, r.name, url.PathEscape(name))
	l["description"] = ""
	l["default"] = false
	return l
}

func (s *Server) pullJSON(r *repo, pr *PullRequest, full bool) map[string]any {
	var m map[string]any
	if full {
		m = s.example("pull-request").(map[string]any)
		m["merged"] = !pr.MergedAt.IsZero()
		m["merged_by"] = nil
		if !pr.MergedAt.IsZero() {
			m["merged_by"] = s.user(pr.Author)
		}
	} else {
		m = s.example("pull-request-simple-items").(map[string]any)
	}
	base := fmt.Sprintf("%s/repos/%s/%s", apiBase, r.owner, r.name)
	m["url"] = fmt.Sprintf("%s/pulls/%d", base, pr.Number)
	m["html_url"] = fmt.Sprintf("https://github.com/%s/%s/pull/%d", r.owner, r.name, pr.Number)
	m["id"] = int64(pr.Number) * 7919
	m["number"] = pr.Number
	m["state"] = pr.State
	m["locked"] = false
	m["title"] = pr.Title
	m["body"] = pr.Body
	m["user"] = s.user(pr.Author)
	labels := []any{}
	for _, l := range pr.Labels {
		labels = append(labels, s.label(r, l))
	}
	m["labels"] = labels
	m["milestone"] = nil
	m["assignee"] = nil
	m["assignees"] = []any{}
	m["requested_reviewers"] = []any{}
	// GitHub's example lists a team without the "type" its schema requires.
	m["requested_teams"] = []any{}
	m["created_at"] = ts(pr.CreatedAt)
	m["updated_at"] = ts(pr.UpdatedAt)
	m["merged_at"] = ts(pr.MergedAt)
	m["closed_at"] = nil
	if pr.State == "closed" {
		m["closed_at"] = ts(pr.UpdatedAt)
	}
	m["merge_commit_sha"] = nil
	if pr.MergeCommitSHA != "" {
		m["merge_commit_sha"] = pr.MergeCommitSHA
	}
	m["auto_merge"] = nil
	if b, ok := m["base"].(map[string]any); ok {
		b["ref"] = pr.Base
	}
	return m
}

func (s *Server) releaseJSON(r *repo, rel *Release) map[string]any {
	m := s.example("release").(map[string]any)
	base := fmt.Sprintf("%s/repos/%s/%s", apiBase, r.owner, r.name)
	m["url"] = fmt.Sprintf("%s/releases/%d", base, rel.ID)
	m["html_url"] = fmt.Sprintf("https://github.com/%s/%s/releases/tag/%s", r.owner, r.name, rel.TagName)
	m["assets_url"] = fmt.Sprintf("%s/releases/%d/assets", base, rel.ID)
	m["upload_url"] = fmt.Sprintf("https://uploads.github.com/repos/%s/%s/releases/%d/assets{?name,label}", r.owner, r.name, rel.ID)
	m["tarball_url"] = fmt.Sprintf("%s/tarball/%s", base, rel.TagName)
	m["zipball_url"] = fmt.Sprintf("%s/zipball/%s", base, rel.TagName)
	delete(m, "discussion_url")
	m["id"] = rel.ID
	m["node_id"] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("Release%d", rel.ID)))
	m["tag_name"] = rel.TagName
	m["target_commitish"] = rel.TargetCommitish
	m["name"] = nil
	if rel.Name != "" {
		m["name"] = rel.Name
	}
	m["body"] = rel.Body
	m["draft"] = rel.Draft
	m["prerelease"] = rel.Prerelease
	m["immutable"] = rel.Immutable
	m["created_at"] = ts(rel.CreatedAt)
	m["published_at"] = ts(rel.PublishedAt)
	m["assets"] = []any{}
	return m
}

func (s *Server) commitJSON(r *repo, c *Commit) map[string]any {
	m := s.example("commit-items").(map[string]any)
	base := fmt.Sprintf("%s/repos/%s/%s", apiBase, r.owner, r.name)
	m["sha"] = c.SHA
	m["url"] = base + "/commits/" + c.SHA
	m["html_url"] = fmt.Sprintf("https://github.com/%s/%s/commit/%s", r.owner, r.name, c.SHA)
	m["comments_url"] = base + "/commits/" + c.SHA + "/comments"
	m["node_id"] = base64.StdEncoding.EncodeToString([]byte("Commit" + c.SHA))
	inner := m["commit"].(map[string]any)
	inner["message"] = c.Message
	who := map[string]any{"name": c.AuthorName, "email": c.AuthorEmail, "date": ts(c.Date)}
	inner["author"] = who
	inner["committer"] = who
	inner["url"] = base + "/git/commits/" + c.SHA
	parents := []any{}
	for _, p := range c.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": base + "/commits/" + p, "html_url": fmt.Sprintf("https://github.com/%s/%s/commit/%s", r.owner, r.name, p)})
	}
	m["parents"] = parents
	m["author"] = nil
	m["committer"] = nil
	return m
}

func (s *Server) listReleases(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	var rels []Release
	for _, rel := range rp.releases {
		rels = append(rels, *rel)
	}
	sortReleases(rels)
	out := []any{}
	for _, rel := range paginate(w, r, rels) {
		out = append(out, s.releaseJSON(rp, &rel))
	}
	w.json(200, out)
}

func (s *Server) releaseByTag(w *response, _ *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	for _, rel := range rp.releases {
		// Only published releases: get-by-tag skips drafts.
		if rel.TagName == p["tag"] && !rel.Draft {
			w.json(200, s.releaseJSON(rp, rel))
			return
		}
	}
	w.notFound()
}

func (s *Server) latestRelease(w *response, _ *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	best := latestOf(rp)
	if best == nil {
		w.notFound()
		return
	}
	w.json(200, s.releaseJSON(rp, best))
}

type releaseRequest struct {
	TagName         *string `json:"tag_name"`
	TargetCommitish *string `json:"target_commitish"`
	Name            *string `json:"name"`
	Body            *string `json:"body"`
	Draft           *bool   `json:"draft"`
	Prerelease      *bool   `json:"prerelease"`
	MakeLatest      *string `json:"make_latest"`
}

func (s *Server) createRelease(w *response, r *http.Request, p map[string]string) {
	rp := s.repo(p["owner"] + "/" + p["repo"])
	var req releaseRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TagName == nil || *req.TagName == "" {
		w.validationFailed("missing_field", "Release", "tag_name", "tag_name is required")
		return
	}
	for _, rel := range rp.releases {
		if rel.TagName == *req.TagName {
			w.validationFailed("already_exists", "Release", "tag_name", "")
			return
		}
	}
	if s.refuseCreate(w, rp, *req.TagName) {
		return
	}
	s.nextID++
	rel := &Release{ID: s.nextID, TagName: *req.TagName, TargetCommitish: "main", CreatedAt: s.now().UTC().Truncate(time.Second)}
	applyRelease(rel, &req)
	markLatest(rp, rel, req.MakeLatest, true)
	if !rel.Draft {
		rel.PublishedAt = rel.CreatedAt
	}
	rp.seal(rel)
	rp.releases = append(rp.releases, rel)
	m := s.releaseJSON(rp, rel)
	w.header.Set("Location", m["url"].(string))
	w.json(201, m)
}

func applyRelease(rel *Release, req *releaseRequest) {
	if req.TagName != nil {
		rel.TagName = *req.TagName
	}
	if req.TargetCommitish != nil {
		rel.TargetCommitish = *req.TargetCommitish
	}
	if req.Name != nil {
		rel.Name = *req.Name
	}
	if req.Body != nil {
		rel.Body = *req.Body
	}
	if req.Draft != nil {
		rel.Draft = *req.Draft
	}
	if req.Prerelease != nil {
		rel.Prerelease = *req.Prerelease
	}
	if req.MakeLatest != nil {
		rel.MakeLatest = *req.MakeLatest
	}
}

func (s *Server) updateRelease(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	id, _ := strconv.ParseInt(p["release_id"], 10, 64)
	for _, rel := range rp.releases {
		if rel.ID != id {
			continue
		}
		var req releaseRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.validationFailed("invalid", "Release", "body", err.Error())
			return
		}
		if s.refuseUpdate(w, rel, &req) {
			return
		}
		applyRelease(rel, &req)
		markLatest(rp, rel, req.MakeLatest, false)
		if !rel.Draft && rel.PublishedAt.IsZero() {
			rel.PublishedAt = s.now().UTC().Truncate(time.Second)
		}
		rp.seal(rel)
		w.json(200, s.releaseJSON(rp, rel))
		return
	}
	w.notFound()
}

func (s *Server) listPulls(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	sortBy := q.Get("sort")
	if sortBy == "" {
		sortBy = "created"
	}
	dir := q.Get("direction")
	if dir == "" {
		dir = "asc"
		if sortBy == "created" {
			dir = "desc"
		}
	}
	var prs []*PullRequest
	for _, pr := range rp.pulls {
		if (state == "all" || pr.State == state) && (q.Get("base") == "" || q.Get("base") == pr.Base) {
			prs = append(prs, pr)
		}
	}
	key := func(pr *PullRequest) time.Time {
		if sortBy == "updated" {
			return pr.UpdatedAt
		}
		return pr.CreatedAt
	}
	sort.Slice(prs, func(i, j int) bool {
		a, b := key(prs[i]), key(prs[j])
		if a.Equal(b) {
			if dir == "desc" {
				return prs[i].Number > prs[j].Number
			}
			return prs[i].Number < prs[j].Number
		}
		if dir == "desc" {
			return a.After(b)
		}
		return a.Before(b)
	})
	out := []any{}
	for _, pr := range paginate(w, r, prs) {
		out = append(out, s.pullJSON(rp, pr, false))
	}
	w.json(200, out)
}

func (s *Server) getPull(w *response, _ *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	n, _ := strconv.Atoi(p["pull_number"])
	if !ok || rp.pulls[n] == nil {
		w.notFound()
		return
	}
	w.json(200, s.pullJSON(rp, rp.pulls[n], true))
}

func (s *Server) listLabels(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	n, _ := strconv.Atoi(p["issue_number"])
	if !ok || rp.pulls[n] == nil {
		w.notFound()
		return
	}
	out := []any{}
	for _, l := range paginate(w, r, rp.pulls[n].Labels) {
		out = append(out, s.label(rp, l))
	}
	w.json(200, out)
}

func (s *Server) pullsForCommit(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	sha, _ := rp.resolve(p["commit_sha"])
	var prs []*PullRequest
	for _, n := range sortedPullNumbers(rp) {
		pr := rp.pulls[n]
		for _, c := range append([]string{pr.MergeCommitSHA}, pr.Commits...) {
			if c != "" && c == sha {
				prs = append(prs, pr)
				break
			}
		}
	}
	out := []any{}
	for _, pr := range paginate(w, r, prs) {
		out = append(out, s.pullJSON(rp, pr, false))
	}
	w.json(200, out)
}

func sortedPullNumbers(rp *repo) []int {
	out := make([]int, 0, len(rp.pulls))
	for n := range rp.pulls {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func (s *Server) listCommits(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	ref := r.URL.Query().Get("sha")
	if ref == "" {
		ref = "main"
	}
	head, ok := rp.resolve(ref)
	if !ok {
		w.notFound()
		return
	}
	shas := rp.ordered(rp.ancestors(head))
	// Newest first.
	for i, j := 0, len(shas)-1; i < j; i, j = i+1, j-1 {
		shas[i], shas[j] = shas[j], shas[i]
	}
	out := []any{}
	for _, sha := range paginate(w, r, shas) {
		out = append(out, s.commitJSON(rp, rp.commits[sha]))
	}
	w.json(200, out)
}

func (s *Server) getCommit(w *response, _ *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	ref := strings.TrimPrefix(strings.TrimPrefix(p["ref"], "heads/"), "tags/")
	sha, ok := rp.resolve(ref)
	if !ok {
		w.notFound()
		return
	}
	m := s.commitJSON(rp, rp.commits[sha])
	m["files"] = []any{}
	m["stats"] = map[string]any{"additions": 0, "deletions": 0, "total": 0}
	w.json(200, m)
}

func (s *Server) compare(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	base, ok1 := rp.resolve(p["base"])
	head, ok2 := rp.resolve(p["head"])
	if !ok1 || !ok2 {
		w.notFound()
		return
	}
	ha, ba := rp.ancestors(head), rp.ancestors(base)
	ahead, behind := map[string]bool{}, map[string]bool{}
	for c := range ha {
		if !ba[c] {
			ahead[c] = true
		}
	}
	mergeBase := ""
	for c := range ba {
		if !ha[c] {
			behind[c] = true
		} else if _, ok := rp.commits[c]; ok && (mergeBase == "" || rp.order[c] > rp.order[mergeBase]) {
			mergeBase = c
		}
	}
	shas := rp.ordered(ahead)
	q := r.URL.Query()
	if q.Has("page") || q.Has("per_page") {
		// Paged: chronological pages, no Link header (GitHub declares none).
		per := 30
		if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
			per = min(v, 100)
		}
		page := 1
		if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
			page = v
		}
		start := (page - 1) * per
		if start >= len(shas) {
			shas = nil
		} else {
			shas = shas[start:min(start+per, len(shas))]
		}
	} else if len(shas) > 250 {
		shas = shas[len(shas)-250:]
	}
	m := s.example("commit-comparison").(map[string]any)
	status := "identical"
	switch {
	case len(ahead) > 0 && len(behind) > 0:
		status = "diverged"
	case len(ahead) > 0:
		status = "ahead"
	case len(behind) > 0:
		status = "behind"
	}
	m["status"] = status
	m["ahead_by"] = len(ahead)
	m["behind_by"] = len(behind)
	m["total_commits"] = len(ahead)
	m["url"] = fmt.Sprintf("%s/repos/%s/%s/compare/%s...%s", apiBase, rp.owner, rp.name, p["base"], p["head"])
	m["html_url"] = fmt.Sprintf("https://github.com/%s/%s/compare/%s...%s", rp.owner, rp.name, p["base"], p["head"])
	m["base_commit"] = s.commitJSON(rp, rp.commits[base])
	if mergeBase != "" {
		m["merge_base_commit"] = s.commitJSON(rp, rp.commits[mergeBase])
	} else {
		m["merge_base_commit"] = s.commitJSON(rp, rp.commits[base])
	}
	commits := []any{}
	for _, sha := range shas {
		commits = append(commits, s.commitJSON(rp, rp.commits[sha]))
	}
	m["commits"] = commits
	m["files"] = []any{}
	w.json(200, m)
}

func (s *Server) getContent(w *response, _ *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	content, ok := rp.files[p["path"]]
	if !ok {
		w.notFound()
		return
	}
	m := s.example("content-file-response-if-content-is-a-file").(map[string]any)
	enc := base64.StdEncoding.EncodeToString([]byte(content))
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	b.WriteString(enc + "\n")
	name := p["path"][strings.LastIndex(p["path"], "/")+1:]
	m["content"] = b.String()
	m["size"] = len(content)
	m["name"] = name
	m["path"] = p["path"]
	w.json(200, m)
}

func (s *Server) getRef(w *response, _ *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	sha, ok := rp.refs[p["ref"]]
	if !ok || !strings.HasPrefix(p["ref"], "tags/") && !strings.HasPrefix(p["ref"], "heads/") {
		w.notFound()
		return
	}
	m := s.example("git-ref").(map[string]any)
	m["ref"] = "refs/" + p["ref"]
	m["url"] = fmt.Sprintf("%s/repos/%s/%s/git/refs/%s", apiBase, rp.owner, rp.name, p["ref"])
	obj := m["object"].(map[string]any)
	obj["sha"] = sha
	obj["type"] = "commit"
	obj["url"] = fmt.Sprintf("%s/repos/%s/%s/git/commits/%s", apiBase, rp.owner, rp.name, sha)
	w.json(200, m)
}

func (s *Server) listTags(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	out := []any{}
	for _, tag := range paginate(w, r, rp.tags) {
		m := s.example("tag-items").(map[string]any)
		sha := rp.refs["tags/"+tag]
		m["name"] = tag
		m["commit"] = map[string]any{"sha": sha, "url": fmt.Sprintf("%s/repos/%s/%s/commits/%s", apiBase, rp.owner, rp.name, sha)}
		m["zipball_url"] = fmt.Sprintf("https://github.com/%s/%s/zipball/%s", rp.owner, rp.name, tag)
		m["tarball_url"] = fmt.Sprintf("https://github.com/%s/%s/tarball/%s", rp.owner, rp.name, tag)
		out = append(out, m)
	}
	w.json(200, out)
}
