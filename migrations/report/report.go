package report

import "encoding/json"

// Class is what a statement does to the schema or the data.
type Class string

// The classes of statement.
const (
	DropTable         Class = "drop-table"
	DropColumn        Class = "drop-column"
	RenameTable       Class = "rename-table"
	RenameColumn      Class = "rename-column"
	AlterColumnType   Class = "alter-column-type"
	SetNotNull        Class = "set-not-null"
	AddRequiredColumn Class = "add-required-column" // NOT NULL without default
	DropDefault       Class = "drop-default"
	AddConstraint     Class = "add-constraint" // unique, check, foreign key, exclusion
	DropEnumValue     Class = "drop-enum-value"
	DataChange        Class = "data-change" // UPDATE, DELETE, INSERT, TRUNCATE
	Additive          Class = "additive"    // new table, nullable or defaulted column, index, enum value, …
	Other             Class = "other"
)

// Level is how serious a finding is.
type Level string

// The levels of finding.
const (
	LevelError   Level = "error"   // the migration set itself is wrong (an edited shipped migration, a journal mismatch)
	LevelWarning Level = "warning" // breaking for the previous release
	LevelNotice  Level = "notice"  // needs review: the analyser cannot judge the statement
	LevelInfo    Level = "info"    // compatible
)

// Verdict is what a statement or a migration means for the previous
// release.
type Verdict string

// The verdicts, from the most serious.
const (
	// VerdictBreaking: the previous release cannot run against the migrated
	// database; rolling back needs the backup restored.
	VerdictBreaking Verdict = "breaking"
	// VerdictReview: the analyser cannot judge a statement (a trigger, a
	// function body, dynamic SQL): someone must read it; the finding's
	// reason says what to look at.
	VerdictReview Verdict = "review"
	// VerdictCompatible: the previous release keeps working.
	VerdictCompatible Verdict = "compatible"
)

// Finding is one classified statement, or one problem with the migration set.
type Finding struct {
	// File is the migration's path relative to the repository root.
	File string `json:"file"`
	// Line is the 1-based line of the statement in File (0 when not about a statement).
	Line      int    `json:"line,omitempty"`
	Statement string `json:"statement,omitempty"`
	Class     Class  `json:"class,omitempty"`
	Table     string `json:"table,omitempty"`
	Column    string `json:"column,omitempty"`
	// Breaking is true when the previous release cannot run against the
	// database after this statement: rolling back needs a restore.
	Breaking bool `json:"breaking"`
	// Review is true when the analyser cannot judge the statement (a
	// trigger, a function or procedure body, dynamic SQL, a statement kind
	// it does not know): it is not a claim that the statement breaks the
	// previous release, but someone must read it; Reason says what to look
	// at. Never true together with Breaking.
	Review bool `json:"review,omitempty"`
	// Reason explains the verdict in one sentence, for the notes.
	Reason string `json:"reason"`
	// Pragma is true when a "-- sonic-release: compatible|breaking <reason>"
	// comment decided the verdict; Reason is then the pragma's reason.
	Pragma bool  `json:"pragma,omitempty"`
	Level  Level `json:"level"`
}

// Migration is one migration added (or changed) in the range.
type Migration struct {
	// Name is the migration's name: the journal tag ("0003_add_orders") or
	// the folder name of the 1.0 layout.
	Name string `json:"name"`
	// File is the SQL file, relative to the repository root.
	File string `json:"file"`
	// Status is "added", "modified" or "deleted" in the range.
	Status string `json:"status"`
	// Breaking is true when a finding is breaking.
	Breaking bool `json:"breaking"`
	// Review is true when a finding needs review (whether or not another
	// is breaking).
	Review   bool      `json:"review"`
	Findings []Finding `json:"findings"`
}

// Verdict is breaking when a finding is, else review when a finding needs
// review, else compatible. JSON carries it as "verdict".
func (m Migration) Verdict() Verdict {
	switch {
	case m.Breaking:
		return VerdictBreaking
	case m.Review:
		return VerdictReview
	}
	return VerdictCompatible
}

// Tally sets Breaking and Review from the findings.
func (m *Migration) Tally() {
	m.Breaking, m.Review = false, false
	for _, f := range m.Findings {
		m.Breaking = m.Breaking || f.Breaking
		m.Review = m.Review || f.Review
	}
}

// MarshalJSON adds the verdict to the migration's fields.
func (m Migration) MarshalJSON() ([]byte, error) {
	type plain Migration
	return json.Marshal(struct {
		plain
		Verdict Verdict `json:"verdict"`
	}{plain(m), m.Verdict()})
}

// Verdict is breaking when the finding is, review when it needs review,
// else compatible.
func (f Finding) Verdict() Verdict {
	switch {
	case f.Breaking:
		return VerdictBreaking
	case f.Review:
		return VerdictReview
	}
	return VerdictCompatible
}

// Report is the analysis of the migrations between two refs.
type Report struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Dir is the migrations folder, relative to the repository root.
	Dir        string      `json:"dir"`
	Migrations []Migration `json:"migrations"`
	// Problems are findings about the migration set rather than one
	// statement: journal entries without a file, files missing from the
	// journal, shipped migrations edited or deleted.
	Problems []Finding `json:"problems"`
}

// Breaking reports whether any migration of the report is breaking.
func (r Report) Breaking() bool {
	return r.Counts().Breaking > 0
}

// Review reports whether any migration of the report has a statement that
// needs review (a breaking migration may have one too).
func (r Report) Review() bool {
	for _, m := range r.Migrations {
		if m.Review {
			return true
		}
	}
	return false
}

// Counts is how many migrations of a report have each verdict, and how
// many problems the migration set has. Breaking, Review and Compatible
// add up to the migrations whose status is "added"; a modified or deleted
// shipped migration is a problem, counted in Problems.
type Counts struct {
	Breaking   int `json:"breaking"`
	Review     int `json:"review"`
	Compatible int `json:"compatible"`
	Problems   int `json:"problems"`
}

// Counts counts the verdicts of the report's migrations.
func (r Report) Counts() Counts {
	n := Counts{Problems: len(r.Problems)}
	for _, m := range r.Migrations {
		switch {
		case m.Breaking:
			n.Breaking++
		case m.Status != "" && m.Status != "added":
		case m.Review:
			n.Review++
		default:
			n.Compatible++
		}
	}
	return n
}

// MarshalJSON adds the counts to the report's fields.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		plain
		Counts Counts `json:"counts"`
	}{plain(r), r.Counts()})
}
