// Package cli is what the project's commands (sanctionsgraph, and sgbench
// beside it) share of a command line: subcommands and their usage, flag
// sets that report errors instead of exiting, and exit statuses.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// ExitError carries an exit status other than 1. Msg is printed after the
// program's name; an empty Msg prints nothing (as after -h).
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// Exit statuses every command shares.
const (
	ExitFailed = 1 // the command failed
	ExitUsage  = 2 // bad flags or arguments
)

// ExitCode is the exit status for err: 0 for nil, the Code of an
// ExitError, else ExitFailed.
func ExitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return ExitFailed
	}
	return 0
}

// Func runs a command line (without the program's name, or a command's
// arguments without its name).
type Func func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// Command is one subcommand of a Program.
type Command struct {
	Name, Summary string
	Run           Func
}

// Program is a command line made of subcommands.
type Program struct {
	Name     string
	Commands []Command
	Notes    []string // lines printed after the list of commands
}

// Run runs the subcommand args[0]. Without arguments it prints the usage
// and returns an ExitError with ExitUsage; an unknown command prints the
// usage to stderr and returns an ExitError naming it.
func (p *Program) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		p.Usage(stdout)
		if len(args) == 0 {
			return &ExitError{Code: ExitUsage}
		}
		return nil
	}
	for _, c := range p.Commands {
		if c.Name == args[0] {
			return c.Run(ctx, args[1:], stdout, stderr)
		}
	}
	p.Usage(stderr)
	return &ExitError{Code: ExitUsage, Msg: fmt.Sprintf("unknown command %q", args[0])}
}

// Usage prints the commands of p with their summaries.
func (p *Program) Usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s COMMAND [flags] [args]\n\n", p.Name)
	for _, c := range p.Commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(w)
	for _, n := range p.Notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintf(w, "Run '%s COMMAND -h' for its flags.\n", p.Name)
}

// NewFlags makes the flag set of command name of program prog, which
// reports errors instead of exiting; args describes the positional
// arguments in its usage line.
func NewFlags(prog, name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s %s [flags] %s\n\nflags:\n", prog, name, args)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses flags, allowing them after positional arguments too
// ("entity demo-ftb --json"). -h returns an ExitError with status 0, a
// bad flag one with ExitUsage.
func Parse(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return &ExitError{Code: 0}
			}
			return &ExitError{Code: ExitUsage, Msg: err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// Main runs run with the process's command line and a context that
// SIGINT or SIGTERM cancels, prints an error after the program's name,
// and exits with its status (see ExitCode).
func Main(prog string, run Func) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err == nil {
		return
	}
	msg := err.Error()
	var ee *ExitError
	if errors.As(err, &ee) {
		msg = ee.Msg
	}
	if msg != "" {
		fmt.Fprintln(os.Stderr, prog+":", msg)
	}
	os.Exit(ExitCode(err))
}
