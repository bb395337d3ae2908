package release

import (
	"context"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"golang.org/x/sync/errgroup"
)

// PublishedTags lists the tags of every repository in repos, with the
// same clients, credentials and paginated listing as BuildPlan (one
// listing per repository, at most WithJobs at once), and returns their
// union, sorted and without duplicates: what tagging.Event.Tags needs to
// know whether a release is a backport. A repository that does not exist
// yet has no tags; any other failure (401, 403, a registry down after the
// retries) is returned, naming the repository. It writes nothing.
func PublishedTags(ctx context.Context, repos []name.Repository, opts ...Option) ([]string, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	var uniq []name.Repository
	seen := map[string]bool{}
	for _, r := range repos {
		if !seen[r.Name()] {
			seen[r.Name()] = true
			uniq = append(uniq, r)
		}
	}
	c := clientsFor(o, uniq, nil)
	lists := make([][]string, len(uniq))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.jobs)
	for i, r := range uniq {
		g.Go(func() error {
			tags, err := listTags(gctx, c, r)
			lists[i] = tags
			o.Log.Debug("tags listed", "repo", r.Name(), "tags", len(tags))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	all := []string{}
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.Sort(all)
	return slices.Compact(all), nil
}
