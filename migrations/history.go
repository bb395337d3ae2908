package migrations

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
	"github.com/sonicsaas/sonic-release/tagging"
)

// History is the migrations of every version tag of a repository, read
// from git in one pass: the tags, each tagged commit's tree of the
// migrations folder, each journal and each distinct migration file once.
// Its methods answer, for any two of its releases, what Analyze answers,
// without running git again: every file is parsed once, and a migration is
// judged once per release it is judged against (the verdict depends on
// what that release already had).
//
// A History is not safe for concurrent use.
type History struct {
	dir      string
	releases []*release // by version, lowest first
	byTag    map[string]*release
	blobs    blobMap
	parses   *parseCache
	runs     map[string][]*run // by base (baseKey)
	snaps    *snapshot         // the schemas of the bases replayed
}

// release is one version tag of a History.
type release struct {
	tag    string
	v      tagging.Version
	commit string
	set    migSet
	paths  map[string]string // path → blob of set.migs
}

// run is the classification of one sequence of migrations against the
// schema of one release: schema is the state after seq.
type run struct {
	schema   *Schema
	seq      []string // migKey of each migration judged
	findings [][]Finding
}

// blobMap is blobs read once, as a blobReader.
type blobMap map[string][]byte

func (b blobMap) blobs(_ context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	for _, id := range ids {
		data, ok := b[id]
		if !ok {
			return nil, fmt.Errorf("blob %s was not read with the history", id)
		}
		out[id] = data
	}
	return out, nil
}

// ReadHistory reads the migrations of every version tag of the git
// repository at repoDir. The migrations folder is WithDir's, else the "out"
// of drizzle.config.* at ref (empty means HEAD), else "drizzle", as for
// Analyze with ref as "to". Tags that are not versions are left out; of two
// spellings of one version ("1.2.0", "v1.2.0") the one with "v" is kept.
func ReadHistory(ctx context.Context, repoDir, ref string, opts ...Option) (*History, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	g := git{gitexec.Repo{Bin: o.git, Dir: repoDir}}
	if err := g.Check(ctx); err != nil {
		return nil, err
	}
	if ref == "" {
		ref = "HEAD"
	}
	if o.dir == "" {
		commit, err := g.commit(ctx, ref)
		if err != nil {
			return nil, err
		}
		if o.dir, err = configDir(ctx, g, commit, o.Log); err != nil {
			return nil, err
		}
	}
	h := &History{dir: o.dir, byTag: map[string]*release{}, blobs: blobMap{}, parses: newParseCache(), runs: map[string][]*run{}}
	if err := h.readReleases(ctx, g); err != nil {
		return nil, err
	}

	// Each distinct commit's tree of the folder, then every journal in one
	// read, then every migration file in one read.
	var journals []string
	journalPath := h.dir + "/meta/_journal.json"
	if h.dir == "." {
		journalPath = "meta/_journal.json"
	}
	var commits []string
	for _, r := range h.releases {
		commits = append(commits, r.commit)
	}
	trees, err := readTrees(ctx, g, commits, h.dir)
	if err != nil {
		return nil, err
	}
	for _, files := range trees {
		if id, ok := files[journalPath]; ok && id != symlinkID {
			journals = append(journals, id)
		}
	}
	if err := h.read(ctx, g, journals); err != nil {
		return nil, err
	}
	sets := map[string]migSet{}
	var ids []string
	for _, r := range h.releases {
		set, ok := sets[r.commit]
		if !ok {
			var err error
			if set, err = readSet(ctx, h.blobs, h.dir, trees[r.commit]); err != nil {
				return nil, err
			}
			sets[r.commit] = set
			for _, m := range set.migs {
				ids = append(ids, m.blob)
			}
		}
		r.set = set
		r.paths = make(map[string]string, len(set.migs))
		for _, m := range set.migs {
			r.paths[m.path] = m.blob
		}
	}
	if err := h.read(ctx, g, ids); err != nil {
		return nil, err
	}
	o.Log.Info("migration history read", "dir", h.dir, "releases", len(h.releases), "commits", len(trees), "files", len(h.blobs))
	return h, nil
}

