package migrations

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
	"github.com/sonicsaas/sonic-release/internal/option"
	"github.com/sonicsaas/sonic-release/tagging"
)

type options struct {
	option.Common // the logger; migrations makes no HTTP calls
	dir           string
	git           string
	noPrevious    bool
}

// Option configures Analyze.
type Option func(*options) error

// WithDir sets the migrations folder, relative to the repository root.
// The default is the "out" of drizzle.config.{ts,js,mjs,json} at the "to"
// ref when there is one, else "drizzle".
func WithDir(dir string) Option {
	return func(o *options) error {
		d, err := cleanDir(dir)
		if err != nil {
			return err
		}
		o.dir = d
		return nil
	}
}

// WithLogger sets the logger for progress and decisions. The default
// discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { return o.SetLogger(l) }
}

// WithGit sets the git binary. The default is "git" from $PATH.
func WithGit(path string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("git binary must not be empty")
		}
		o.git = path
		return nil
	}
}

// WithNoPrevious says the range has no previous release (a first
// release): every migration up to "to" is new, and an empty "from" is not
// looked up among the tags. Analyze refuses it with a non-empty "from". A
// caller that chose the range itself (notes.ResolveRange) passes it when
// the range starts at the beginning of the history.
func WithNoPrevious() Option {
	return func(o *options) error {
		o.noPrevious = true
		return nil
	}
}

func makeOptions(opts []Option) (*options, error) {
	return option.Apply(&options{Common: option.Defaults(), git: "git"}, opts)
}

// InputError is input Analyze cannot use: a bad folder, ref or journal.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

// BadInput marks the error as unusable input (the CLI exits 2).
func (e *InputError) BadInput() bool { return true }

func cleanDir(dir string) (string, error) {
	d := path.Clean(strings.TrimPrefix(strings.ReplaceAll(dir, "\\", "/"), "./"))
	if dir == "" || path.IsAbs(d) || d == ".." || strings.HasPrefix(d, "../") {
		return "", &InputError{fmt.Sprintf("migrations folder %q: expected a folder relative to the repository root, such as drizzle", dir)}
	}
	return d, nil
}

// configFiles are drizzle-kit's default config file names, in the order
// drizzle-kit looks for them.
var configFiles = []string{"drizzle.config.ts", "drizzle.config.js", "drizzle.config.mjs", "drizzle.config.json"}

// outRE finds `out: "./drizzle"` in a TypeScript or JavaScript config (a
// config file, not SQL).
var outRE = regexp.MustCompile(`(?m)\bout\s*:\s*["'` + "`" + `]([^"'` + "`" + `\n]+)["'` + "`" + `]`)

// Analyze finds the Drizzle migrations added between two refs of the git
// repository at repoDir and classifies their statements against the schema
// the "from" ref had.
//
// from empty means the previous version tag: the highest version tag below
// to's version when to is a version tag, else the highest version tag not
// on to's commit (pre-releases count only when to is a pre-release). With
// no version tag at all, every migration is in the range. to empty means
// HEAD (WithNoPrevious: from empty means no previous release). git is run
// as the real git binary (WithGit), with ctx.
func Analyze(ctx context.Context, repoDir string, from, to string, opts ...Option) (Report, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return Report{}, err
	}
	if o.noPrevious && from != "" {
		return Report{}, &InputError{fmt.Sprintf("from %q given with no previous release: pass one or the other", from)}
	}
	g := git{gitexec.Repo{Bin: o.git, Dir: repoDir}}
	if err := g.Check(ctx); err != nil {
		return Report{}, err
	}
	to = cmp.Or(to, "HEAD")
	toCommit, err := g.commit(ctx, to)
	if err != nil {
		return Report{}, err
	}
	fromCommit := ""
	if from == "" && !o.noPrevious {
		if from, err = previousVersion(ctx, g, to, toCommit); err != nil {
			return Report{}, err
		}
		if from == "" {
			o.Log.Warn("no version tag below the release: every migration counts as new (fetch tags, e.g. fetch-depth: 0)", "to", to)
		} else {
			o.Log.Info("previous version", "from", from, "to", to)
		}
	}
	if from != "" {
		if fromCommit, err = g.commit(ctx, from); err != nil {
			return Report{}, err
		}
	}
	if o.dir == "" {
		if o.dir, err = configDir(ctx, g, toCommit, o.Log); err != nil {
			return Report{}, err
		}
	}
	rep := Report{From: from, To: to, Dir: o.dir, Migrations: []Migration{}, Problems: []Finding{}}

	toFiles, err := g.tree(ctx, toCommit, o.dir)
	if err != nil {
		return Report{}, err
	}
	fromFiles := map[string]string{}
	if fromCommit != "" {
		if fromFiles, err = g.tree(ctx, fromCommit, o.dir); err != nil {
			return Report{}, err
		}
	}
	toSet, err := readSet(ctx, g, o.dir, toFiles)
	if err != nil {
		return Report{}, err
	}
	fromSet, err := readSet(ctx, g, o.dir, fromFiles)
	if err != nil {
		return Report{}, err
	}
	rep.Problems = append(rep.Problems, toSet.problems...)
	if len(toSet.migs) == 0 {
		o.Log.Warn("no migrations found", "dir", o.dir, "to", to)
	}

	// Read what is needed: every shipped migration (to rebuild the
	// previous release's schema) and every new one.
	fromPaths := map[string]mig{}
	var ids []string
	for _, m := range fromSet.migs {
		fromPaths[m.path] = m
		ids = append(ids, m.blob)
	}
	for _, m := range toSet.migs {
		if _, shipped := fromPaths[m.path]; !shipped {
			ids = append(ids, m.blob)
		}
	}
	blobs, err := g.blobs(ctx, ids)
	if err != nil {
		return Report{}, err
	}

	schema := NewSchema()
	for _, m := range fromSet.migs {
		if _, err := ClassifyFile(m.path, blobs[m.blob], schema); err != nil {
			return Report{}, err
		}
	}
	schema.Baseline()

	migs, problems, err := diffSets(from, fromSet, toSet, func(m mig) ([]Finding, error) {
		return ClassifyFile(m.path, blobs[m.blob], schema)
	})
	if err != nil {
		return Report{}, err
	}
	rep.Migrations = append(rep.Migrations, migs...)
	rep.Problems = append(rep.Problems, problems...)
	o.Log.Info("migrations analysed", "from", from, "to", to, "dir", o.dir, "migrations", len(rep.Migrations), "problems", len(rep.Problems), "breaking", rep.Breaking())
	return rep, nil
}

