package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		pos  []string
		json bool
	}{
		{"flags after positional arguments", []string{"demo-ftb", "--json", "demo-rfs"}, 0, []string{"demo-ftb", "demo-rfs"}, true},
		{"after --", []string{"--", "--json"}, 0, []string{"--json"}, false},
		{"help", []string{"-h"}, 0, nil, false},
		{"unknown flag", []string{"--frob"}, ExitUsage, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			fs := NewFlags("prog", "cmd", "ID...", &stderr)
			asJSON := fs.Bool("json", false, "")
			err := Parse(fs, tt.args)
			if ExitCode(err) != tt.code {
				t.Fatalf("Parse(%q) = %v (exit %d), want exit %d", tt.args, err, ExitCode(err), tt.code)
			}
			if err != nil {
				if !strings.Contains(stderr.String(), "usage: prog cmd [flags] ID...") {
					t.Errorf("Parse(%q) printed %q, want the usage", tt.args, stderr.String())
				}
				return
			}
			if got := fs.Args(); strings.Join(got, " ") != strings.Join(tt.pos, " ") || *asJSON != tt.json {
				t.Errorf("Parse(%q) = args %q json %v, want %q %v", tt.args, got, *asJSON, tt.pos, tt.json)
			}
		})
	}
}

func TestProgramRun(t *testing.T) {
	ran := ""
	p := &Program{Name: "prog", Notes: []string{"a note"}, Commands: []Command{
		{Name: "one", Summary: "the first", Run: func(_ context.Context, args []string, _, _ io.Writer) error {
			ran = strings.Join(append([]string{"one"}, args...), " ")
			return nil
		}},
	}}
	var out, errb bytes.Buffer
	if err := p.Run(context.Background(), []string{"one", "x"}, &out, &errb); err != nil || ran != "one x" {
		t.Errorf("Run(one x) = %v, ran %q", err, ran)
	}
	err := p.Run(context.Background(), []string{"two"}, &out, &errb)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitUsage || ee.Msg != `unknown command "two"` {
		t.Errorf("Run(two) = %#v, want an unknown command", err)
	}
	for _, want := range []string{"usage: prog COMMAND", "  one      the first", "a note", "Run 'prog COMMAND -h'"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("usage after an unknown command lacks %q:\n%s", want, errb.String())
		}
	}
	out.Reset()
	if err := p.Run(context.Background(), nil, &out, &errb); ExitCode(err) != ExitUsage || !strings.Contains(out.String(), "usage: prog") {
		t.Errorf("Run() = %v, %q; want the usage and exit %d", err, out.String(), ExitUsage)
	}
	if err := p.Run(context.Background(), []string{"help"}, &out, &errb); err != nil {
		t.Errorf("Run(help) = %v", err)
	}
	if ExitCode(nil) != 0 || ExitCode(errors.New("x")) != ExitFailed {
		t.Error("ExitCode of nil or a plain error")
	}
}
