package main

import (
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli/clitest"
)

// server is the sanctionsgraph binary that bench starts, built once.
var server string

func TestMain(m *testing.M) { clitest.BuildMain(m, &server, "../sanctionsgraph") }
