package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// AuditEntry is one change made through the API (key a<seq>): who made it
// (the name of the write token, never the token), when, what, and the state
// of every finding it touched before and after. It is written in the same
// transaction as the change, so a change without its entry (or an entry
// without its change) cannot exist.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	Who    string    `json:"who"`
	When   time.Time `json:"when"`
	Action string    `json:"action"` // add-entity, update-entity, add-relationship, update-relationship, retract, import-findings
	Reason string    `json:"reason,omitempty"`
	// Refs are the ids of the findings the change touched, in order.
	Refs    []string      `json:"refs"`
	Changes []AuditChange `json:"changes"`
}

// AuditChange is what one change did to one finding.
type AuditChange struct {
	Ref    string   `json:"ref"`
	Before *Finding `json:"before"` // nil: the finding did not exist
	After  *Finding `json:"after"`
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Since time.Time // entries at or after
	Who   string    // entries by this token name
	Ref   string    // entries that touched this finding
	Limit int       // at most this many, the oldest first; 0: no limit
}

func (f AuditFilter) match(e *AuditEntry) bool {
	if !f.Since.IsZero() && e.When.Before(f.Since) {
		return false
	}
	if f.Who != "" && e.Who != f.Who {
		return false
	}
	if f.Ref != "" && !slices.Contains(e.Refs, f.Ref) {
		return false
	}
	return true
}

// Audit lists the audit entries f selects, oldest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.View(ctx, func(tx *Tx) error {
		prefix := []byte{tagAudit}
		n := 0
		return tx.values(prefix, func(k, v []byte) error {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			seq, err := parseAuditKey(k)
			if err != nil {
				return err
			}
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %d: %w", seq, err)
			}
			if f.match(&e) && (f.Limit <= 0 || len(out) < f.Limit) {
				out = append(out, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// lastAuditSeq returns the sequence number of the newest audit entry, 0 if
// there is none.
func lastAuditSeq(txn *badger.Txn) (uint64, error) {
	io := badger.DefaultIteratorOptions
	io.PrefetchValues, io.Reverse, io.Prefix = false, true, []byte{tagAudit}
	it := txn.NewIterator(io)
	defer it.Close()
	it.Seek([]byte{tagAudit, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if !it.ValidForPrefix(io.Prefix) {
		return 0, nil
	}
	return parseAuditKey(it.Item().Key())
}

// writeEntry numbers the mutation's audit entry after the newest one and
// writes it in the mutation's transaction.
func (m *mutation) writeEntry() error {
	last, err := lastAuditSeq(m.w.txn)
	if err != nil {
		return err
	}
	m.entry.Seq = last + 1
	if m.entry.Refs == nil {
		m.entry.Refs = []string{}
	}
	b, err := json.Marshal(&m.entry)
	if err != nil {
		return err
	}
	return m.w.txn.Set(auditKey(m.entry.Seq), b)
}
