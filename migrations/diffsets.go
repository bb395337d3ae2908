package migrations

import (
	"context"
	"fmt"
)

// blobReader reads git blobs by id: the repository (git), or the blobs a
// History read once.
type blobReader interface {
	blobs(ctx context.Context, ids []string) (map[string][]byte, error)
}

// diffSets compares the migrations a database has after the release from
// (fromSet) with the ones of the release to (toSet): what upgrading applies
// (toSet∖fromSet, by path, in toSet's order) and what is wrong with the
// pair. classify judges each added migration, in order, against the
// schema of from and the added migrations before it. Analyze and History
// both use it, so the table of a release and "migrations --from --to" say
// the same.
func diffSets(from string, fromSet, toSet migSet, classify func(mig) ([]Finding, error)) ([]Migration, []Finding, error) {
	var migs []Migration
	var problems []Finding
	fromPaths := make(map[string]mig, len(fromSet.migs))
	lastShipped := int64(0)
	for _, m := range fromSet.migs {
		fromPaths[m.path] = m
		lastShipped = max(lastShipped, m.when)
	}
	toPaths := make(map[string]bool, len(toSet.migs))
	for _, m := range toSet.migs {
		toPaths[m.path] = true
		old, shipped := fromPaths[m.path]
		switch {
		case !shipped:
			fs, err := classify(m)
			if err != nil {
				return nil, nil, err
			}
			mm := Migration{Name: m.name, File: m.path, Status: "added", Findings: fs}
			mm.Tally()
			migs = append(migs, mm)
			if m.when > 0 && m.when <= lastShipped {
				problems = append(problems, Finding{File: m.path, Class: Other, Level: LevelError,
					Reason: fmt.Sprintf("journal entry %s is dated (when %d) before the last shipped migration (when %d): Drizzle's migrator skips it on every database that applied the shipped ones; re-generate it so it comes last", m.name, m.when, lastShipped)})
			}
		case old.blob != m.blob:
			migs = append(migs, Migration{Name: m.name, File: m.path, Status: "modified", Findings: []Finding{}})
			problems = append(problems, Finding{File: m.path, Class: Other, Level: LevelError,
				Reason: fmt.Sprintf("migration %s shipped in %s and is edited in this range: Drizzle never re-runs an applied migration, so databases that applied it keep the old version; revert the edit and add a new migration", m.name, from)})
		}
	}
	for _, m := range fromSet.migs {
		if !toPaths[m.path] {
			migs = append(migs, Migration{Name: m.name, File: m.path, Status: "deleted", Findings: []Finding{}})
			problems = append(problems, Finding{File: m.path, Class: Other, Level: LevelError,
				Reason: fmt.Sprintf("migration %s shipped in %s and is deleted in this range: databases that applied it keep its changes, new databases do not get them; restore it and undo it with a new migration (a backport's migration: add it to this release's journal with the same file and date, so databases that applied it skip it)", m.name, from)})
		}
	}
	return migs, problems, nil
}
