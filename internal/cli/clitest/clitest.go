// Package clitest runs the project's commands in tests: in process, and
// as a binary built once for the tests that need a real process.
package clitest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

// Run runs the command line args with run in process and returns its
// stdout, stderr and error.
func Run(tb testing.TB, run cli.Func, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// BuildMain builds the command in the package directory dir (relative to
// the test's package) into a temporary directory, sets *bin to the binary,
// runs the tests, removes the binary and exits with the tests' status.
// Call it from TestMain.
func BuildMain(m *testing.M, bin *string, dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmp, err := os.MkdirTemp("", "sanctionsgraph-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*bin = filepath.Join(tmp, filepath.Base(abs))
	if out, err := exec.Command("go", "build", "-o", *bin, abs).CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", dir, err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}
