package migrations

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusCases judges migrations of real projects (testdata/corpus), each
// released on its own, against what a careful reading of each statement
// says the previous release runs into. The comment on each case says why.
func TestCorpusCases(t *testing.T) {
	type line struct {
		line    int
		verdict Verdict
		reason  string // a part of the reason
	}
	cases := []struct {
		dir     string
		verdict Verdict
		lines   []line
	}{
		// The textbook miss: ADD COLUMN, UPDATE … SET, SET NOT NULL on a table
		// the previous release inserts into, without its column.
		{"dokploy/0150_nappy_blue_blade", VerdictBreaking, []line{
			{5, VerdictBreaking, "makes apikey.reference_id NOT NULL: the column is added in this range without a default"},
		}},
		// The same, and the unique key on the new column is harmless: NULLs
		// never collide. Was breaking for the unique key, now for the NOT NULL.
		{"dokploy/0089_noisy_sandman", VerdictBreaking, []line{
			{21, VerdictBreaking, "makes backup.appName NOT NULL"},
			{27, VerdictCompatible, "backup(composeId) is added in this range and has no default"},
			{29, VerdictCompatible, "NULLs never collide in a unique key"},
		}},
		// "Add a relation": ADD COLUMN, then ADD CONSTRAINT … FOREIGN KEY on
		// it. Was a false alarm.
		{"dokploy/0006_oval_jimmy_woo", VerdictCompatible, []line{
			{3, VerdictCompatible, "a NULL never violates a foreign key; deleting a registry row now also deletes the rows this release wrote that reference it (ON DELETE cascade)"},
		}},
		// A foreign key re-created with another ON DELETE: the previous
		// release's writes are checked as before; deletes now cascade.
		{"dokploy/0097_hard_lizard", VerdictCompatible, []line{
			{3, VerdictCompatible, "which the previous release already had rollback_deploymentId_deployment_deploymentId_fk: its writes are checked as before; ON DELETE cascade instead of set null: deleting a deployment row now also deletes the rows that reference it"},
		}},
		// user_temp becomes user: the rename breaks the previous release; the
		// foreign keys re-pointed at the renamed table and the unique email
		// are the ones it had.
		{"dokploy/0120_lame_captain_midlands", VerdictBreaking, []line{
			{1, VerdictBreaking, "renames table user_temp to user: the previous release still queries user_temp"},
			{29, VerdictCompatible, "which the previous release already had account_user_id_user_temp_id_fk"},
			{39, VerdictCompatible, "the previous release already kept user(email) unique (user_temp_email_unique)"},
		}},
		// A partial unique index whose WHERE needs a column the previous
		// release never writes, and an all-or-none check on new columns.
		{"sim/0218_chubby_zzzax", VerdictCompatible, []line{
			{7, VerdictCompatible, "its WHERE leaves out every row the previous release writes, where event_key = NULL"},
			{9, VerdictCompatible, "it holds for every row the previous release writes, where billing_entity_type = NULL"},
		}},
		// A backfill procedure created, called and dropped in the file: CALL
		// is judged by its body (an UPDATE and COMMITs).
		{"sim/0220_early_hellion", VerdictCompatible, []line{
			{5, VerdictCompatible, "creates procedure backfill_wel_cost_total_0220"},
			{32, VerdictCompatible, "updates rows of workflow_execution_logs"},
			{33, VerdictCompatible, "drops procedure backfill_wel_cost_total_0220, created in this range"},
		}},
		// Triggers on a table the previous release writes: the analyser
		// cannot see what they do. Was judged breaking; needs review.
		{"sim/0240_table_rows_version", VerdictReview, []line{
			{33, VerdictReview, "read function bump_user_table_rows_version"},
		}},
		// DROP DEFAULT on a nullable column: the previous release's inserts
		// still succeed, with NULL. Was judged breaking; needs review.
		{"sim/0025_curved_jubilee", VerdictReview, []line{
			{1, VerdictReview, "now store NULL there instead of the default"},
		}},
		// Checks and a partial unique index on credential that only rows of
		// the enum value 'managed_oauth' (added in this file) must satisfy:
		// the previous release never writes that value.
		{"sim/0291_fuzzy_wong", VerdictCompatible, []line{
			{69, VerdictCompatible, "its WHERE leaves out every row the previous release writes, where type is one of the values enum credential_type had"},
			{70, VerdictCompatible, "it holds for every row the previous release writes, where type is one of the values enum credential_type had"},
		}},
		// A column rename breaks; the unique index re-created on the renamed
		// column is the one the previous release had.
		{"sim/0094_perpetual_the_watchers", VerdictBreaking, []line{
			{1, VerdictBreaking, "renames column chat.subdomain to identifier"},
			{3, VerdictCompatible, "already kept chat(identifier) unique (subdomain_idx)"},
		}},
		// The new token must be set by every insert (breaking), the status
		// becomes an enum (breaking); the check holds for the previous
		// release's rows: kind gets 'organization' and organization_id was
		// NOT NULL.
		{"sim/0192_invitation_unification", VerdictBreaking, []line{
			{15, VerdictBreaking, "makes invitation.token NOT NULL"},
			{16, VerdictCompatible, "NULLs never collide"},
			{19, VerdictBreaking, "changes the type from text to invitation_status"},
			{21, VerdictCompatible, "kind = 'organization' (added in this range, it never writes it), organization_id is never NULL (NOT NULL in the previous release)"},
			{102, VerdictBreaking, "the previous release writes invitation(email, organization_id) and may repeat a value there"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "corpus", tc.dir)
			name := filepath.Base(dir) + ".sql"
			s := NewSchema()
			shipped, err := os.ReadFile(filepath.Join(dir, "shipped.sql"))
			if err != nil {
				t.Fatal(err)
			}
			fs, _ := ClassifyFile("shipped.sql", shipped, s)
			for _, f := range fs {
				if f.Level == LevelError {
					t.Fatalf("shipped.sql:%d: %s", f.Line, f.Reason)
				}
			}
			s.Baseline()
			sql, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			fs, err = ClassifyFile(name, sql, s)
			if err != nil {
				t.Fatal(err)
			}
			m := Migration{Findings: fs}
			m.Tally()
			if m.Verdict() != tc.verdict {
				t.Errorf("verdict %s, want %s", m.Verdict(), tc.verdict)
			}
			for _, w := range tc.lines {
				found := false
				for _, f := range fs {
					if f.Line == w.line && strings.Contains(f.Reason, w.reason) {
						found = true
						if f.Verdict() != w.verdict {
							t.Errorf("line %d: %s (%s), want %s", w.line, f.Verdict(), f.Reason, w.verdict)
						}
					}
				}
				if !found {
					t.Errorf("line %d: no finding with a reason containing %q", w.line, w.reason)
					for _, f := range fs {
						if f.Line == w.line {
							t.Logf("line %d: %s: %s", f.Line, f.Verdict(), f.Reason)
						}
					}
				}
			}
		})
	}
}