// readReleases lists the version tags and their commits with one git
// for-each-ref.
func (h *History) readReleases(ctx context.Context, g git) error {
	out, err := g.Run(ctx, "for-each-ref", "--format=%(refname:strip=2) %(objecttype) %(objectname) %(*objecttype) %(*objectname)", "refs/tags")
	if err != nil {
		return err
	}
	byVersion := map[string]*release{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		v, err := tagging.ParseVersion(f[0])
		if err != nil {
			continue
		}
		commit := ""
		switch {
		case f[1] == "commit":
			commit = f[2]
		case len(f) == 5 && f[3] == "commit":
			commit = f[4]
		default: // a tag of a tag, or of something else
			if commit, err = g.commit(ctx, f[0]); err != nil {
				if _, ok := errors.AsType[*gitexec.RefError](err); ok {
					continue // a version tag on a tree or a blob: not a release
				}
				return err
			}
		}
		r := &release{tag: f[0], v: v, commit: commit}
		if old, ok := byVersion[v.String()]; ok && (strings.HasPrefix(old.tag, "v") || !strings.HasPrefix(r.tag, "v")) {
			continue
		}
		byVersion[v.String()] = r
	}
	for _, r := range byVersion {
		h.releases = append(h.releases, r)
	}
	slices.SortFunc(h.releases, func(a, b *release) int { return a.v.Compare(b.v) })
	for _, r := range h.releases {
		h.byTag[r.tag] = r
	}
	return nil
}

// read reads the blobs not read yet, with one git cat-file.
func (h *History) read(ctx context.Context, g git, ids []string) error {
	var want []string
	for _, id := range ids {
		if _, ok := h.blobs[id]; !ok {
			want = append(want, id)
			h.blobs[id] = nil // once
		}
	}
	got, err := g.blobs(ctx, want)
	if err != nil {
		return err
	}
	for id, data := range got {
		h.blobs[id] = data
	}
	return nil
}

// Dir is the migrations folder, relative to the repository root.
func (h *History) Dir() string { return h.dir }

// Releases returns the version tags, lowest version first.
func (h *History) Releases() []string {
	out := make([]string, len(h.releases))
	for i, r := range h.releases {
		out[i] = r.tag
	}
	return out
}

// release finds a version tag of the history.
func (h *History) release(tag string) (*release, error) {
	if r, ok := h.byTag[tag]; ok {
		return r, nil
	}
	if v, err := tagging.ParseVersion(tag); err == nil {
		for _, r := range h.releases {
			if r.v.Compare(v) == 0 { // the other spelling: 1.2.0 for v1.2.0
				return r, nil
			}
		}
	}
	return nil, &InputError{fmt.Sprintf("%q is not a version tag of the repository: pass one of its version tags (fetch tags with 'git fetch --tags' in a shallow clone)", tag)}
}

// Between is the report Analyze gives for the range from..to, for two
// version tags of the history: what upgrading a database from from's
// migrations to to's applies, whatever branches the two were released
// from. from empty means an empty database (every migration of to is in
// the range).
func (h *History) Between(from, to string) (Report, error) {
	rt, err := h.release(to)
	if err != nil {
		return Report{}, err
	}
	var fromSet migSet
	if from != "" {
		rf, err := h.release(from)
		if err != nil {
			return Report{}, err
		}
		fromSet = rf.set
	}
	rep := Report{From: from, To: to, Dir: h.dir, Migrations: []Migration{}, Problems: []Finding{}}
	rep.Problems = append(rep.Problems, rt.set.problems...)
	migs, problems, err := diffSets(from, fromSet, rt.set, h.judge(fromSet))
	if err != nil {
		return Report{}, err
	}
	rep.Migrations = append(rep.Migrations, migs...)
	rep.Problems = append(rep.Problems, problems...)
	return rep, nil
}

