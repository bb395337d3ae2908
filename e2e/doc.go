// Package e2e runs the built sonic-release binary exactly as a GitHub
// Actions runner would (GITHUB_* variables, an event payload file,
// $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files, the Actions OIDC token
// endpoint, a docker config for the registry), against real servers on
// loopback: the distribution registry with authentication, Fulcio, the
// timestamp authority and Rekor (on Trillian and MariaDB: without MariaDB
// the test is skipped, and fails under CI), a fake Actions OIDC issuer and
// the fake GitHub API held to GitHub's OpenAPI description; the cosign CLI
// verifies. It has tests only:
//
//	scripts/test.sh ./e2e/...
package e2e
