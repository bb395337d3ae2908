// Package lint holds repository-wide checks run as tests: actionlint over
// every workflow and the Action, and the import rules of the design.
package lint
