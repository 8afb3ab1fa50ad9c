package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

// envName is the environment variable that configures flag name of a
// command: SANCTIONSGRAPH_ and the flag in upper case with "-" as "_"
// ("max-body" -> SANCTIONSGRAPH_MAX_BODY).
func envName(flagName string) string {
	return "SANCTIONSGRAPH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets every flag of fs that the command line did not set from
// its environment variable (see envName), so that a server can be
// configured by flags, by environment, or both; a flag on the command line
// wins. A value the flag does not accept is an error that names the
// variable. Flags named in skip are left alone (their defaults read the
// environment already, with a meaning of their own).
func applyEnv(fs *flag.FlagSet, skip ...string) error {
	set := map[string]bool{}
	for _, s := range skip {
		set[s] = true
	}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		name := envName(f.Name)
		v, ok := os.LookupEnv(name)
		if !ok {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("$%s: %v", name, e)}
		}
	})
	return err
}

// newLogger makes the structured logger of a server: format "text"
// (logfmt-like key=value) or "json", at level debug, info, warn or error.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--log-level %q: want debug, info, warn or error", level)}
	}
	opt := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opt)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opt)), nil
	}
	return nil, &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("--log-format %q: want text or json", format)}
}
