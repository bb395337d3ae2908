package notes

import (
	"cmp"
	"fmt"
	"strings"
)

// migrationsFailed is the warning of notes whose migration analysis failed.
func migrationsFailed(n *Notes) string {
	return fmt.Sprintf("the migration analysis failed (%s): the notes cannot say whether %s can run against the migrations of %s",
		n.MigrationsError, cmp.Or(n.Previous, "the previous release"), n.Version)
}

// writeMigrationsFailed is the migration section of notes whose migration
// analysis failed: in its place, so that the notes do not look complete.
func writeMigrationsFailed(b *strings.Builder, n *Notes) {
	prev := cmp.Or(n.Previous, "the previous release")
	b.WriteString("\n### Database migrations\n")
	fmt.Fprintf(b, "\n> [!CAUTION]\n> The migrations of this release could not be analysed: %s.\n", escape(n.MigrationsError))
	fmt.Fprintf(b, "> Whether %s can run against them is unknown. **Back up the database before upgrading**, and read the migrations added since %s before relying on a rollback.\n", prev, prev)
}
