package report

// The types of the upgrade table: plain data, like Report (the notes read
// them; nothing here needs the parser).

// Upgrades is the upgrade and rollback table of a release: for each
// earlier release an operator may be on, whether a breaking migration lies
// between it and To.
type Upgrades struct {
	// To is the release's tag.
	To string `json:"to"`
	// Dir is the migrations folder, relative to the repository root.
	Dir string `json:"dir"`
	// Migrations is how many migrations To ships (0: a project without
	// migrations, or before its first).
	Migrations int `json:"migrations"`
	// Rows are the earlier releases, highest version first.
	Rows []Upgrade `json:"rows"`
}

// Upgrade is one release an operator may be on when To comes out.
type Upgrade struct {
	// From is the release's tag.
	From string `json:"from"`
	// Breaking is true when a migration that upgrading from From applies is
	// breaking for From: rolling back from To to From needs the database
	// backup restored. It is Analyze(From, To).Breaking().
	Breaking bool `json:"breaking"`
	// Migrations is how many migrations upgrading from From applies.
	Migrations int `json:"migrations"`
	// Causes are the breaking migrations, in the order they run.
	Causes []Cause `json:"causes"`
	// Problems are what is wrong with the pair, as in Analyze's report: a
	// migration From has and To lacks (a backport's, not carried forward),
	// a shipped migration edited, a journal entry the migrator would skip.
	Problems []Finding `json:"problems"`
}

// Cause is one breaking migration of an Upgrade.
type Cause struct {
	// Migration is the migration's name, File its path.
	Migration string `json:"migration"`
	File      string `json:"file"`
	// Release is the first release after From, up to To, that ships the
	// migration as To has it (stable releases only, unless To is a
	// pre-release).
	Release string `json:"release"`
}
