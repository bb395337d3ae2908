// Package e2e holds the end-to-end test of sonic-release: the built binary
// run exactly as a GitHub Actions runner runs it (GITHUB_* variables, an
// event payload file, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files, the
// Actions OIDC token endpoint, a docker config for the registry), against
// real parts on loopback: the distribution registry, Fulcio, the timestamp
// authority and Rekor (on Trillian and MariaDB: without MariaDB the test is
// skipped, and fails under CI), the fake GitHub API, and the cosign CLI to
// verify.
//
// It has no code of its own besides the test; run it with
//
//	scripts/test.sh ./e2e/...
package e2e
