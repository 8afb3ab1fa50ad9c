package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

func TestFindingClone(t *testing.T) {
	src := graph.Source{Dataset: FindingsDataset, URL: "https://example.org/a", Date: "2019", Quote: "q"}
	f := &Finding{Ref: "f1", Kind: KindEntity, Status: FindingRetracted, Version: 2,
		Entity:    &graph.Entity{ID: graph.KeyFor("f1"), Ref: "f1", Schema: "Company", Props: map[string][]string{"name": {"A"}}, Sources: []graph.Source{src}},
		CreatedAt: time.Unix(1, 0).UTC(), RetractSource: &src}
	c := f.clone()
	if !reflect.DeepEqual(c, f) {
		t.Fatalf("clone() = %+v, want %+v", c, f)
	}
	c.Entity.Props["name"][0] = "B"
	c.Entity.Sources[0].Quote = "changed"
	c.RetractSource.Quote = "changed"
	if f.Entity.First("name") != "A" || f.Entity.Sources[0].Quote != "q" || f.RetractSource.Quote != "q" {
		t.Errorf("changing the clone changed the finding: %+v", f)
	}
	r := &Finding{Ref: "f2", Kind: KindRelationship, Relationship: &graph.Relationship{Ref: "f2", Kind: graph.RelOwns, Props: map[string][]string{"role": {"x"}}}}
	rc := r.clone()
	rc.Relationship.Props["role"][0] = "y"
	if r.Relationship.First("role") != "x" {
		t.Errorf("changing the clone changed the relationship: %+v", r.Relationship)
	}
	if (*Finding)(nil).clone() != nil {
		t.Errorf("nil.clone() != nil")
	}
}
