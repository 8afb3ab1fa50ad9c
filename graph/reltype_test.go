package graph

import (
	"slices"
	"testing"
)

// TestUnknownLinkRolesExact: every kind written as an FtM UnknownLink with
// any roles reads back as the same kind and roles (the FtM export's round
// trip), whatever the roles' words say.
func TestUnknownLinkRolesExact(t *testing.T) {
	roleSets := [][]string{
		nil,
		{"opened multiple bank accounts for"},
		{"opened accounts for"},
		{"Linked To"},
		{"controls"},
		{"linked-to"},
		{"opened-accounts-for", "opened multiple bank accounts for"},
		{"son", "heir"},
		{""},
	}
	for _, kind := range append(RelTypes(), RelUnknown) {
		for _, roles := range roleSets {
			written := UnknownLinkRoles(kind, roles)
			got, back := UnknownLinkKind(written)
			if got != kind || !slices.Equal(back, roles) && !(len(back) == 0 && len(roles) == 0) {
				t.Errorf("kind %s roles %q: written %q, read back %s %q", kind, roles, written, got, back)
			}
		}
	}
}

func TestLinkRoleKind(t *testing.T) {
	tests := []struct {
		role string
		want RelType
	}{
		{"opened accounts for", RelOpenedAccountsFor},
		{"opened multiple bank accounts for", RelOpenedAccountsFor},
		{"Opened several accounts for", RelOpenedAccountsFor},
		{"account opened for", RelOpenedAccountsFor},
		{"opened Russian bank accounts on behalf of", RelLinkedTo},
		{"opened a branch", RelLinkedTo},
		{"controls", RelControls},
		{"Linked To", RelLinkedTo},
		{"", RelLinkedTo},
	}
	for _, tt := range tests {
		if got := LinkRoleKind(tt.role); got != tt.want {
			t.Errorf("LinkRoleKind(%q) = %s, want %s", tt.role, got, tt.want)
		}
	}
}
