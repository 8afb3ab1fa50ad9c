package main

import (
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli/clitest"
)

// server is the sanctionsgraph binary that bench starts, built once.
var server string

func TestMain(m *testing.M) { clitest.BuildMain(m, &server, "../sanctionsgraph") }

// run runs sgbench in-process and returns stdout, stderr and the error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return clitest.Run(t, Run, args...)
}
