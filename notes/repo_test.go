package notes

import (
	"testing"

	"github.com/sonicsaas/sonic-release/internal/gittest"
	goldenfile "github.com/sonicsaas/sonic-release/internal/golden"
)

// t0 is the date of the first commit of the test repositories.
var t0 = gittest.T0

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, name, []byte(got))
}
