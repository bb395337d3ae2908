package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
)

// maGolden is a golden file of testdata/tags/metadata-action: what
// docker/metadata-action v6 writes for one event ("== KEY" blocks) and
// what sonic-release writes where it differs ("!= KEY FIX" blocks).
type maGolden struct {
	want  map[string]string // metadata-action's value of each output
	ours  map[string]string // sonic-release's, where it differs
	fixes map[string]string // the documented fix of each difference
}

func readMAGolden(t *testing.T, path string, vars map[string]string) maGolden {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g := maGolden{want: map[string]string{}, ours: map[string]string{}, fixes: map[string]string{}}
	var into map[string]string
	var key string
	var lines []string
	flush := func() {
		if into != nil {
			v := strings.Join(lines, "\n")
			for name, val := range vars {
				v = strings.ReplaceAll(v, "${"+name+"}", val)
			}
			if _, dup := into[key]; dup {
				t.Fatalf("%s: %s given twice", path, key)
			}
			into[key] = v
		}
		lines = nil
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "== "):
			flush()
			into, key = g.want, strings.TrimPrefix(line, "== ")
		case strings.HasPrefix(line, "!= "):
			flush()
			f := strings.Fields(strings.TrimPrefix(line, "!= "))
			if len(f) != 2 {
				t.Fatalf("%s:%d: %q: expected \"!= KEY FIX\"", path, i+1, line)
			}
			into, key = g.ours, f[0]
			g.fixes[key] = f[1]
		case into == nil && strings.HasPrefix(line, "#"):
		case into == nil:
			t.Fatalf("%s:%d: %q before the first block", path, i+1, line)
		default:
			lines = append(lines, line)
		}
	}
	flush()
	return g
}

// TestTagsMetadataAction compares the outputs of tags, key by key, with
// what docker/metadata-action v6 writes for the same events (the real
// payloads of ../shared/github/events), as its source says: the golden
// files name the lines. The only differences allowed are the ones the
// golden files mark with a fix that docs/migrating-from-metadata-action.md
// documents; a marked difference that is none fails too.
func TestTagsMetadataAction(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	for _, tag := range []string{"v0.1.0", "v0.1", "v0", "latest"} {
		pushImage(t, reg.Repo("acme/old:"+tag), testSHA)
	}
	// The clone a release event's build checks out: the tagged commit
	// is there, so its time dates the image.
	clone := gittest.New(t)
	tagged := clone.Commit("feat: the first release", nil)
	doc, err := os.ReadFile("../../docs/migrating-from-metadata-action.md")
	if err != nil {
		t.Fatal(err)
	}
	const events = "../../tagging/testdata/events/"
	tests := []struct {
		golden, event, payload, ref, sha, repo string
		args                                   []string
	}{
		{"release-published", "release", "release.published.1.json", "refs/tags/0.0.1", tagged, "acme/app", []string{"--major-zero"}},
		{"backport", "release", "release.published.1.json", "refs/tags/0.0.1", tagged, "acme/old", []string{"--major-zero"}},
		{"prerelease", "release", "release.prereleased.1.json", "refs/tags/0.0.1", tagged, "acme/app", []string{"--major-zero"}},
		{"tag-push", "push", "push.tag.1.json", "refs/tags/v1.2.3", testSHA, "acme/app", nil},
		{"push-default-branch", "push", "push.branch.1.json", "refs/heads/master", testSHA, "acme/app", nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			env := map[string]string{
				"GITHUB_ACTIONS":      "true",
				"GITHUB_EVENT_NAME":   tt.event,
				"GITHUB_EVENT_PATH":   events + tt.payload,
				"GITHUB_REF":          tt.ref,
				"GITHUB_SHA":          tt.sha,
				"GITHUB_REPOSITORY":   "Codertocat/Hello-World",
				"GITHUB_SERVER_URL":   "https://github.com",
				"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
				"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
			}
			args := append([]string{"tags", "--image", reg.Repo(tt.repo), "--repo-dir", clone.Dir}, tt.args...)
			if code, _, stderr := runCLI(t, env, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := parseOutputs(t, env["GITHUB_OUTPUT"])
			g := readMAGolden(t, filepath.Join("testdata", "tags", "metadata-action", tt.golden+".golden"), map[string]string{"REGISTRY": reg.Host, "SHA": tt.sha})
			keys := []string{"version", "tags", "tag-names", "labels", "annotations"}
			for _, k := range keys {
				want, ok := g.want[k]
				if !ok {
					t.Errorf("the golden file has no == %s", k)
					continue
				}
				ours, differs := g.ours[k]
				if !differs {
					if diff := cmp.Diff(want, got[k]); diff != "" {
						t.Errorf("%s differs from metadata-action's, without a documented fix (-metadata-action +sonic-release):\n%s", k, diff)
					}
					continue
				}
				if ours == want {
					t.Errorf("%s: the golden file marks a difference (%s) where there is none", k, g.fixes[k])
				}
				if diff := cmp.Diff(ours, got[k]); diff != "" {
					t.Errorf("%s (%s) (-golden +got):\n%s", k, g.fixes[k], diff)
				}
				if fix := g.fixes[k]; !strings.Contains(string(doc), `id="`+fix+`"`) {
					t.Errorf("%s: fix %q is not documented in docs/migrating-from-metadata-action.md", k, fix)
				}
			}
			for k := range g.want {
				if !slices.Contains(keys, k) {
					t.Errorf("the golden file has %s, an output the test does not compare", k)
				}
			}
			checkMetadataJSON(t, got)
		})
	}
}

// checkMetadataJSON checks the json output against the others, as
// metadata-action's getJSON builds it (src/meta.ts:568-589): one line,
// {tags, tag-names, labels, annotations} first, labels an object.
func checkMetadataJSON(t *testing.T, got map[string]string) {
	t.Helper()
	js := got["json"]
	if strings.Contains(js, "\n") || !strings.HasPrefix(js, `{"tags":[`) {
		t.Errorf("json is not one line starting with the tags: %s", js)
	}
	var doc struct {
		Tags        []string          `json:"tags"`
		TagNames    []string          `json:"tag-names"`
		Labels      map[string]string `json:"labels"`
		Annotations []string          `json:"annotations"`
		Version     string            `json:"version"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("json output: %v", err)
	}
	lines := func(s string) []string {
		if s == "" {
			return []string{}
		}
		return strings.Split(s, "\n")
	}
	labels := map[string]string{}
	for _, l := range lines(got["labels"]) {
		k, v, _ := strings.Cut(l, "=")
		labels[k] = v
	}
	want := map[string]any{"tags": lines(got["tags"]), "tag-names": lines(got["tag-names"]), "labels": labels, "annotations": lines(got["annotations"]), "version": got["version"]}
	have := map[string]any{"tags": doc.Tags, "tag-names": doc.TagNames, "labels": doc.Labels, "annotations": doc.Annotations, "version": doc.Version}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("json is not the other outputs (-outputs +json):\n%s", diff)
	}
}