func migKey(m mig) string { return m.path + "\x00" + m.blob }

func baseKey(set migSet) string {
	var b strings.Builder
	for _, m := range set.migs {
		b.WriteString(migKey(m))
		b.WriteByte('\n')
	}
	return b.String()
}

// judge returns the classify function of diffSets for a range starting
// at base: it reuses what an earlier range from the same base judged when
// it began with the same migrations, and carries on from there.
func (h *History) judge(base migSet) func(mig) ([]Finding, error) {
	key := baseKey(base)
	var prefix []mig
	var keys []string
	var cur *run
	return func(m mig) ([]Finding, error) {
		k := migKey(m)
		i := len(keys)
		prefix, keys = append(prefix, m), append(keys, k)
		if cur == nil || len(cur.seq) <= i || cur.seq[i] != k {
			cur = nil
			var extend *run
			for _, r := range h.runs[key] {
				if len(r.seq) < i || !slices.Equal(r.seq[:i], keys[:i]) {
					continue
				}
				if len(r.seq) > i && r.seq[i] == k {
					cur = r
					break
				}
				if len(r.seq) == i {
					extend = r
				}
			}
			if cur == nil {
				if extend == nil {
					var err error
					if extend, err = h.newRun(key, base, prefix[:i]); err != nil {
						return nil, err
					}
				}
				fs, err := ClassifyFile(m.path, h.blobs[m.blob], extend.schema)
				if err != nil {
					return nil, err
				}
				extend.seq = append(extend.seq, k)
				extend.findings = append(extend.findings, fs)
				cur = extend
			}
		}
		return slices.Clone(cur.findings[i]), nil
	}
}

// newRun replays base into a new schema, marks it shipped, and judges
// the migrations of prefix after it.
func (h *History) newRun(key string, base migSet, prefix []mig) (*run, error) {
	s, err := h.replay(base)
	if err != nil {
		return nil, err
	}
	s.Baseline()
	r := &run{schema: s}
	for _, m := range prefix {
		fs, err := ClassifyFile(m.path, h.blobs[m.blob], s)
		if err != nil {
			return nil, err
		}
		r.seq = append(r.seq, migKey(m))
		r.findings = append(r.findings, fs)
	}
	h.runs[key] = append(h.runs[key], r)
	return r, nil
}

// readTrees lists, for each commit, the files of dir that readSet looks
// at (dir/*, dir/*/*: path → blob id, as git ls-tree -r lists them), with
// a few git cat-file processes for all commits: the commits, then one level
// of trees at a time, each distinct tree once.
func readTrees(ctx context.Context, g git, commits []string, dir string) (map[string]map[string]string, error) {
	objs, err := g.blobs(ctx, uniq(commits))
	if err != nil {
		return nil, err
	}
	at := map[string]string{} // commit → tree id of dir ("" when missing)
	for _, c := range commits {
		tree, ok := strings.CutPrefix(string(objs[c]), "tree ")
		if !ok || len(tree) < 40 {
			return nil, fmt.Errorf("reading commit %s: no tree", c)
		}
		at[c], _, _ = strings.Cut(tree, "\n")
	}
	var parts []string
	if dir != "." && dir != "" {
		parts = strings.Split(dir, "/")
	}
	for _, name := range parts {
		ids := make([]string, 0, len(at))
		for _, id := range at {
			if id != "" {
				ids = append(ids, id)
			}
		}
		listed, err := readTreeObjects(ctx, g, ids)
		if err != nil {
			return nil, err
		}
		for c, id := range at {
			at[c] = ""
			for _, e := range listed[id] {
				if e.name == name && e.tree {
					at[c] = e.id
				}
			}
		}
	}
	prefix := dir + "/"
	if dir == "." || dir == "" {
		prefix = ""
	}
	// The folder, then its sub-folders (meta/, the 1.0 layout's folders).
	var tops []string
	for _, id := range at {
		if id != "" {
			tops = append(tops, id)
		}
	}
	top, err := readTreeObjects(ctx, g, tops)
	if err != nil {
		return nil, err
	}
	var subs []string
	for _, entries := range top {
		for _, e := range entries {
			if e.tree {
				subs = append(subs, e.id)
			}
		}
	}
	sub, err := readTreeObjects(ctx, g, subs)
	if err != nil {
		return nil, err
	}
	byTree := map[string]map[string]string{}
	out := make(map[string]map[string]string, len(at))
	for c, id := range at {
		files, ok := byTree[id]
		if !ok {
			files = map[string]string{}
			for _, e := range top[id] {
				if !e.tree {
					files[prefix+e.name] = e.id
					continue
				}
				for _, f := range sub[e.id] {
					if !f.tree {
						files[prefix+e.name+"/"+f.name] = f.id
					}
				}
			}
			byTree[id] = files
		}
		out[c] = files
	}
	return out, nil
}