// previousVersion picks the version tag a range starts from.
func previousVersion(ctx context.Context, g git, to, toCommit string) (string, error) {
	tags, err := g.Tags(ctx)
	if err != nil {
		return "", err
	}
	if toV, err := tagging.ParseVersion(to); err == nil {
		return tagging.Previous(toV, tags), nil
	}
	// to is HEAD or a branch: the highest stable version, skipping a tag
	// on to's own commit (the release being made).
	type cand struct {
		tag string
		v   tagging.Version
	}
	var cands []cand
	for _, t := range tags {
		if v, err := tagging.ParseVersion(t); err == nil && !v.Prerelease() {
			cands = append(cands, cand{t, v})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].v.Compare(cands[j].v) > 0 })
	for _, c := range cands {
		if id, err := g.commit(ctx, c.tag); err == nil && id == toCommit {
			continue
		}
		return c.tag, nil
	}
	return "", nil
}

// configDir reads the migrations folder from drizzle.config.* at commit.
func configDir(ctx context.Context, g git, commit string, log *slog.Logger) (string, error) {
	for _, name := range configFiles {
		data, ok, err := g.show(ctx, commit, name)
		if err != nil {
			return "", err
		}
		if !ok {
			continue
		}
		out := ""
		if strings.HasSuffix(name, ".json") {
			var cfg struct {
				Out string `json:"out"`
			}
			if err := json.Unmarshal(data, &cfg); err != nil {
				return "", &InputError{fmt.Sprintf("reading %s: %v: fix the file or give the migrations folder", name, err)}
			}
			out = cfg.Out
		} else if m := outRE.FindSubmatch(data); m != nil {
			out = string(m[1])
		}
		if out == "" {
			log.Warn("config has no literal out; using drizzle", "config", name)
			return "drizzle", nil
		}
		d, err := cleanDir(out)
		if err != nil {
			return "", fmt.Errorf("reading out of %s: %w", name, err)
		}
		log.Info("migrations folder from config", "config", name, "dir", d)
		return d, nil
	}
	return "drizzle", nil
}

// mig is one migration file at one commit.
type mig struct {
	name string
	path string
	blob string
	when int64 // journal "when", 0 in the folder layout
}

type migSet struct {
	migs     []mig
	problems []Finding
}

type journal struct {
	Entries []struct {
		Idx  int    `json:"idx"`
		When int64  `json:"when"`
		Tag  string `json:"tag"`
	} `json:"entries"`
}

// journalPosition says where a journal that json could not decode breaks:
// the 1-based line (0 when json gives no position) and a phrase for the
// message, with json's own error.
func journalPosition(data []byte, err error) (int, string) {
	var (
		syntax *json.SyntaxError
		shape  *json.UnmarshalTypeError
		offset int64 = -1
	)
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &shape):
		offset = shape.Offset
	}
	if offset < 0 {
		return 0, fmt.Sprintf(" (%v)", err)
	}
	if syntax != nil && offset >= int64(len(data)) {
		return 0, fmt.Sprintf(": it ends early (%v)", err)
	}
	// json's offset is just past the byte that broke the decoding.
	before := data[:max(offset-1, 0)]
	line := 1 + bytes.Count(before, []byte("\n"))
	col := 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	if shape != nil {
		// json names the Go type; say what the file holds instead.
		return line, fmt.Sprintf(" at line %d, column %d (%q holds a JSON %s of the wrong kind)", line, col, shape.Field, shape.Value)
	}
	return line, fmt.Sprintf(" at line %d, column %d (%v)", line, col, err)
}

