package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Settle compacts the closed store in dir until its tree is in shape for
// reading: no level-0 tables (every read consults each of them) and no
// level over its target size. A bulk ingest leaves up to ten level-0 tables
// (it runs faster that way); without settling, the next open would start
// the compactions and a server would build its index while they run.
// Settle stops at ctx's deadline; the store is consistent at any point.
func Settle(ctx context.Context, dir string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	opt := badger.DefaultOptions(dir).WithLogger(badgerLogger{log}).WithValueThreshold(128).
		WithNumCompactors(2).WithCompression(options.None).
		WithNumLevelZeroTables(1).WithNumLevelZeroTablesStall(50)
	db, err := badger.Open(opt)
	if err != nil {
		return fmt.Errorf("settle store %s: %w", dir, badgerErr(err))
	}
	defer db.Close()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		if settled(db.Levels()) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil // what is done is done; the rest waits for the next open
		case <-t.C:
		}
	}
}

func settled(levels []badger.LevelInfo) bool {
	for _, l := range levels {
		if (l.Level == 0 && l.NumTables > 0) || (l.Level > 0 && l.Score > 1) {
			return false
		}
	}
	return true
}
