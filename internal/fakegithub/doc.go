// Package fakegithub is a fake GitHub REST API for tests, held to GitHub's
// published contract.
//
// The server listens on 127.0.0.1 on a port chosen at run time. It routes
// the operations of github-rest-subset.json (GitHub's OpenAPI description,
// cut to the operations sonic-release may call; its info and
// x-subset-source fields say where it comes from: generated/api.github.com.json
// of the npm package @octokit/openapi 23.0.2, MIT) itself, because
// kin-openapi's routers ignore x-multi-segment path parameters
// (/contents/.github/release.yml, /git/ref/tags/v1, /releases/tags/a/b) and
// the compare path /compare/{base}...{head}. It then validates every request
// and every response it sends against that document with kin-openapi's
// openapi3filter (examples validation disabled: one of GitHub's own examples
// is not a valid date-time). A request that matches no operation, fails
// validation or lacks the X-GitHub-Api-Version header fails the test, and so
// does a response that does not match its schema.
//
// Lists page through a Link header as GitHub does (per_page defaults to 30,
// at most 100); compare pages by total_commits, without Link, as GitHub
// does. Every call is counted by operation id.
//
// Both github.com-style base URLs (Server.URL + "/") and GitHub Enterprise
// Server ones (Server.URL + "/api/v3/", what go-github's WithEnterpriseURLs
// makes of a non-api.* host) are served; uploads are served on the same
// server, under "/" or "/api/uploads/".
//
// Every operation of the document is implemented: in handlers.go releases
// (list, by tag without drafts, latest, create, update), pull requests
// (list, get, for a commit), labels, commits (list, get, compare),
// contents, refs and tags; in release_assets.go generate-notes and release
// assets (list, upload, delete); in package_versions.go container package
// versions (list, get, delete, for orgs and users); in immutable.go
// GitHub's immutable releases (SetImmutableReleases, DeleteRelease,
// MoveTag); in attestations.go artifact attestations (create, list by
// subject digest). Seed with AddRepo,
// AddPull, AddRelease, AddCommit, AddTag, AddBranch, AddFile and
// AddPackageVersion; read back with Release, Releases, Assets,
// PackageVersions, Attestations, Calls, TotalCalls and Log; inject rate limits with
// RateLimit and PrimaryRateLimit; pair package versions with a registry
// with OnDeletePackageVersion and SetPackageVersionTags (package_hooks.go).
package fakegithub
