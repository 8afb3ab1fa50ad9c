package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

func TestApplyEnv(t *testing.T) {
	fs := newFlags("serve", "", io.Discard)
	body := fs.Int64("max-body", 1<<20, "")
	timeout := fs.Duration("timeout", 10*time.Second, "")
	format := fs.String("log-format", "text", "")
	db := fs.String("db", "", "")
	t.Setenv("SANCTIONSGRAPH_MAX_BODY", "4096")
	t.Setenv("SANCTIONSGRAPH_TIMEOUT", "3s")
	t.Setenv("SANCTIONSGRAPH_LOG_FORMAT", "json")
	t.Setenv("SANCTIONSGRAPH_DB", "/from/env")
	if err := cli.Parse(fs, []string{"--timeout", "5s"}); err != nil {
		t.Fatal(err)
	}
	if err := applyEnv(fs, "db"); err != nil {
		t.Fatal(err)
	}
	if *body != 4096 || *format != "json" {
		t.Errorf("from the environment: max-body %d, log-format %q", *body, *format)
	}
	if *timeout != 5*time.Second {
		t.Errorf("the command line must win: timeout %v", *timeout)
	}
	if *db != "" {
		t.Errorf("a skipped flag was set: db %q", *db)
	}
	// A value the flag does not take names the variable.
	fs = newFlags("serve", "", io.Discard)
	fs.Int64("max-body", 1<<20, "")
	t.Setenv("SANCTIONSGRAPH_MAX_BODY", "lots")
	cli.Parse(fs, nil)
	err := applyEnv(fs)
	if cli.ExitCode(err) != cli.ExitUsage || !strings.Contains(err.Error(), "$SANCTIONSGRAPH_MAX_BODY") {
		t.Errorf("bad value: %v", err)
	}
}

func TestNewLogger(t *testing.T) {
	var b strings.Builder
	log, err := newLogger(&b, "json", "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "k", 1)
	if got := b.String(); strings.Contains(got, "hidden") || !strings.Contains(got, `"msg":"shown","k":1`) {
		t.Errorf("log: %s", got)
	}
	for _, c := range [][2]string{{"xml", "info"}, {"text", "loud"}} {
		if _, err := newLogger(&b, c[0], c[1]); cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("newLogger(%q, %q): %v", c[0], c[1], err)
		}
	}
}
