package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// runBackup writes a backup of a store: directly (--db) if no process
// holds it, or through a running server (--server), which takes it online.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "--out FILE", stderr)
	db := fs.String("db", defaultDBDir(), "store directory (a store no server or ingest holds; for a running server use --server)")
	server := fs.String("server", "", "URL of a running server (http://127.0.0.1:8080): take the backup online through it")
	tokenFile := fs.String("token-file", "", "with --server: file with a write token (name:token lines, or one token; the first is used); default $"+writeTokenEnv)
	out := fs.String("out", "", "backup file to write (required; written whole or not at all)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "backup: --out FILE is required"}
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	start := time.Now()
	var n int64
	if *server != "" {
		n, err = backupFromServer(ctx, *server, *tokenFile, tmp)
	} else {
		var st *store.Store
		if st, err = openStore(ctx, *db, true, stderr); err != nil {
			tmp.Close()
			return err
		}
		n, err = st.Backup(ctx, tmp)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w (nothing was written to %s)", err, *out)
	}
	// Read it back: a backup that does not verify is no backup.
	f, err := os.Open(tmp.Name())
	if err != nil {
		return err
	}
	keys, err := store.VerifyBackup(ctx, f)
	f.Close()
	if err != nil {
		return fmt.Errorf("backup: %w (nothing was written to %s)", err, *out)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup %s: %d keys, %d bytes, %.1fs\n", *out, keys, n, time.Since(start).Seconds())
	return nil
}

// backupFromServer downloads GET /admin/backup.
func backupFromServer(ctx context.Context, server, tokenFile string, w io.Writer) (int64, error) {
	tok, err := readToken(tokenFile)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+"/admin/backup", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, fmt.Errorf("server answered %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return io.Copy(w, resp.Body)
}

// readToken reads the first token of a token file (name:token or a bare
// token), or $SANCTIONSGRAPH_WRITE_TOKEN.
func readToken(file string) (string, error) {
	text := os.Getenv(writeTokenEnv)
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		text = string(b)
	}
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if _, tok, ok := strings.Cut(l, ":"); ok {
			return strings.TrimSpace(tok), nil
		}
		return l, nil
	}
	return "", fmt.Errorf("no write token: give --token-file FILE or set $%s", writeTokenEnv)
}

// runRestore restores a backup into a new store directory.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", "--db NEWDIR FILE", stderr)
	db := fs.String("db", "", "directory of the new store (must be missing or empty)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *db == "" || fs.NArg() != 1 {
		fs.Usage()
		return &cli.ExitError{Code: cli.ExitUsage, Msg: "restore: give --db NEWDIR and one backup file"}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	if err := store.Restore(ctx, *db, f); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s in %.1fs\n", fs.Arg(0), *db, time.Since(start).Seconds())
	return nil
}
