package release_test

import (
	"slices"
	"testing"

	"github.com/sonicsaas/sonic-release/release"
)

func TestAppliedTags(t *testing.T) {
	t.Parallel()
	plan := release.Plan{Targets: []release.TargetPlan{
		{Repository: "ghcr.io/acme/app", Tags: []release.TagPlan{
			{Tag: "v1.2.3", Op: release.OpCreate},
			{Tag: "v1.2", Op: release.OpMove},
			{Tag: "v1", Op: release.OpSkip},
			{Tag: "latest", Op: release.OpUnchanged},
		}},
		{Repository: "docker.io/acme/app", Tags: []release.TagPlan{
			{Tag: "v1.2.3", Op: release.OpConflict},
			{Tag: "v1.2", Op: release.OpCreate},
		}},
	}}
	if got, want := plan.Targets[0].AppliedTags(), []string{"v1.2.3", "v1.2", "latest"}; !slices.Equal(got, want) {
		t.Errorf("TargetPlan.AppliedTags() = %q, want %q", got, want)
	}
	want := []string{"ghcr.io/acme/app:v1.2.3", "ghcr.io/acme/app:v1.2", "ghcr.io/acme/app:latest", "docker.io/acme/app:v1.2"}
	if got := plan.AppliedTags(); !slices.Equal(got, want) {
		t.Errorf("Plan.AppliedTags() = %q, want %q", got, want)
	}
	if got := (release.Plan{}).AppliedTags(); got != nil {
		t.Errorf("empty plan: %q", got)
	}
}
