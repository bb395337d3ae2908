package migrations

import "github.com/sonicsaas/sonic-release/migrations/report"

// The report types live in the cgo-free package report; these aliases keep
// every caller of package migrations unchanged.
type (
	// Class is what a statement does to the schema or the data.
	Class = report.Class
	// Level is how serious a finding is.
	Level = report.Level
	// Finding is one classified statement, or one problem with the migration set.
	Finding = report.Finding
	// Migration is one migration added (or changed) in the range.
	Migration = report.Migration
	// Report is the analysis of the migrations between two refs.
	Report = report.Report
	// Verdict is what a statement or a migration means for the previous release.
	Verdict = report.Verdict
	// Counts is how many migrations of a report have each verdict.
	Counts = report.Counts
	// Upgrades is the upgrade and rollback table of a release.
	Upgrades = report.Upgrades
	// Upgrade is one row of the table: an earlier release.
	Upgrade = report.Upgrade
	// Cause is one breaking migration of an Upgrade.
	Cause = report.Cause
)

// The verdicts.
const (
	VerdictBreaking   = report.VerdictBreaking
	VerdictReview     = report.VerdictReview
	VerdictCompatible = report.VerdictCompatible
)

// The classes of statement.
const (
	DropTable         = report.DropTable
	DropColumn        = report.DropColumn
	RenameTable       = report.RenameTable
	RenameColumn      = report.RenameColumn
	AlterColumnType   = report.AlterColumnType
	SetNotNull        = report.SetNotNull
	AddRequiredColumn = report.AddRequiredColumn
	DropDefault       = report.DropDefault
	AddConstraint     = report.AddConstraint
	DropEnumValue     = report.DropEnumValue
	DataChange        = report.DataChange
	Additive          = report.Additive
	Other             = report.Other
)

// The levels of finding.
const (
	LevelError   = report.LevelError
	LevelWarning = report.LevelWarning
	LevelNotice  = report.LevelNotice
	LevelInfo    = report.LevelInfo
)
