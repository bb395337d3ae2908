// Package e2e runs the built sonic-release binary exactly as a GitHub
// Actions runner would, against real servers on loopback: the distribution
// registry with authentication, Fulcio, the timestamp authority, a fake
// Actions OIDC issuer and the fake GitHub API held to GitHub's OpenAPI
// description. It has tests only.
package e2e
