#!/usr/bin/env bash
# Re-creates ../github-rest-subset.json from the pinned @octokit/openapi
# package (needs node >= 18 and npm), with the operations of
# extract-openapi-subset.mjs: ../shared/github/extract's script, copied here
# with the attestations operations added (repos/create-attestation,
# repos/list-attestations). Review the diff after a bump.
set -euo pipefail
OPENAPI_PKG=@octokit/openapi@23.0.2
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
tgz="$(npm pack --silent "$OPENAPI_PKG")"
mkdir pkg && tar xzf "$tgz" -C pkg
node "$here/extract-openapi-subset.mjs" "$work/pkg/package/generated/api.github.com.json" "$here/../github-rest-subset.json"
