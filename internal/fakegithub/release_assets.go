package fakegithub

// The handlers of a release's assets (list, upload, delete) and of
// generate-notes (GitHub's own notes for a tag range).

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) releaseByID(p map[string]string) (*repo, *Release) {
	rp, ok := s.lookup(p)
	if !ok {
		return nil, nil
	}
	id, _ := strconv.ParseInt(p["release_id"], 10, 64)
	for _, rel := range rp.releases {
		if rel.ID == id {
			return rp, rel
		}
	}
	return rp, nil
}

func (s *Server) assetJSON(rp *repo, rel *Release, a *Asset) map[string]any {
	m := s.example("release-asset-items").(map[string]any)
	sum := sha256.Sum256(a.Content)
	m["url"] = fmt.Sprintf("%s/repos/%s/%s/releases/assets/%d", apiBase, rp.owner, rp.name, a.ID)
	m["browser_download_url"] = fmt.Sprintf("https://github.com/%s/%s/releases/download/%s/%s", rp.owner, rp.name, rel.TagName, a.Name)
	m["id"] = a.ID
	m["name"] = a.Name
	m["label"] = nil
	if a.Label != "" {
		m["label"] = a.Label
	}
	m["state"] = "uploaded"
	m["content_type"] = a.ContentType
	m["size"] = len(a.Content)
	m["digest"] = "sha256:" + hex.EncodeToString(sum[:])
	m["download_count"] = 0
	m["created_at"] = ts(a.CreatedAt)
	m["updated_at"] = ts(a.CreatedAt)
	return m
}

func (s *Server) listAssets(w *response, r *http.Request, p map[string]string) {
	rp, rel := s.releaseByID(p)
	if rel == nil {
		w.notFound()
		return
	}
	out := []any{}
	for _, a := range paginate(w, r, rel.assets) {
		out = append(out, s.assetJSON(rp, rel, a))
	}
	w.json(200, out)
}

func (s *Server) uploadAsset(w *response, r *http.Request, p map[string]string) {
	rp, rel := s.releaseByID(p)
	if rel == nil {
		w.notFound()
		return
	}
	if s.refuseAssets(w, rel, true) {
		return
	}
	name := r.URL.Query().Get("name")
	for _, a := range rel.assets {
		if a.Name == name {
			// GitHub: a file with that name exists; delete it first.
			w.validationFailed("already_exists", "ReleaseAsset", "name", "")
			return
		}
	}
	body, _ := io.ReadAll(r.Body)
	s.nextID++
	a := &Asset{ID: s.nextID, Name: name, Label: r.URL.Query().Get("label"), ContentType: r.Header.Get("Content-Type"), Content: body, CreatedAt: s.now().UTC().Truncate(1e9)}
	rel.assets = append(rel.assets, a)
	w.json(201, s.assetJSON(rp, rel, a))
}

func (s *Server) deleteAsset(w *response, _ *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	id, _ := strconv.ParseInt(p["asset_id"], 10, 64)
	if s.refuseAssets(w, rp.assetRelease(id), false) {
		return
	}
	for _, rel := range rp.releases {
		for i, a := range rel.assets {
			if a.ID == id {
				rel.assets = append(rel.assets[:i], rel.assets[i+1:]...)
				w.status = 204
				return
			}
		}
	}
	w.notFound()
}

// generateNotes answers with GitHub's default layout: the pull requests
// whose merge commit is in previous_tag_name..tag_name.
func (s *Server) generateNotes(w *response, r *http.Request, p map[string]string) {
	rp, ok := s.lookup(p)
	if !ok {
		w.notFound()
		return
	}
	var req struct {
		TagName         string `json:"tag_name"`
		TargetCommitish string `json:"target_commitish"`
		PreviousTagName string `json:"previous_tag_name"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	head, ok := rp.resolve(req.TagName)
	if !ok {
		if head, ok = rp.resolve(req.TargetCommitish); !ok {
			w.notFound()
			return
		}
	}
	inRange := rp.ancestors(head)
	if base, ok := rp.resolve(req.PreviousTagName); ok && req.PreviousTagName != "" {
		for c := range rp.ancestors(base) {
			delete(inRange, c)
		}
	}
	var b strings.Builder
	b.WriteString("## What's Changed\n")
	for _, n := range sortedPullNumbers(rp) {
		pr := rp.pulls[n]
		if pr.MergeCommitSHA != "" && inRange[pr.MergeCommitSHA] {
			fmt.Fprintf(&b, "* %s by @%s in https://github.com/%s/%s/pull/%d\n", pr.Title, pr.Author, rp.owner, rp.name, n)
		}
	}
	if req.PreviousTagName != "" {
		fmt.Fprintf(&b, "\n\n**Full Changelog**: https://github.com/%s/%s/compare/%s...%s", rp.owner, rp.name, req.PreviousTagName, req.TagName)
	}
	w.json(200, map[string]any{"name": req.TagName, "body": b.String()})
}
