package analysis

import "testing"

func TestDetectOwner(t *testing.T) {
	tests := []struct {
		name string
		in   OwnerInput
		opts OwnerOptions
		want Owner
		ok   bool
	}{
		{"assignee wins over everything", OwnerInput{Body: "Owner: @bob", Assignees: []string{"alice"}, Labels: []string{"owner:carol"}}, OwnerOptions{},
			Owner{"@alice", OwnerPerson, OwnerFromAssignee}, true},
		{"owner line names a person", OwnerInput{Body: "Some context.\n\nOwner: @bob\n"}, OwnerOptions{},
			Owner{"@bob", OwnerPerson, OwnerFromBody}, true},
		{"DRI line in bold names a team", OwnerInput{Body: "- **DRI:** @acme/payments"}, OwnerOptions{},
			Owner{"@acme/payments", OwnerTeam, OwnerFromBody}, true},
		{"accountable line, any case", OwnerInput{Body: "accountable: @Dana-K"}, OwnerOptions{},
			Owner{"@Dana-K", OwnerPerson, OwnerFromBody}, true},
		{"issue form field with a value", OwnerInput{Body: "### Problem\n\nSlow.\n\n### Owner\n\n@acme/web-platform\n"}, OwnerOptions{},
			Owner{"@acme/web-platform", OwnerTeam, OwnerFromField}, true},
		{"issue form field with a bare login", OwnerInput{Body: "### Owner\n\nerin\n"}, OwnerOptions{},
			Owner{"@erin", OwnerPerson, OwnerFromField}, true},
		{"issue form field left empty names nobody", OwnerInput{Body: "### Owner\n\n_No response_\n"}, OwnerOptions{},
			Owner{}, false},
		{"empty field falls through to the label", OwnerInput{Body: "### Owner\n\n_No response_\n", Labels: []string{"bug", "owner:frank"}}, OwnerOptions{},
			Owner{"@frank", OwnerPerson, OwnerFromLabel}, true},
		{"team label", OwnerInput{Labels: []string{"owner:@acme/infra"}}, OwnerOptions{},
			Owner{"@acme/infra", OwnerTeam, OwnerFromLabel}, true},
		{"custom label pattern", OwnerInput{Labels: []string{"team/payments-dri"}}, OwnerOptions{LabelPattern: "team/*-dri", Fields: []string{"Owner"}},
			Owner{"@payments", OwnerPerson, OwnerFromLabel}, true},
		{"fields set without a label pattern disables labels", OwnerInput{Labels: []string{"owner:frank"}}, OwnerOptions{Fields: []string{"Owner"}},
			Owner{}, false},
		{"owner line inside code is not read", OwnerInput{Body: "```\nOwner: @bob\n```\n"}, OwnerOptions{},
			Owner{}, false},
		{"owner line inside a quote is not read", OwnerInput{Body: "> Owner: @bob\n"}, OwnerOptions{},
			Owner{}, false},
		{"owner line inside an HTML comment is not read", OwnerInput{Body: "<!--\nOwner: @bob\n-->\n"}, OwnerOptions{},
			Owner{}, false},
		{"placeholder owner names nobody", OwnerInput{Body: "Owner: TBD"}, OwnerOptions{},
			Owner{}, false},
		{"word owner in prose is not a field", OwnerInput{Body: "The owner of this is unclear; maybe @bob?"}, OwnerOptions{},
			Owner{}, false},
		{"custom field", OwnerInput{Body: "Steward: @gail"}, OwnerOptions{Fields: []string{"Steward"}},
			Owner{"@gail", OwnerPerson, OwnerFromBody}, true},
		{"table row names an owner", OwnerInput{Body: "| field | value |\n| --- | --- |\n| **DRI** | @acme/search |\n"}, OwnerOptions{},
			Owner{"@acme/search", OwnerTeam, OwnerFromBody}, true},
		{"bot label value is not an owner", OwnerInput{Labels: []string{"owner:dependabot[bot]"}}, OwnerOptions{},
			Owner{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DetectOwner(tt.in, tt.opts)
			if ok != tt.ok || got != tt.want {
				t.Errorf("DetectOwner = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
