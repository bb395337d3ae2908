package fakegithub

// The handlers of container package versions (list, get, delete, for orgs
// and users): what GHCR's API answers about an image's versions.

import (
	"fmt"
	"net/http"
	"strconv"
)

func (s *Server) pkgOf(p map[string]string) *pkg {
	kind, owner := "orgs", p["org"]
	if owner == "" {
		kind, owner = "users", p["username"]
	}
	return s.packages[pkgKey(kind, owner, p["package_type"], p["package_name"])]
}

func (s *Server) packageVersionJSON(p map[string]string, v *PackageVersion) map[string]any {
	m := s.example("package-version-org").(map[string]any)
	base := apiBase + "/orgs/" + p["org"]
	if p["org"] == "" {
		base = apiBase + "/users/" + p["username"]
	}
	m["id"] = v.ID
	m["name"] = v.Name
	m["url"] = fmt.Sprintf("%s/packages/%s/%s/versions/%d", base, p["package_type"], p["package_name"], v.ID)
	m["created_at"] = ts(v.CreatedAt)
	m["updated_at"] = ts(v.CreatedAt)
	delete(m, "deleted_at")
	tags := []any{}
	for _, t := range v.Tags {
		tags = append(tags, t)
	}
	m["metadata"] = map[string]any{"package_type": p["package_type"], "container": map[string]any{"tags": tags}}
	return m
}

func (s *Server) listPackageVersions(w *response, r *http.Request, p map[string]string) {
	pk := s.pkgOf(p)
	if pk == nil {
		w.notFound()
		return
	}
	// Newest first, as GitHub lists them.
	vs := make([]*PackageVersion, 0, len(pk.versions))
	for i := len(pk.versions) - 1; i >= 0; i-- {
		vs = append(vs, pk.versions[i])
	}
	out := []any{}
	for _, v := range paginate(w, r, vs) {
		out = append(out, s.packageVersionJSON(p, v))
	}
	w.json(200, out)
}

func (s *Server) getPackageVersion(w *response, _ *http.Request, p map[string]string) {
	id, _ := strconv.ParseInt(p["package_version_id"], 10, 64)
	if pk := s.pkgOf(p); pk != nil {
		for _, v := range pk.versions {
			if v.ID == id {
				w.json(200, s.packageVersionJSON(p, v))
				return
			}
		}
	}
	// The document declares only 200 for this operation; GitHub answers
	// 404 all the same.
	w.unchecked = true
	w.notFound()
}

func (s *Server) deletePackageVersion(w *response, _ *http.Request, p map[string]string) {
	id, _ := strconv.ParseInt(p["package_version_id"], 10, 64)
	if pk := s.pkgOf(p); pk != nil {
		for i, v := range pk.versions {
			if v.ID == id {
				if s.failDelete(w, v) {
					return
				}
				pk.versions = append(pk.versions[:i], pk.versions[i+1:]...)
				w.status = 204
				return
			}
		}
	}
	w.notFound()
}
