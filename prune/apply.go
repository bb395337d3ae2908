package prune

import (
	"context"
	"fmt"
	"slices"
)

// Result is what Apply did.
type Result struct {
	// Deleted are the versions deleted (or found already gone), in order.
	Deleted []Item `json:"deleted"`
	// Bytes is what the deleted versions freed, about.
	Bytes int64 `json:"bytes"`
}

// ChangedError refuses to delete a version that gained a tag since the
// plan: the package changed under the run.
type ChangedError struct {
	Version Version
	Tags    []string // its tags now
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("version %d (%s) is tagged %q now, not %q as planned: the package changed since the plan; nothing more was deleted, plan again", e.Version.ID, short(e.Version.Digest), e.Tags, e.Version.Tags)
}

// Refused reports that the deletion was refused by policy.
func (e *ChangedError) Refused() bool { return true }

// Apply deletes the plan's deletions in order through src, one at a time
// (GitHub asks for mutating requests to be sent serially). A version found
// already gone counts as deleted, so a re-run after a failure completes the
// work. On an error Apply stops and returns what it did with the error:
// the order guarantees that nothing kept and no remaining tagged image
// misses a part, and the next plan finds what is left.
func Apply(ctx context.Context, plan *Plan, src Source, opts ...Option) (*Result, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	getter, _ := src.(versionGetter)
	for _, it := range plan.Deletions() {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if it.Root && getter != nil {
			now, ok, err := getter.Version(ctx, it.ID)
			switch {
			case IsNotFound(err):
				res.add(it)
				continue
			case err != nil:
				return res, err
			case ok && !subset(now.Tags, it.Tags):
				return res, &ChangedError{Version: it.Version, Tags: now.Tags}
			}
		}
		err := src.Delete(ctx, it.Version)
		if err != nil && !IsNotFound(err) {
			return res, err
		}
		o.Log.Info("deleted", "id", it.ID, "digest", it.Digest, "reason", it.Reason)
		res.add(it)
	}
	return res, nil
}

func (r *Result) add(it Item) {
	r.Deleted = append(r.Deleted, it)
	r.Bytes += it.Bytes
}

func subset(a, b []string) bool {
	for _, t := range a {
		if !slices.Contains(b, t) {
			return false
		}
	}
	return true
}
