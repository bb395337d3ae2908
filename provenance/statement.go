package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

// The in-toto and SLSA identifiers of a provenance statement.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	PredicateType = "https://slsa.dev/provenance/v1"
	// BuildType is GitHub's build type for a GitHub Actions workflow, the
	// one actions/attest-build-provenance writes.
	BuildType = "https://actions.github.io/buildtypes/workflow/v1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
)

// Build is the GitHub Actions run that released the image: the values of
// the runner's GITHUB_* variables (and of the OIDC token's claims of the
// same names).
type Build struct {
	ServerURL         string // GITHUB_SERVER_URL, https://github.com
	Repository        string // GITHUB_REPOSITORY, owner/name
	RepositoryID      string // GITHUB_REPOSITORY_ID
	RepositoryOwnerID string // GITHUB_REPOSITORY_OWNER_ID
	EventName         string // GITHUB_EVENT_NAME: release, push, …
	Ref               string // GITHUB_REF, refs/tags/v1.2.3
	SHA               string // GITHUB_SHA, the commit built
	// WorkflowRef is the top-level workflow, GITHUB_WORKFLOW_REF:
	// owner/name/.github/workflows/release.yml@refs/tags/v1.2.3.
	WorkflowRef string
	// JobWorkflowRef is the workflow the job runs (the OIDC token's
	// job_workflow_ref; a reusable workflow's own ref), the builder id.
	// The default is WorkflowRef.
	JobWorkflowRef    string
	RunID, RunAttempt string // GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT
	RunnerEnvironment string // RUNNER_ENVIRONMENT: github-hosted or self-hosted
}

// BuildError is a Build that lacks what the provenance needs. BadInput
// reports true.
type BuildError struct{ Missing []string }

func (e *BuildError) Error() string {
	return "the provenance needs the GitHub Actions run: missing " + strings.Join(e.Missing, ", ")
}

// BadInput marks the incomplete build as unusable input.
func (e *BuildError) BadInput() bool { return true }

// Check reports the fields the statement cannot do without.
func (b Build) Check() error {
	var miss []string
	for _, f := range []struct{ name, v string }{
		{"server URL", b.ServerURL}, {"repository", b.Repository}, {"ref", b.Ref},
		{"commit", b.SHA}, {"workflow ref", b.WorkflowRef}, {"run id", b.RunID}, {"run attempt", b.RunAttempt},
	} {
		if f.v == "" {
			miss = append(miss, f.name)
		}
	}
	if len(miss) > 0 {
		return &BuildError{Missing: miss}
	}
	if _, _, err := b.workflow(); err != nil {
		return err
	}
	return nil
}

// workflow splits WorkflowRef into the workflow's path in the repository
// and its ref, as attest-build-provenance does (a ref may contain "@").
func (b Build) workflow() (path, ref string, err error) {
	rest, ok := strings.CutPrefix(b.WorkflowRef, b.Repository+"/")
	path, ref, at := strings.Cut(rest, "@")
	if !ok || !at || path == "" || ref == "" {
		return "", "", inputerr.New(fmt.Errorf("workflow ref %q: expected %s/PATH@REF", b.WorkflowRef, b.Repository))
	}
	return path, ref, nil
}

// Subject is one artifact the statement is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// ImageSubjects are the subjects of an image released in repos under
// digest d: one per repository (ghcr.io/owner/app and its mirrors), the
// same sha256 digest.
func ImageSubjects(d string, repos ...name.Repository) ([]Subject, error) {
	h, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(h) != 64 {
		return nil, inputerr.New(fmt.Errorf("image digest %q: expected sha256:<64 hex digits>", d))
	}
	if len(repos) == 0 {
		return nil, inputerr.New(errors.New("the provenance needs the image's repository"))
	}
	out := make([]Subject, 0, len(repos))
	for _, r := range repos {
		out = append(out, Subject{Name: r.Name(), Digest: map[string]string{"sha256": h}})
	}
	return out, nil
}

