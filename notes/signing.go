package notes

import "strings"

// WorkflowIdentity is the keyless certificate identity of a GitHub Actions
// workflow run, as Fulcio writes it: the server URL and the workflow
// reference (GITHUB_SERVER_URL + "/" + GITHUB_WORKFLOW_REF, such as
// https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.2.3).
// It is empty when workflowRef is; its issuer is GitHubActionsIssuer.
func WorkflowIdentity(serverURL, workflowRef string) string {
	if workflowRef == "" {
		return ""
	}
	return strings.TrimSuffix(serverURL, "/") + "/" + workflowRef
}