// treeEntry is one entry of a git tree object: a blob (files and symbolic
// links, as git ls-tree lists them) or a tree. Submodules are left out.
type treeEntry struct {
	name string
	id   string
	tree bool
}

// readTreeObjects reads tree objects with one git cat-file and parses them.
func readTreeObjects(ctx context.Context, g git, ids []string) (map[string][]treeEntry, error) {
	objs, err := g.blobs(ctx, uniq(ids))
	if err != nil {
		return nil, err
	}
	out := make(map[string][]treeEntry, len(objs))
	for id, data := range objs {
		size := len(id) / 2 // 20 bytes for SHA-1, 32 for SHA-256
		var entries []treeEntry
		for len(data) > 0 {
			sp := bytes.IndexByte(data, ' ')
			nul := bytes.IndexByte(data, 0)
			if sp < 0 || nul < sp || nul+1+size > len(data) {
				return nil, fmt.Errorf("reading tree %s: unexpected content", id)
			}
			mode, name := string(data[:sp]), string(data[sp+1:nul])
			e := treeEntry{name: name, id: blobID(mode, hex.EncodeToString(data[nul+1:nul+1+size])), tree: mode == "40000"}
			data = data[nul+1+size:]
			if mode != "160000" {
				entries = append(entries, e)
			}
		}
		out[id] = entries
	}
	return out, nil
}

func uniq(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}

// snapshot is a node of the tree of migration sequences the History has
// replayed: schema, when kept, is the schema after the sequence from the
// root (before Baseline).
type snapshot struct {
	next   map[string]*snapshot
	schema *Schema
}

// replay returns a new schema holding base's migrations: a copy of the
// schema of the longest sequence replayed before that base starts with, and
// the rest of base replayed into it. Releases of one line share their
// first migrations, so each migration is replayed about once in all.
func (h *History) replay(base migSet) (*Schema, error) {
	if h.snaps == nil {
		s := NewSchema()
		s.parses = h.parses
		h.snaps = &snapshot{schema: s}
	}
	best, at := h.snaps, 0
	for n, i := h.snaps, 0; i < len(base.migs); i++ {
		if n = n.next[migKey(base.migs[i])]; n == nil {
			break
		}
		if n.schema != nil {
			best, at = n, i+1
		}
	}
	s := best.schema.clone()
	n := best
	for _, m := range base.migs[at:] {
		if _, err := ClassifyFile(m.path, h.blobs[m.blob], s); err != nil {
			return nil, err
		}
		k := migKey(m)
		if n.next[k] == nil {
			if n.next == nil {
				n.next = map[string]*snapshot{}
			}
			n.next[k] = &snapshot{}
		}
		n = n.next[k]
	}
	if n.schema == nil {
		n.schema = s.clone()
	}
	return s, nil
}
