package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// fetchSource is an official list that fetch downloads.
type fetchSource struct {
	title  string
	url    string   // official URL of the main file
	format string   // the format the download must be in
	file   string   // local name of the main file
	extra  []string // sibling files, downloaded from the same folder
}

// fetchSources are the official lists. Each URL can be replaced with
// --url or the environment variable SANCTIONSGRAPH_FETCH_<NAME>_URL.
var fetchSources = map[string]fetchSource{
	"ofac": {title: "OFAC SDN list (legacy delimited files)",
		url:    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV",
		format: "ofac-csv", file: "sdn.csv", extra: []string{"add.csv", "alt.csv", "sdn_comments.csv"}},
	"un": {title: "UN Security Council consolidated list",
		url:    "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
		format: "un-xml", file: "un-consolidated.xml"},
	"eu": {title: "EU financial sanctions files (FSF XML 1.1)",
		url:    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
		format: "eu-fsf-xml", file: "eu-fsf.xml"},
	"uk": {title: "UK HM Treasury (OFSI) consolidated list",
		url:    "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
		format: "uk-hmt-csv", file: "uk-conlist.csv"},
}

func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("fetch", "ofac|un|eu|uk", stderr)
	db := fs.String("db", defaultDBDir(), "store directory")
	rawURL := fs.String("url", "", "download from this URL instead of the official one (or set SANCTIONSGRAPH_FETCH_<LIST>_URL)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up a download after this long")
	maxMB := fs.Int64("max-size-mb", 512, "refuse a download larger than this")
	keep := fs.String("keep", "", "keep the downloaded files in this folder")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	listDate := fs.String("list-date", "", "date of the list version (YYYY-MM-DD; default: the date the file states, else today)")
	massDelist := fs.Bool("allow-mass-delist", false, "let this version end the designations of more than 10% of the entries held")
	noMerge := fs.Bool("no-merge", false, "do not look for records of the same party to merge after the ingest")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "fetch: name one list: ofac, un, eu or uk"}
	}
	name := strings.ToLower(fs.Arg(0))
	src, ok := fetchSources[name]
	if !ok {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("fetch: unknown list %q (want ofac, un, eu or uk)", fs.Arg(0))}
	}
	main := src.url
	if v := os.Getenv("SANCTIONSGRAPH_FETCH_" + strings.ToUpper(name) + "_URL"); v != "" {
		main = v
	}
	if *rawURL != "" {
		main = *rawURL
	}
	u, err := url.Parse(main)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &cli.ExitError{Code: cli.ExitUsage, Msg: fmt.Sprintf("fetch: %q is not an http(s) URL", main)}
	}
	dir := *keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "sanctionsgraph-fetch-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	client := &http.Client{Timeout: *timeout}
	limit := *maxMB << 20
	mainPath := filepath.Join(dir, src.file)
	if err := download(ctx, client, u, mainPath, limit, stderr); err != nil {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("fetch %s: %v; nothing was changed", name, err)}
	}
	for _, f := range src.extra {
		su := sibling(u, f)
		err := download(ctx, client, su, filepath.Join(dir, f), limit, stderr)
		var nf *notFound
		if errors.As(err, &nf) && f == "sdn_comments.csv" {
			fmt.Fprintf(stderr, "%s: not published (no remarks overflow)\n", su)
			continue
		}
		if err != nil {
			return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("fetch %s: %v; nothing was changed", name, err)}
		}
	}
	got, err := ingest.DetectFile(mainPath)
	if err != nil || got != src.format {
		if err == nil {
			err = fmt.Errorf("it is %s", got)
		}
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("fetch %s: %s did not send the %s: %v; nothing was changed", name, u.Redacted(), src.title, err)}
	}
	st, err := openStore(ctx, *db, false, stderr)
	if err != nil {
		return err
	}
	var sums []*ingest.Summary
	opt := ingest.Options{Format: src.format, ListDate: *listDate, AllowMassDelist: *massDelist}
	err = ingestAll(ctx, st, []string{mainPath}, false, opt, stderr, func(s *ingest.Summary) {
		s.File = u.Redacted()
		sums = append(sums, s)
	})
	var merged *store.AutoMergeReport
	if err == nil && !*noMerge {
		merged, err = st.AutoMerge(ctx)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("fetch %s: %v\nnothing was changed: the ingest run was rolled back", name, err)}
	}
	watched, err := rewatch(ctx, *db, stderr)
	if err != nil {
		return &cli.ExitError{Code: cli.ExitFailed, Msg: fmt.Sprintf("fetch %s: the ingest was committed, but %v", name, err)}
	}
	if rejected := printSummaries(stdout, sums, merged, watched, *asJSON); rejected > 0 {
		return &cli.ExitError{Code: exitRejected, Msg: fmt.Sprintf("%d malformed entries were rejected; the rest was stored", rejected)}
	}
	return nil
}

// sibling is the URL of file in the same folder as u, in the same case as
// u's file name (OFAC publishes SDN.CSV with ADD.CSV).
func sibling(u *url.URL, file string) *url.URL {
	s := *u
	base := path.Base(u.Path)
	if base == strings.ToUpper(base) {
		file = strings.ToUpper(file)
	}
	s.Path = path.Join(path.Dir(u.Path), file)
	s.RawPath = ""
	return &s
}

type notFound struct{ url string }

func (e *notFound) Error() string { return "HTTP 404 Not Found from " + e.url }

// download saves u to dest, refusing more than limit bytes.
func download(ctx context.Context, client *http.Client, u *url.URL, dest string, limit int64, stderr io.Writer) error {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "sanctionsgraph (+https://github.com/sanctionsgraph/sanctionsgraph)")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("download %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return &notFound{u.Redacted()}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: HTTP %s", u.Redacted(), resp.Status)
	}
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download %s: %w (after %d bytes)", u.Redacted(), err, n)
	}
	if n > limit {
		return fmt.Errorf("download %s: larger than %d MB (--max-size-mb)", u.Redacted(), limit>>20)
	}
	if resp.ContentLength > 0 && n != resp.ContentLength {
		return fmt.Errorf("download %s: got %d of %d bytes (cut short?)", u.Redacted(), n, resp.ContentLength)
	}
	if n == 0 {
		return fmt.Errorf("download %s: empty", u.Redacted())
	}
	fmt.Fprintf(stderr, "fetched %s: %d bytes in %.1fs\n", u.Redacted(), n, time.Since(start).Seconds())
	return nil
}
