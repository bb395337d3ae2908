// Package tagging computes the image tags of a release or a branch push.
//
// It is pure: versions, events and the tags a repository already holds go in,
// tags (each with the reason it is or is not applied) come out. It does no I/O,
// reads no environment and no clock, and imports nothing of the project.
//
// The contract it implements:
//
//	vX.Y.Z        one release, forever (never moves)
//	vX.Y          highest stable X.Y.*
//	vX            highest stable X.*.* (not for X = 0 unless Policy.MajorZero)
//	latest        highest stable release
//	<branch>      head of the default branch
//	<branch>-sha  one commit of it
//
// "Published" means the version tags a repository already holds together with
// the new version. Floating tags never move backwards, so a backport release,
// a re-run of an old release and two racing release jobs all converge.
// A pre-release gets its exact tag only.
//
// Metadata and Annotations give the OCI labels and buildx annotations that
// docker/metadata-action writes for the same image (the repository from the
// event payload, the revision, the version), dated with the commit's time
// rather than the clock's.
package tagging
