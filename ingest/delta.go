package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// readDeltaIndex applies an OpenSanctions delta index (delta.json:
// {"versions": {"20240527134702-zbn": "https://.../entities.delta.json"}})
// from local copies: each version's entities.delta.json in a directory named
// after the version beside the index, oldest version first. This machine
// cannot download; a version without a local copy fails the file.
func readDeltaIndex(ctx context.Context, name string, in *bufio.Reader, sink Sink, opt Options, sum *Summary, progress func()) error {
	raw, err := io.ReadAll(io.LimitReader(in, 16<<20))
	if err != nil {
		return readError(name, 0, err)
	}
	var idx struct {
		Versions map[string]string `json:"versions"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		return &FileError{File: name, Msg: "bad delta index", Err: err}
	}
	versions := make([]string, 0, len(idx.Versions))
	for v := range idx.Versions {
		if v == "" || strings.ContainsAny(v, `/\`) || v == "." || v == ".." {
			return &FileError{File: name, Msg: fmt.Sprintf("bad version name %q", v)}
		}
		versions = append(versions, v)
	}
	sort.Strings(versions) // version names start with a timestamp
	dir := filepath.Dir(name)
	var paths, missing []string
	for _, v := range versions {
		p := filepath.Join(dir, v, "entities.delta.json")
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s)", v, idx.Versions[v]))
			continue
		}
		paths = append(paths, p)
	}
	if len(missing) > 0 {
		return &FileError{File: name, Msg: "delta versions without a local copy (download them into <version>/entities.delta.json beside the index): " + strings.Join(missing, ", ")}
	}
	sum.Format = "ftm-delta-index"
	for _, p := range paths {
		o := opt
		o.Format = "ftm"
		s, err := File(ctx, p, sink, o)
		if s != nil {
			sum.Records += s.Records
			sum.Added += s.Added
			sum.Updated += s.Updated
			sum.Unchanged += s.Unchanged
			sum.Deleted += s.Deleted
			sum.Missing += s.Missing
			for _, e := range s.Rejects {
				sum.reject(e)
			}
			sum.Rejected += s.Rejected - len(s.Rejects)
			for k, n := range s.Schemata {
				sum.Schemata[k] += n
			}
		}
		if err != nil {
			return err
		}
		progress()
	}
	return nil
}
