package graph

import "testing"

func TestIsPartialDate(t *testing.T) {
	tests := []struct {
		in        string
		want, day bool
	}{
		{"2019", true, false},
		{"2019-06", true, false},
		{"2019-06-19", true, true},
		{"2020-02-29", true, true},
		{"2019-02-29", false, false}, // not a real day
		{"2019-13", false, false},
		{"2019-00-10", false, false},
		{"0000", false, false},
		{"19", false, false},
		{"2019-6-19", false, false},
		{"2019/06/19", false, false},
		{"+201", false, false},
		{"2019-06-19T10:00", false, false},
		{" 2019", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if got := IsPartialDate(tt.in); got != tt.want {
			t.Errorf("IsPartialDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if got := IsDay(tt.in); got != tt.day {
			t.Errorf("IsDay(%q) = %v, want %v", tt.in, got, tt.day)
		}
	}
}