// FileSubjects are the subjects of files listed in a checksums.txt
// (sha256sum's output: "<sha256>  <name>" per line), each by its name, and,
// when name is not empty, the checksums file itself by name with the
// SHA-256 of data.
func FileSubjects(data []byte, name string) ([]Subject, error) {
	var out []Subject
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		sum, file, ok := strings.Cut(line, "  ")
		file = strings.TrimPrefix(file, "*")
		if line == "" {
			continue
		}
		if !ok || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" || file == "" {
			return nil, inputerr.Errorf("checksums line %d %q: expected \"<sha256>  <file name>\" (sha256sum's output)", i+1, line)
		}
		out = append(out, Subject{Name: file, Digest: map[string]string{"sha256": sum}})
	}
	if len(out) == 0 {
		return nil, inputerr.New(errors.New("the checksums list no file"))
	}
	if name != "" {
		h := sha256.Sum256(data)
		out = append(out, Subject{Name: name, Digest: map[string]string{"sha256": hex.EncodeToString(h[:])}})
	}
	return out, nil
}

// The statement's JSON, in the field order of the in-toto and SLSA specs.
type (
	statement struct {
		Type          string    `json:"_type"`
		Subject       []Subject `json:"subject"`
		PredicateType string    `json:"predicateType"`
		Predicate     predicate `json:"predicate"`
	}
	predicate struct {
		BuildDefinition buildDefinition `json:"buildDefinition"`
		RunDetails      runDetails      `json:"runDetails"`
	}
	buildDefinition struct {
		BuildType            string               `json:"buildType"`
		ExternalParameters   externalParameters   `json:"externalParameters"`
		InternalParameters   internalParameters   `json:"internalParameters"`
		ResolvedDependencies []resourceDescriptor `json:"resolvedDependencies"`
	}
	externalParameters struct {
		Workflow struct {
			Ref        string `json:"ref"`
			Repository string `json:"repository"`
			Path       string `json:"path"`
		} `json:"workflow"`
	}
	internalParameters struct {
		GitHub struct {
			EventName         string `json:"event_name"`
			RepositoryID      string `json:"repository_id"`
			RepositoryOwnerID string `json:"repository_owner_id"`
			RunnerEnvironment string `json:"runner_environment"`
		} `json:"github"`
	}
	resourceDescriptor struct {
		URI    string            `json:"uri"`
		Digest map[string]string `json:"digest"`
	}
	runDetails struct {
		Builder struct {
			ID string `json:"id"`
		} `json:"builder"`
		Metadata struct {
			InvocationID string `json:"invocationId"`
		} `json:"metadata"`
	}
)

// Statement is the in-toto statement of the SLSA v1 provenance of
// subjects built by b, as JSON: what actions/attest-build-provenance
// would write for the same run.
func Statement(b Build, subjects ...Subject) ([]byte, error) {
	if err := b.Check(); err != nil {
		return nil, err
	}
	if len(subjects) == 0 {
		return nil, inputerr.New(errors.New("a provenance statement needs a subject"))
	}
	path, ref, _ := b.workflow()
	server := strings.TrimSuffix(b.ServerURL, "/")
	var p predicate
	bd := &p.BuildDefinition
	bd.BuildType = BuildType
	bd.ExternalParameters.Workflow.Ref = ref
	bd.ExternalParameters.Workflow.Repository = server + "/" + b.Repository
	bd.ExternalParameters.Workflow.Path = path
	gh := &bd.InternalParameters.GitHub
	gh.EventName, gh.RepositoryID, gh.RepositoryOwnerID, gh.RunnerEnvironment = b.EventName, b.RepositoryID, b.RepositoryOwnerID, b.RunnerEnvironment
	bd.ResolvedDependencies = []resourceDescriptor{{
		URI:    "git+" + server + "/" + b.Repository + "@" + b.Ref,
		Digest: map[string]string{"gitCommit": b.SHA},
	}}
	builder := b.JobWorkflowRef
	if builder == "" {
		builder = b.WorkflowRef
	}
	p.RunDetails.Builder.ID = server + "/" + builder
	p.RunDetails.Metadata.InvocationID = fmt.Sprintf("%s/%s/actions/runs/%s/attempts/%s", server, b.Repository, b.RunID, b.RunAttempt)
	return json.Marshal(statement{Type: StatementType, Subject: subjects, PredicateType: PredicateType, Predicate: p})
}
