package provenance_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	ita "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sonicsaas/sonic-release/provenance"
)

// testBuild is a release run of acme/app as the runner describes it.
var testBuild = provenance.Build{
	ServerURL:         "https://github.com",
	Repository:        "acme/app",
	RepositoryID:      "123456",
	RepositoryOwnerID: "654321",
	EventName:         "release",
	Ref:               "refs/tags/v1.2.3",
	SHA:               "0123456789abcdef0123456789abcdef01234567",
	WorkflowRef:       "acme/app/.github/workflows/release.yml@refs/tags/v1.2.3",
	RunID:             "987",
	RunAttempt:        "2",
	RunnerEnvironment: "github-hosted",
}

const testDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func repos(t *testing.T, names ...string) []name.Repository {
	t.Helper()
	var out []name.Repository
	for _, n := range names {
		r, err := name.NewRepository(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// strict parses JSON into the in-toto protobuf types, refusing any field
// the schema does not have.
var strict = protojson.UnmarshalOptions{DiscardUnknown: false}

// TestStatementValidatesAgainstSLSAv1 parses the statement with the
// in-toto attestation framework's protobuf definitions of the Statement
// v1 and of the SLSA v1 provenance predicate (unknown fields refused) and
// runs their validators, then checks each value against the run.
func TestStatementValidatesAgainstSLSAv1(t *testing.T) {
	subs, err := provenance.ImageSubjects(testDigest, repos(t, "ghcr.io/acme/app", "docker.io/acme/app")...)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := provenance.Statement(testBuild, subs...)
	if err != nil {
		t.Fatal(err)
	}
	var st ita.Statement
	if err := strict.Unmarshal(raw, &st); err != nil {
		t.Fatalf("the statement is not an in-toto Statement v1: %v\n%s", err, raw)
	}
	if err := st.Validate(); err != nil {
		t.Fatalf("in-toto statement: %v", err)
	}
	if st.GetType() != ita.StatementTypeUri || st.GetPredicateType() != "https://slsa.dev/provenance/v1" {
		t.Errorf("_type %q, predicateType %q", st.GetType(), st.GetPredicateType())
	}
	pj, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		t.Fatal(err)
	}
	var p slsa.Provenance
	if err := strict.Unmarshal(pj, &p); err != nil {
		t.Fatalf("the predicate is not SLSA v1 provenance: %v\n%s", err, pj)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("SLSA v1 provenance: %v", err)
	}

	if len(st.GetSubject()) != 2 || st.GetSubject()[0].GetName() != "ghcr.io/acme/app" || st.GetSubject()[1].GetName() != "index.docker.io/acme/app" {
		t.Errorf("subjects = %v", st.GetSubject())
	}
	for _, s := range st.GetSubject() {
		if s.GetDigest()["sha256"] != strings.TrimPrefix(testDigest, "sha256:") {
			t.Errorf("subject %s digest = %v", s.GetName(), s.GetDigest())
		}
	}
	bd := p.GetBuildDefinition()
	if bd.GetBuildType() != "https://actions.github.io/buildtypes/workflow/v1" {
		t.Errorf("buildType = %q", bd.GetBuildType())
	}
	wf := bd.GetExternalParameters().GetFields()["workflow"].GetStructValue().GetFields()
	for k, want := range map[string]string{"ref": "refs/tags/v1.2.3", "repository": "https://github.com/acme/app", "path": ".github/workflows/release.yml"} {
		if got := wf[k].GetStringValue(); got != want {
			t.Errorf("externalParameters.workflow.%s = %q, want %q", k, got, want)
		}
	}
	gh := bd.GetInternalParameters().GetFields()["github"].GetStructValue().GetFields()
	for k, want := range map[string]string{"event_name": "release", "repository_id": "123456", "repository_owner_id": "654321", "runner_environment": "github-hosted"} {
		if got := gh[k].GetStringValue(); got != want {
			t.Errorf("internalParameters.github.%s = %q, want %q", k, got, want)
		}
	}
	deps := bd.GetResolvedDependencies()
	if len(deps) != 1 || deps[0].GetUri() != "git+https://github.com/acme/app@refs/tags/v1.2.3" || deps[0].GetDigest()["gitCommit"] != testBuild.SHA {
		t.Errorf("resolvedDependencies = %v", deps)
	}
	rd := p.GetRunDetails()
	if got := rd.GetBuilder().GetId(); got != "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3" {
		t.Errorf("builder.id = %q", got)
	}
	if got := rd.GetMetadata().GetInvocationId(); got != "https://github.com/acme/app/actions/runs/987/attempts/2" {
		t.Errorf("invocationId = %q", got)
	}
}

func TestStatementBuilderIsTheJobWorkflow(t *testing.T) {
	b := testBuild
	b.JobWorkflowRef = "acme/shared/.github/workflows/release.yml@refs/heads/main"
	raw, err := provenance.Statement(b, provenance.Subject{Name: "ghcr.io/acme/app", Digest: map[string]string{"sha256": strings.TrimPrefix(testDigest, "sha256:")}})
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Predicate struct {
			RunDetails struct {
				Builder struct{ ID string } `json:"builder"`
			} `json:"runDetails"`
		} `json:"predicate"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if got := st.Predicate.RunDetails.Builder.ID; got != "https://github.com/acme/shared/.github/workflows/release.yml@refs/heads/main" {
		t.Errorf("builder.id = %q", got)
	}
}

func TestStatementNeedsTheRun(t *testing.T) {
	subs, _ := provenance.ImageSubjects(testDigest, repos(t, "ghcr.io/acme/app")...)
	b := testBuild
	b.SHA, b.RunID = "", ""
	_, err := provenance.Statement(b, subs...)
	var be *provenance.BuildError
	if !errors.As(err, &be) || !be.BadInput() || strings.Join(be.Missing, ",") != "commit,run id" {
		t.Fatalf("err = %v", err)
	}
	b = testBuild
	b.WorkflowRef = "other/repo/.github/workflows/x.yml@main"
	if _, err := provenance.Statement(b, subs...); err == nil || !strings.Contains(err.Error(), "acme/app/PATH@REF") {
		t.Fatalf("a workflow of another repository: err = %v", err)
	}
	if _, err := provenance.ImageSubjects("sha256:abc", repos(t, "ghcr.io/acme/app")...); err == nil {
		t.Fatal("a short digest was accepted")
	}
}
