package release

import (
	"fmt"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

// ConflictError is an immutable tag (vX.Y.Z or <branch>-<sha>) that already
// points at another digest. BuildPlan returns it (joined with the others)
// before anything is written in any target.
type ConflictError struct {
	Repo string // the repository, e.g. ghcr.io/acme/app
	Tag  string // the tag, e.g. v1.2.3
	Have string // the digest the tag points at now
	Want string // the digest of the release
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("tag %s:%s already points at %s, not at the release's %s: it never moves, so nothing was written; release a new version, or delete the tag if it was pushed by mistake",
		e.Repo, e.Tag, e.Have, e.Want)
}

// Refused reports that this is a refusal by policy (exit 3).
func (e *ConflictError) Refused() bool { return true }

// RevisionError is a source image built from another commit than the one
// released.
type RevisionError struct {
	Source   string // the source
	Revision string // its org.opencontainers.image.revision
	SHA      string // the event's commit
}

func (e *RevisionError) Error() string {
	return fmt.Sprintf("the source %s was built from commit %s (%s) but the release is of commit %s: nothing was written; release the image built from %s, or allow the mismatch if the image really is the release",
		e.Source, e.Revision, RevisionLabel, e.SHA, e.SHA)
}

// Refused reports that this is a refusal by policy (exit 3).
func (e *RevisionError) Refused() bool { return true }

// badInputf is input that cannot be used (exit 2 in the CLI).
func badInputf(format string, args ...any) error {
	return inputerr.Errorf(format, args...)
}
