#!/usr/bin/env node
// Extract a trimmed, self-contained OpenAPI 3 document from GitHub's REST API
// description as shipped in the npm package @octokit/openapi.
//
// Usage (from the ghdata directory):
//   node extract/extract-openapi-subset.mjs <path/to/generated/api.github.com.json> [out.json]
//
// Default output: github-rest-subset.json next to this script's parent dir.
//
// What it does:
//   * keeps only the operations listed in OPERATION_IDS (matched by operationId),
//     each under its original path + HTTP method, with all parameters, request
//     bodies, responses, examples, `servers` overrides and x-github/x-octokit data;
//   * keeps path-level `parameters` if a kept path item has any;
//   * copies every component reachable from those operations through internal
//     "#/components/..." $refs (transitive closure), and nothing else;
//   * keeps top-level openapi/info/servers/externalDocs and only the tags used;
//   * fails loudly on an operationId that is missing, on a $ref that is not
//     internal, or on a $ref whose target is absent.
// The bundled (not the *.deref.json) variant is used as input so that the
// output stays small and schema re-use stays visible; every $ref in the output
// is internal and resolvable. Pass --deref to instead emit a fully inlined copy
// (no $ref at all) built from the same closure; `discriminator` objects are
// dropped there (their mapping names components), as upstream's deref does.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const OPERATION_IDS = [
  // releases
  "repos/get-release-by-tag",
  "repos/get-latest-release",
  "repos/list-releases",
  "repos/create-release",
  "repos/update-release",
  "repos/generate-release-notes",
  "repos/upload-release-asset",
  "repos/list-release-assets",
  "repos/delete-release-asset",
  // commits / refs / PRs / labels / contents
  "repos/compare-commits",
  "repos/list-commits",
  "repos/get-commit",
  "repos/list-tags",
  "git/get-ref",
  "repos/list-pull-requests-associated-with-commit",
  "pulls/list",
  "pulls/get",
  "issues/list-labels-on-issue",
  "repos/get-content",
  // packages (GHCR container versions)
  "packages/get-all-package-versions-for-package-owned-by-org",
  "packages/get-all-package-versions-for-package-owned-by-user",
  "packages/delete-package-version-for-org",
  "packages/delete-package-version-for-user",
  "packages/get-package-version-for-organization",
  // artifact attestations (SLSA provenance, issue 16)
  "repos/create-attestation",
  "repos/list-attestations",
];

// Not requested; add ids here to widen the subset (e.g. the current,
// non-deprecated compare endpoint "repos/compare-commits-with-basehead",
// which is the same wire URL as repos/compare-commits).
export const EXTRA_OPERATION_IDS = [];

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function fail(msg) {
  console.error("extract: " + msg);
  process.exit(1);
}

function collectRefs(node, out) {
  if (Array.isArray(node)) {
    for (const v of node) collectRefs(v, out);
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.add(v);
      else if (k === "discriminator" && v && typeof v.mapping === "object") {
        // discriminator.mapping values are schema references too
        for (const target of Object.values(v.mapping)) out.add(target);
      } else collectRefs(v, out);
    }
  }
}

function refTarget(spec, ref) {
  const m = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
  if (!m) fail(`unsupported $ref (not "#/components/<kind>/<name>"): ${ref}`);
  const [, kind, rawName] = m;
  const name = rawName.replace(/~1/g, "/").replace(/~0/g, "~");
  const target = spec.components?.[kind]?.[name];
  if (target === undefined) fail(`dangling $ref: ${ref}`);
  return { kind, name, target };
}

function sortKeys(obj) {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

function inline(spec, node, stack = []) {
  if (Array.isArray(node)) return node.map((v) => inline(spec, v, stack));
  if (node && typeof node === "object") {
    if (typeof node.$ref === "string") {
      if (stack.includes(node.$ref)) fail(`recursive $ref cannot be inlined: ${node.$ref}`);
      const { target } = refTarget(spec, node.$ref);
      return inline(spec, target, [...stack, node.$ref]);
    }
    // A discriminator's mapping points at named components, which do not exist
    // in an inlined document; drop it, as the upstream *.deref.json files do.
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k]) => k !== "discriminator")
        .map(([k, v]) => [k, inline(spec, v, stack)]),
    );
  }
  return node;
}

export function extract(spec, ids, { deref = false } = {}) {
  const wanted = new Set(ids);
  const found = new Map();
  const paths = {};
  for (const [p, item] of Object.entries(spec.paths)) {
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!op || !wanted.has(op.operationId)) continue;
      if (found.has(op.operationId)) fail(`duplicate operationId ${op.operationId}`);
      found.set(op.operationId, `${m.toUpperCase()} ${p}`);
      paths[p] ??= {};
      for (const k of ["summary", "description", "parameters", "servers"]) {
        if (item[k] !== undefined) paths[p][k] = item[k];
      }
      paths[p][m] = op;
    }
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) fail(`operationIds not found: ${missing.join(", ")}`);

  // transitive closure over internal component refs
  const components = {};
  const seen = new Set();
  const queue = new Set();
  collectRefs(paths, queue);
  while (queue.size) {
    const [ref] = queue;
    queue.delete(ref);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const { kind, name, target } = refTarget(spec, ref);
    (components[kind] ??= {})[name] = target;
    const more = new Set();
    collectRefs(target, more);
    for (const r of more) if (!seen.has(r)) queue.add(r);
  }
  for (const k of Object.keys(components)) components[k] = sortKeys(components[k]);

  const usedTags = new Set();
  for (const item of Object.values(paths))
    for (const m of HTTP_METHODS) for (const t of item[m]?.tags ?? []) usedTags.add(t);

  const out = {
    openapi: spec.openapi,
    info: {
      ...spec.info,
      title: "GitHub REST API subset for a release tool (extracted from @octokit/openapi)",
      description:
        `Trimmed from ${spec.info.title} v${spec.info.version} (${spec.info["x-github-plan"] ?? "api.github.com"}). ` +
        `Contains only ${ids.length} operations and the components they reference. ` +
        `Upstream description: ${spec.info.description}`,
      "x-subset-source": {
        package: "@octokit/openapi",
        version: spec.info.version,
        file: "generated/api.github.com.json",
        operations: Object.fromEntries([...found.entries()]),
      },
    },
    servers: spec.servers,
    externalDocs: spec.externalDocs,
    tags: (spec.tags ?? []).filter((t) => usedTags.has(t.name)),
    paths,
    components: sortKeys(components),
  };
  if (deref) {
    out.paths = inline(spec, paths);
    delete out.components;
  }
  return { doc: out, found, refCount: seen.size };
}

// CLI
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const deref = args.includes("--deref");
  const pos = args.filter((a) => !a.startsWith("--"));
  if (!pos[0]) fail("usage: extract-openapi-subset.mjs <api.github.com.json> [out.json] [--deref]");
  const here = dirname(fileURLToPath(import.meta.url));
  const outPath =
    pos[1] ?? join(here, "..", deref ? "github-rest-subset.deref.json" : "github-rest-subset.json");
  const spec = JSON.parse(readFileSync(pos[0], "utf8"));
  const ids = [...OPERATION_IDS, ...EXTRA_OPERATION_IDS];
  const { doc, found, refCount } = extract(spec, ids, { deref });
  writeFileSync(outPath, JSON.stringify(doc, null, 2) + "\n");
  for (const [id, where] of found) console.log(`${id.padEnd(62)} ${where}`);
  console.log(`\n${found.size} operations, ${refCount} component refs -> ${outPath}`);
}