// readSet lists the migrations of one commit in the order Drizzle applies
// them: the journal layout (NNNN_name.sql, meta/_journal.json), then the
// 1.0 folder layout (<timestamp>_<name>/migration.sql) by folder name.
func readSet(ctx context.Context, g blobReader, dir string, files map[string]string) (migSet, error) {
	var set migSet
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	journalPath := prefix + "meta/_journal.json"
	// A symbolic link is named as one and never read (its blob is the
	// link's target): it is no migration, and its journal entry is not
	// missing its file.
	links := map[string]bool{}
	var topSQL, folders []string
	for p, id := range files {
		rel := strings.TrimPrefix(p, prefix)
		isMig := !strings.Contains(rel, "/") && strings.HasSuffix(rel, ".sql") ||
			strings.Count(rel, "/") == 1 && strings.HasSuffix(rel, "/migration.sql")
		switch {
		case id == symlinkID && (isMig || p == journalPath):
			links[p] = true
		case !isMig:
		case strings.HasSuffix(rel, "/migration.sql"):
			folders = append(folders, p)
		default:
			topSQL = append(topSQL, p)
		}
	}
	sort.Strings(topSQL)
	sort.Strings(folders)
	for _, p := range slices.Sorted(maps.Keys(links)) {
		set.problems = append(set.problems, Finding{File: p, Class: Other, Level: LevelError,
			Reason: fmt.Sprintf("%s is a symbolic link (git mode 120000): the analysis does not follow links, and what it points to may change without a diff here; commit the file itself", p)})
	}

	// inFileOrder takes the migrations in the order drizzle-kit names
	// them when the journal cannot give it: the files are there, so none
	// reads as deleted or unlisted because of the journal.
	inFileOrder := func() {
		for _, p := range topSQL {
			set.migs = append(set.migs, mig{name: strings.TrimSuffix(path.Base(p), ".sql"), path: p, blob: files[p]})
		}
	}
	if links[journalPath] {
		inFileOrder()
	} else if id, ok := files[journalPath]; ok {
		b, err := g.blobs(ctx, []string{id})
		if err != nil {
			return set, err
		}
		var j journal
		if err := json.Unmarshal(b[id], &j); err != nil {
			line, where := journalPosition(b[id], err)
			set.problems = append(set.problems, Finding{File: journalPath, Line: line, Class: Other, Level: LevelError,
				Reason: fmt.Sprintf("%s is malformed%s: drizzle-kit migrate cannot read it, so no migration runs; fix it or regenerate it with drizzle-kit generate (the migrations were judged in file-name order)", journalPath, where)})
			inFileOrder()
			topSQL = nil
		}
		sort.SliceStable(j.Entries, func(a, b int) bool { return j.Entries[a].Idx < j.Entries[b].Idx })
		inJournal := map[string]bool{}
		for _, e := range j.Entries {
			p := prefix + e.Tag + ".sql"
			inJournal[p] = true
			id, ok := files[p]
			if links[p] {
				continue
			}
			if !ok {
				set.problems = append(set.problems, Finding{File: journalPath, Class: Other, Level: LevelError,
					Reason: fmt.Sprintf("journal entry %s has no file %s: Drizzle's migrator fails on it; restore the file or remove the entry", e.Tag, p)})
				continue
			}
			set.migs = append(set.migs, mig{name: e.Tag, path: p, blob: id, when: e.When})
		}
		for _, p := range topSQL {
			if !inJournal[p] {
				set.problems = append(set.problems, Finding{File: p, Class: Other, Level: LevelError,
					Reason: fmt.Sprintf("%s is not in %s: Drizzle's migrator never runs it; generate migrations with drizzle-kit generate (--custom for hand-written SQL)", path.Base(p), journalPath)})
			}
		}
	} else {
		for _, p := range topSQL {
			set.problems = append(set.problems, Finding{File: p, Class: Other, Level: LevelError,
				Reason: fmt.Sprintf("%s has no journal (%s missing): Drizzle's migrator does not run it", path.Base(p), journalPath)})
		}
	}
	for _, p := range folders {
		set.migs = append(set.migs, mig{name: path.Base(path.Dir(p)), path: p, blob: files[p]})
	}
	// Keep a stable order even if a journal lists a file twice.
	set.migs = slices.CompactFunc(set.migs, func(a, b mig) bool { return a.path == b.path })
	return set, nil
}
