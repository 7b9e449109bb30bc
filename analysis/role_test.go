package analysis

import "testing"

func TestRoleOf(t *testing.T) {
	tests := []struct {
		name   string
		author Author
		want   Role
	}{
		{"a GitHub App or other bot account", Author{Login: "dependabot[bot]", IsBot: true, Association: "NONE"}, RoleBot},
		{"a bot listed as product is still a bot", Author{Login: "pm-bot", IsBot: true, IsProduct: true, Association: "MEMBER"}, RoleBot},
		{"a product manager who is also an org member", Author{Login: "priya", IsProduct: true, Association: "MEMBER"}, RoleProduct},
		{"an outside product person listed in config", Author{Login: "consultant", IsProduct: true, Association: "NONE"}, RoleProduct},
		{"the repository owner", Author{Login: "acme", Association: "OWNER"}, RoleEngineer},
		{"an org member", Author{Login: "bob", Association: "MEMBER"}, RoleEngineer},
		{"an outside collaborator", Author{Login: "viktor", Association: "COLLABORATOR"}, RoleEngineer},
		{"a past contributor", Author{Login: "carol", Association: "CONTRIBUTOR"}, RoleExternal},
		{"a first-time contributor", Author{Login: "dan", Association: "FIRST_TIME_CONTRIBUTOR"}, RoleExternal},
		{"someone with no association", Author{Login: "erin", Association: "NONE"}, RoleExternal},
		{"a missing association", Author{Login: "frank"}, RoleExternal},
	}
	for _, tt := range tests {
		if got := RoleOf(tt.author); got != tt.want {
			t.Errorf("%s: RoleOf = %s, want %s", tt.name, got, tt.want)
		}
	}
}
