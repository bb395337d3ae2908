package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
)

// Release is one release of the demo repository, in the order made.
type Release struct {
	Version string // v1.0.0
	Commit  string // full commit id
	Branch  string // the branch it was cut from
}

// Repo is the throwaway git repository of the demo application.
type Repo struct {
	Dir      string
	Releases []Release
	Head     string // head commit of master
}

// step is one commit of the demo history: files written (content "" deletes),
// the commit subject and body, and the tag it is released as.
type step struct {
	branch  string
	files   map[string]string
	subject string
	body    string
	tag     string
}

const journalHead = `{
  "version": "7",
  "dialect": "postgresql",
  "entries": [`

func journal(tags ...string) string {
	var e []string
	for i, t := range tags {
		e = append(e, fmt.Sprintf(`
    {
      "idx": %d,
      "version": "7",
      "when": %d,
      "tag": %q,
      "breakpoints": true
    }`, i, 1764000000000+int64(i)*86400000, t))
	}
	return journalHead + strings.Join(e, ",") + "\n  ]\n}\n"
}

var history = []step{
	{branch: "master", subject: "feat: initial schema (#1)", tag: "v1.0.0", files: map[string]string{
		"drizzle.config.ts": "import { defineConfig } from \"drizzle-kit\";\n\nexport default defineConfig({\n  dialect: \"postgresql\",\n  schema: \"./src/db/schema.ts\",\n  out: \"./drizzle\",\n});\n",
		"drizzle/0000_init.sql": `CREATE TABLE "customers" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" varchar(16) DEFAULT 'active' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" serial PRIMARY KEY NOT NULL,
	"customer_id" integer NOT NULL,
	"title" varchar(120) NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;
`,
		"drizzle/meta/_journal.json": journal("0000_init"),
		"src/server.ts":              "export const version = \"1.0.0\";\n",
	}},
	{branch: "master", subject: "Merge pull request #2 from sonicsaas/notes", body: "feat(tickets): customer notes", files: map[string]string{
		"drizzle/0001_customer_notes.sql": `ALTER TABLE "customers" ADD COLUMN "notes" text;
--> statement-breakpoint
ALTER TABLE "tickets" ALTER COLUMN "title" SET DATA TYPE varchar(200);
--> statement-breakpoint
CREATE INDEX "tickets_customer_idx" ON "tickets" USING btree ("customer_id");
`,
		"drizzle/meta/_journal.json": journal("0000_init", "0001_customer_notes"),
		"src/server.ts":              "export const version = \"1.1.0\";\n",
	}},
	{branch: "master", subject: "fix(api): trim ticket titles (#3)", tag: "v1.1.0", files: map[string]string{
		"src/tickets.ts": "export const trim = (s: string) => s.trim();\n",
	}},
	{branch: "master", subject: "feat!: replace customer status with lifecycle stage (#4)", body: "BREAKING CHANGE: the status column is gone; API clients read stage instead.", files: map[string]string{
		"drizzle/0002_lifecycle_stage.sql": `ALTER TABLE "customers" ADD COLUMN "stage" varchar(16) DEFAULT 'lead' NOT NULL;
--> statement-breakpoint
UPDATE "customers" SET "stage" = 'customer' WHERE "status" = 'active';
--> statement-breakpoint
ALTER TABLE "customers" DROP COLUMN "status";
`,
		"drizzle/meta/_journal.json": journal("0000_init", "0001_customer_notes", "0002_lifecycle_stage"),
		"src/server.ts":              "export const version = \"1.2.0\";\n",
	}},
	{branch: "master", subject: "docs: upgrade notes for 1.2 (#5)", tag: "v1.2.0", files: map[string]string{
		"UPGRADING.md": "Back up before upgrading to 1.2.\n",
	}},
	// A security fix backported to the 1.1 line after 1.2.0 shipped.
	{branch: "release-1.1", subject: "fix(auth): reject expired sessions (#6)", tag: "v1.1.1", files: map[string]string{
		"src/auth.ts":   "export const expired = (t: number, now: number) => t < now;\n",
		"src/server.ts": "export const version = \"1.1.1\";\n",
	}},
}

// NewRepo creates the demo repository in dir: three releases on master
// (v1.0.0, v1.1.0, v1.2.0, the last with a breaking migration) and a
// backport v1.1.1 on release-1.1, with merge and squash style subjects.
func NewRepo(ctx context.Context, dir string) (*Repo, error) {
	r := &Repo{Dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	when := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if err := r.git(ctx, when, "init", "-q", "-b", "master"); err != nil {
		return nil, err
	}
	for i, s := range history {
		when = when.Add(24 * time.Hour)
		if s.branch != "master" {
			if err := r.ensureBranch(ctx, when, s.branch); err != nil {
				return nil, err
			}
		}
		for name, content := range s.files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return nil, err
			}
		}
		msg := s.subject
		if s.body != "" {
			msg += "\n\n" + s.body
		}
		if err := r.git(ctx, when, "add", "-A"); err != nil {
			return nil, err
		}
		if err := r.git(ctx, when, "commit", "-q", "-m", msg); err != nil {
			return nil, fmt.Errorf("committing step %d: %w", i, err)
		}
		if s.tag != "" {
			if err := r.git(ctx, when, "tag", "-a", s.tag, "-m", s.tag); err != nil {
				return nil, err
			}
			sha, err := r.repo(when).Resolve(ctx, "HEAD")
			if err != nil {
				return nil, err
			}
			r.Releases = append(r.Releases, Release{Version: s.tag, Commit: sha, Branch: s.branch})
		}
		if s.branch != "master" {
			if err := r.git(ctx, when, "checkout", "-q", "master"); err != nil {
				return nil, err
			}
		}
	}
	head, err := r.repo(when).Resolve(ctx, "master")
	if err != nil {
		return nil, err
	}
	r.Head = head
	return r, nil
}

// ensureBranch checks out branch, creating it from the release it
// maintains (release-1.1 from v1.1.0).
func (r *Repo) ensureBranch(ctx context.Context, when time.Time, branch string) error {
	if _, err := r.repo(when).Resolve(ctx, "refs/heads/"+branch); err == nil {
		return r.git(ctx, when, "checkout", "-q", branch)
	}
	base := "v" + strings.TrimPrefix(branch, "release-") + ".0"
	return r.git(ctx, when, "checkout", "-q", "-b", branch, base)
}

// repo is the git runner of the demo repository: commits dated when, by
// the demo's author, with no global or system configuration read.
func (r *Repo) repo(when time.Time) gitexec.Repo {
	date := when.Format(time.RFC3339)
	return gitexec.Repo{Dir: r.Dir, Env: []string{
		"GIT_AUTHOR_NAME=Sonic Demo", "GIT_AUTHOR_EMAIL=demo@sonicsaas.example", "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=Sonic Demo", "GIT_COMMITTER_EMAIL=demo@sonicsaas.example", "GIT_COMMITTER_DATE=" + date,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}}
}

func (r *Repo) git(ctx context.Context, when time.Time, args ...string) error {
	_, err := r.repo(when).Run(ctx, append([]string{"-c", "init.defaultBranch=master", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	return err
}
