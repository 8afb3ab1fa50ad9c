package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Badger's errors leave the store wrapped: the message is the store's
// sentence, errors.Is finds the graph sentinel they mean and, for logs and
// these tests, Badger's own error.
func TestBadgerErrorsWrapped(t *testing.T) {
	tests := []struct {
		name string
		err  error // as a Badger call returned it
		kind error // graph sentinel, or nil
		msg  string
	}{
		{"not found", badger.ErrKeyNotFound, graph.ErrNotFound, "not found"},
		{"conflict", badger.ErrConflict, graph.ErrConflict, "a concurrent change got there first; try again"},
		{"too big", fmt.Errorf("set: %w", badger.ErrTxnTooBig), graph.ErrInvalid, "the change is too large for one transaction"},
		{"damaged", badger.ErrTruncateNeeded, nil, "the value log is damaged; the store needs repair"},
		{"closed", badger.ErrDBClosed, nil, "the store is closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, wrap := range []func(error) error{dbErr, badgerErr} {
				err := fmt.Errorf("apply records: %w", wrap(tt.err))
				if !errors.Is(err, tt.err) {
					t.Errorf("%v: errors.Is(Badger's error) = false", err)
				}
				if tt.kind != nil && !errors.Is(err, tt.kind) {
					t.Errorf("%v: errors.Is(%v) = false", err, tt.kind)
				}
				if want := "apply records: " + tt.msg; err.Error() != want {
					t.Errorf("Error() = %q, want %q", err, want)
				}
			}
		})
	}
	// The store's own errors pass dbErr unchanged; badgerErr keeps the
	// text of a Badger error it has no sentence for.
	own := fmt.Errorf("%w: no entity", graph.ErrNotFound)
	if got := dbErr(own); got != own {
		t.Errorf("dbErr(%v) = %v, want it unchanged", own, got)
	}
	other := errors.New("While opening memtables: something")
	if got := badgerErr(other); got.Error() != other.Error() || !errors.Is(got, other) {
		t.Errorf("badgerErr(%v) = %v", other, got)
	}
	if dbErr(nil) != nil || badgerErr(nil) != nil {
		t.Errorf("nil is wrapped")
	}
}

func TestStoreInUse(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), dir, Options{GCInterval: -1})
	var de *dbError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), inUse) || strings.Contains(err.Error(), "Cannot acquire") {
		t.Errorf("second Open = %v, want the store's sentence %q", err, inUse)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	// A closed store says so, in its words.
	if _, err := s.Resolve(context.Background(), "x"); !errors.Is(err, badger.ErrDBClosed) || err.Error() != "the store is closed" {
		t.Errorf("Resolve on a closed store = %v", err)
	}
}
