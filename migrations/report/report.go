package report

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
	LevelInfo    Level = "info"    // compatible
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
	Status   string    `json:"status"`
	Breaking bool      `json:"breaking"`
	Findings []Finding `json:"findings"`
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
	for _, m := range r.Migrations {
		if m.Breaking {
			return true
		}
	}
	return false
}
