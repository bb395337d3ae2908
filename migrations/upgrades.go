package migrations

import (
	"context"
	"slices"
	"strings"

	"github.com/sonicsaas/sonic-release/tagging"
)

// AnalyzeUpgrades reads the history of the git repository at repoDir
// (ReadHistory with to as the ref) and returns the upgrade table of the
// version tag to.
func AnalyzeUpgrades(ctx context.Context, repoDir, to string, opts ...Option) (Upgrades, error) {
	h, err := ReadHistory(ctx, repoDir, to, opts...)
	if err != nil {
		return Upgrades{}, err
	}
	return h.Upgrades(to)
}

// Upgrades returns the upgrade table of the version tag to. Its rows are
// the releases an operator may be on (see rows): for each, what
// Between(row, to) says.
func (h *History) Upgrades(to string) (Upgrades, error) {
	rt, err := h.release(to)
	if err != nil {
		return Upgrades{}, err
	}
	u := Upgrades{To: to, Dir: h.dir, Migrations: len(rt.set.migs), Rows: []Upgrade{}}
	for _, rf := range h.rows(rt) {
		rep, err := h.Between(rf.tag, rt.tag)
		if err != nil {
			return Upgrades{}, err
		}
		row := Upgrade{From: rf.tag, Breaking: rep.Breaking(), Causes: []Cause{}, Problems: rep.Problems}
		for _, m := range rep.Migrations {
			if m.Status == "added" {
				row.Migrations++
			}
			if m.Breaking {
				row.Causes = append(row.Causes, Cause{Migration: m.Name, File: m.File, Release: h.introducedBy(m.File, rf, rt)})
			}
		}
		u.Rows = append(u.Rows, row)
	}
	return u, nil
}

// rows picks the releases an operator may be on when to comes out, highest
// first: the newest release of each minor line of to's major and of the
// major before it (the highest lower major that has releases), below to.
// Pre-releases count only when to is one, and then only those of to's own
// version (v1.5.0-rc.1 for v1.5.0-rc.2), as a line of their own. The
// previous release (tagging.Previous) is always a row, so the first row is
// the range of the notes.
func (h *History) rows(to *release) []*release {
	var tags []string
	prevMajor, hasPrevMajor := uint64(0), false
	for _, r := range h.releases {
		tags = append(tags, r.tag)
		if r.v.Major() < to.v.Major() && !r.v.Prerelease() {
			prevMajor, hasPrevMajor = r.v.Major(), true
		}
	}
	type line struct {
		major, minor uint64
		pre          bool
	}
	newest := map[line]*release{}
	for _, r := range h.releases {
		switch {
		case r.v.Compare(to.v) >= 0:
			continue
		case r.v.Prerelease() && (!to.v.Prerelease() || core(r.v) != core(to.v)):
			continue
		case r.v.Major() != to.v.Major() && (!hasPrevMajor || r.v.Major() != prevMajor):
			continue
		}
		newest[line{r.v.Major(), r.v.Minor(), r.v.Prerelease()}] = r // sorted: the last is the newest
	}
	var out []*release
	for _, r := range newest {
		out = append(out, r)
	}
	if prev := h.byTag[tagging.Previous(to.v, tags)]; prev != nil && !slices.Contains(out, prev) {
		out = append(out, prev)
	}
	slices.SortFunc(out, func(a, b *release) int { return b.v.Compare(a.v) })
	return out
}

// core is a version without its pre-release: "v1.5.0" of v1.5.0-rc.1.
func core(v tagging.Version) string {
	c, _, _ := strings.Cut(v.String(), "-")
	return c
}

// introducedBy names the first release after from, up to to, that ships
// the file as to has it: stable releases only, unless to is a pre-release.
func (h *History) introducedBy(file string, from, to *release) string {
	blob := to.paths[file]
	for _, r := range h.releases {
		if r.v.Compare(from.v) <= 0 || r.v.Compare(to.v) > 0 || (r.v.Prerelease() && !to.v.Prerelease()) {
			continue
		}
		if r.paths[file] == blob {
			return r.tag
		}
	}
	return to.tag
}
