package analysis

import "testing"

func TestIsBot(t *testing.T) {
	tests := []struct {
		login, userType string
		want            bool
	}{
		{"dependabot[bot]", "Bot", true},
		{"acme-ci[bot]", "", true},      // a REST login without its type
		{"app/renovate", "", true},      // how gh prints an App author
		{"github-actions", "", true},    // how gh names GitHub's own App as a commenter
		{"some-user", "Bot", true},      // the type decides
		{"k8s-ci-robot", "User", false}, // a machine user is a user
		{"build-bot", "", false},        // a name is not a type
		{"[bot]", "", false},            // no name
		{"dana", "User", false},
	}
	for _, tt := range tests {
		if got := IsBot(tt.login, tt.userType); got != tt.want {
			t.Errorf("IsBot(%q, %q) = %v, want %v", tt.login, tt.userType, got, tt.want)
		}
	}
	if BotSlug("app/Renovate") != "renovate" || BotSlug("renovate[bot]") != "renovate" {
		t.Error("BotSlug does not give the App's bare name")
	}
}
