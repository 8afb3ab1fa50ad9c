package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/exposure"
)

// maxControllersRead bounds the control relationships read into one entity.
const maxControllersRead = 1000

// OwnershipExposure computes whether q.Entity is blocked under the OFAC 50
// Percent Rule (exposure.Compute) on one read snapshot, so that every
// stake and designation it weighs reflects the same moment. Merged parties
// count as one owner. Returns graph.ErrInvalid for a bad query.
func (s *Store) OwnershipExposure(ctx context.Context, q exposure.Query) (x *exposure.Result, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		x, err = exposure.Compute(ctx, &exposureData{tx: tx, designators: map[uuid.UUID]*graph.Entity{}}, q)
		return err
	})
	return x, err
}

// exposureData reads what the computation needs from one Tx.
type exposureData struct {
	tx          *Tx
	designators map[uuid.UUID]*graph.Entity // programme and authority nodes read
}

func (d *exposureData) Owners(ctx context.Context, id uuid.UUID, limit int) ([]exposure.Stake, bool, error) {
	page, err := d.tx.Relationships(id, graph.RelQuery{Direction: graph.Incoming, Kinds: []graph.RelType{graph.RelOwns}, Limit: limit})
	if err != nil {
		return nil, false, err
	}
	out := make([]exposure.Stake, len(page.Relationships))
	for i, r := range page.Relationships {
		out[i] = exposure.StakeOf(r)
	}
	return out, page.More, nil
}

func (d *exposureData) Controllers(ctx context.Context, id uuid.UUID) ([]exposure.Control, error) {
	page, err := d.tx.Relationships(id, graph.RelQuery{Direction: graph.Incoming, Kinds: []graph.RelType{graph.RelControls}, Limit: maxControllersRead})
	if err != nil {
		return nil, err
	}
	out := make([]exposure.Control, len(page.Relationships))
	for i, r := range page.Relationships {
		from, to := r.Validity()
		out[i] = exposure.Control{Controller: r.Source, From: from, To: to, Rel: r}
	}
	return out, nil
}

func (d *exposureData) Designations(ctx context.Context, id uuid.UUID) ([]graph.Designation, error) {
	page, err := d.tx.Relationships(id, graph.RelQuery{Direction: graph.Outgoing, Kinds: []graph.RelType{graph.RelDesignatedBy}})
	if err != nil {
		return nil, err
	}
	out := make([]graph.Designation, 0, len(page.Relationships))
	for _, r := range page.Relationships {
		target, ok := d.designators[r.Target]
		if !ok {
			target, err = d.tx.Entity(r.Target)
			if err != nil && !errors.Is(err, graph.ErrNotFound) {
				return nil, err
			}
			d.designators[r.Target] = target // nil when not ingested
		}
		out = append(out, graph.NewDesignation(r, target))
	}
	return out, nil
}

func (d *exposureData) Name(ctx context.Context, id uuid.UUID) (string, error) {
	e, err := d.tx.Entity(id)
	if err != nil {
		return "", err
	}
	return e.Name(), nil
}
