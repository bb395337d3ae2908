package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/provenance"
)

// registerProvenance adds release's --provenance flag.
func registerProvenance(fs *pflag.FlagSet, on *bool) {
	fs.BoolVar(on, "provenance", true, "inside GitHub Actions, attach SLSA v1 build provenance of the digest, signed like the image, and store it in the repository's attestations when the job has `attestations: write` (docs/provenance.md)")
}

// actionsBuild is the run the provenance describes, from the runner's
// environment.
func actionsBuild(a *app, env actions.Env) provenance.Build {
	return provenance.Build{
		ServerURL:         env.ServerURL,
		Repository:        env.Repository,
		RepositoryID:      a.getenv("GITHUB_REPOSITORY_ID"),
		RepositoryOwnerID: a.getenv("GITHUB_REPOSITORY_OWNER_ID"),
		EventName:         env.EventName,
		Ref:               env.Ref,
		SHA:               env.SHA,
		WorkflowRef:       env.Workflow,
		RunID:             env.RunID,
		RunAttempt:        env.RunAttempt,
		RunnerEnvironment: a.getenv("RUNNER_ENVIRONMENT"),
	}
}

// provenanceConfig is the provenance step of a signed release: inside
// GitHub Actions (whose run it describes) unless --provenance=false,
// signed by s, stored in GitHub's attestations where the token may.
// Outside Actions it is nil, and an explicit --provenance is an error.
// more are options of the run (the shared registry access).
func provenanceConfig(ctx context.Context, a *app, on, explicit bool, s provenance.Signer, more ...provenance.Option) (*pipeline.ProvenanceConfig, error) {
	env := a.env()
	if !on || s == nil {
		return nil, nil
	}
	b := actionsBuild(a, env)
	if err := b.Check(); err != nil {
		if explicit {
			return nil, flagErrorf("--provenance describes a GitHub Actions run: %v", err)
		}
		return nil, nil
	}
	return &pipeline.ProvenanceConfig{
		Build:      b,
		Signer:     s,
		Repository: env.Repository,
		Options: append([]provenance.Option{
			provenance.WithRemoteOptions(registryOptions(ctx, a)...),
			provenance.WithGitHubAttestationsIfAllowed(env.APIURL, env.Token, env.Repository),
			provenance.WithHTTPClient(&http.Client{Timeout: time.Minute}),
			provenance.WithLogger(a.log),
		}, more...),
	}, nil
}

// warnProvenance tells that GitHub did not store the provenance (the job
// lacks `attestations: write`): it is on the image, `gh attestation
// verify` needs --bundle-from-oci.
func warnProvenance(a *app, env actions.Env, res *provenance.Result) {
	if res == nil || res.GitHubRefused == "" {
		return
	}
	msg := strings.Join(strings.Fields("the build provenance is attached to the image but not stored in the repository's attestations (give the job `attestations: write`): "+res.GitHubRefused), " ")
	fmt.Fprintln(a.io.Err, "warning: "+msg)
	if env.Actions {
		_ = actions.Command(a.io.Err, actions.Annotation{Level: "warning", Title: "sonic-release", Message: msg}.String())
	}
}
