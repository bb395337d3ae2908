package fakegithub

import "errors"

// A hook on package version deletes, so that a test can pair the fake with
// a real registry (GHCR deletes the manifest when its version is deleted)
// and inject a failure half-way.

// OnDeletePackageVersion calls f (under the server's lock) before a
// package version is deleted. When f returns an error the version stays
// and the request fails: with a *Status, with that status (checked against
// the document: 401, 403 or 404); with another error, with 502 Bad Gateway,
// as GitHub answers at times (a status the document does not declare, sent
// unchecked).
func (s *Server) OnDeletePackageVersion(f func(PackageVersion) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onDelete = f
}

// Status is an error a hook returns to make the fake answer Code with
// Message, as GitHub does ({"message": …, "documentation_url": …}).
type Status struct {
	Code    int
	Message string
}

func (e *Status) Error() string { return e.Message }

func (s *Server) failDelete(w *response, v *PackageVersion) bool {
	if s.onDelete == nil {
		return false
	}
	err := s.onDelete(*v)
	var st *Status
	if errors.As(err, &st) {
		w.json(st.Code, map[string]any{"message": st.Message, "documentation_url": "https://docs.github.com/rest/packages/packages"})
		return true
	}
	if err != nil {
		w.unchecked = true
		w.json(502, map[string]any{"message": "Server Error: " + err.Error(), "documentation_url": "https://docs.github.com/rest"})
		return true
	}
	return false
}

// SetPackageVersionTags sets the tags of version id of a package (a tag
// that moved away leaves its old version untagged, as on GHCR); it reports
// whether the version exists.
func (s *Server) SetPackageVersionTags(owner string, org bool, typ, name string, id int64, tags []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := "users"
	if org {
		kind = "orgs"
	}
	if p := s.packages[pkgKey(kind, owner, typ, name)]; p != nil {
		for _, v := range p.versions {
			if v.ID == id {
				v.Tags = append([]string(nil), tags...)
				return true
			}
		}
	}
	return false
}
