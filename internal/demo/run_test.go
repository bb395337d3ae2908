package demo

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/migrations"
)

func TestRun(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	sum, err := Run(t.Context(), Config{Dir: t.TempDir(), Out: &out, Migrations: migrations.Analyzer{}.Analyze})
	if err != nil {
		t.Fatalf("%v\noutput so far:\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	// The contract: floating tags end on the highest version of their line,
	// the backport moved v1.1 only.
	want := map[string]string{
		"latest": "v1.2.0", "v1": "v1.2.0", "v1.2": "v1.2.0", "v1.2.0": "v1.2.0",
		"v1.1": "v1.1.1", "v1.1.1": "v1.1.1", "v1.1.0": "v1.1.0", "v1.0": "v1.0.0", "v1.0.0": "v1.0.0",
		"master": "master",
	}
	for tag, v := range want {
		if sum.Tags[tag] == "" || sum.Tags[tag] != sum.Digests[v] {
			t.Errorf("%s = %q, want %s's digest %q", tag, sum.Tags[tag], v, sum.Digests[v])
		}
	}
	if sum.ReRunPuts != 0 {
		t.Errorf("the re-run of v1.2.0 sent %d write requests, want 0", sum.ReRunPuts)
	}
	if sum.Refused == nil || !strings.Contains(sum.Refused.Error(), "v1.2.0") {
		t.Errorf("conflict not refused: %v", sum.Refused)
	}
	// Yanked, v1.2.0 kept its exact tag and v1.2 (nothing else in its
	// line), v1 and latest fell back to v1.1.1; the unyank restored them
	// (the end state above).
	for tag, v := range map[string]string{"latest": "v1.1.1", "v1": "v1.1.1", "v1.2": "v1.2.0", "v1.2.0": "v1.2.0"} {
		if sum.Yanked[tag] != sum.Digests[v] {
			t.Errorf("yanked: %s = %q, want %s's digest", tag, sum.Yanked[tag], v)
		}
	}
	notes, err := os.ReadFile(sum.Notes)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{sum.Digests["v1.2.0"], "cosign verify --key cosign.pub", "SONICSAAS_IMAGE_TAG=v1.2.0", "[!CAUTION]", `DROP COLUMN "status"`} {
		if !strings.Contains(string(notes), s) {
			t.Errorf("notes lack %q:\n%s", s, notes)
		}
	}
	// The dry-run prune: the two older master builds go, each with its two
	// platform images and, for each of the three manifests, its .sig, its
	// referrers index and its bundle (signature format both); nothing a
	// tag needs.
	if sum.Prune == nil || sum.Prune.DeleteCount != 24 {
		t.Errorf("the prune plans %v deletions, want 24 (per pruned build: the index, 2 platform images, and for each of those 3 its .sig, its referrers index and its bundle)", sum.Prune)
	} else {
		for _, it := range sum.Prune.Deletions() {
			for tag, d := range sum.Tags {
				if it.Digest == d && (!strings.HasPrefix(tag, "master-") || d == sum.Digests["master"]) {
					t.Errorf("the prune would delete %s, a tagged image", d)
				}
			}
		}
	}
	for _, s := range []string{"release v1.1.1 (a backport", "refused (exit 3)", "yanked.v1.2.0", "v1.2           keep  v1.2 keeps v1.2.0", "unyanked.v1.2.0", "✓ v1.2.0", "where the tags ended", "prune, dry run"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
}
