package notes_test

import (
	"testing"

	"github.com/sonicsaas/sonic-release/notes"
)

func TestWorkflowIdentity(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ server, ref, want string }{
		{"https://github.com", "o/r/.github/workflows/release.yml@refs/tags/v1.2.3", "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.2.3"},
		{"https://ghe.example.com/", "o/r/.github/workflows/r.yml@refs/heads/main", "https://ghe.example.com/o/r/.github/workflows/r.yml@refs/heads/main"},
		{"https://github.com", "", ""},
	} {
		if got := notes.WorkflowIdentity(tt.server, tt.ref); got != tt.want {
			t.Errorf("WorkflowIdentity(%q, %q) = %q, want %q", tt.server, tt.ref, got, tt.want)
		}
	}
}
