package fakegithub

// markLatest records GitHub's make_latest: "true" (the default on
// creation) makes the release the repository's latest; "false" and
// "legacy" leave the choice to the dates.
func markLatest(rp *repo, rel *Release, makeLatest *string, created bool) {
	if (makeLatest == nil && created) || (makeLatest != nil && *makeLatest == "true") {
		rp.latest = rel.ID
	}
}

// latestOf is the repository's latest release: the one last made the
// latest when it is still published and stable, else the newest stable
// published release; nil when there is none.
func latestOf(rp *repo) *Release {
	var best *Release
	for _, rel := range rp.releases {
		if rel.Draft || rel.Prerelease {
			continue
		}
		if rel.ID == rp.latest {
			return rel
		}
		if best == nil || rel.CreatedAt.After(best.CreatedAt) {
			best = rel
		}
	}
	return best
}
