package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
)

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("generate", "--out FILE", stderr)
	n := fs.Int("entities", 100_000, "number of entities")
	seed := fs.Uint64("seed", 1, "random seed")
	hubs := fs.Int("hubs", 0, "hub entities with 10k-60k links (0: one per 200k entities)")
	out := fs.String("out", "", "output file (.gz compresses)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "generate: --out is required"}
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(*out, ".gz") {
		zw = gzip.NewWriter(f)
		w = zw
	}
	st, err := synth.Generate(w, synth.Config{Entities: *n, Seed: *seed, Hubs: *hubs})
	if err == nil && zw != nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	b, _ := json.Marshal(st)
	fmt.Fprintf(stdout, "%s: %s\n", *out, b)
	return nil
}
