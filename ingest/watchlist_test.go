package ingest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
)

func TestReadWatchlistCSV(t *testing.T) {
	in := "\ufeffRef,Name,Type,Nationality,Date_of_Birth,Identifiers,Aliases,Entity,notes\n" +
		"C1,Dandong Zhongsheng Industry & Trade,Company,cn,,312106037714354404,Zhongsheng Dandong; DZIT,cust-1,ignored\n" +
		"C2,\"KIM, Chol\",Person,Korea North,1961-03-05,,,,\n"
	ps, skipped, err := ingest.ReadWatchlist(context.Background(), "customers.csv", strings.NewReader(in))
	if err != nil || skipped != 0 || len(ps) != 2 {
		t.Fatalf("ReadWatchlist = %+v, %d, %v", ps, skipped, err)
	}
	p := ps[0]
	if p.Ref != "C1" || p.Kind != "Company" || p.Country != "cn" || !slices.Equal(p.Aliases, []string{"Zhongsheng Dandong", "DZIT"}) ||
		!slices.Equal(p.Identifiers, []string{"312106037714354404"}) || p.Entity != "cust-1" {
		t.Errorf("party 1 = %+v", p)
	}
	if ps[1].Name != "KIM, Chol" || ps[1].BirthDate != "1961-03-05" || ps[1].Country != "Korea North" {
		t.Errorf("party 2 = %+v", ps[1])
	}
}

// Bad rows are named by file, line and field, and refuse the whole file:
// importing part of a watchlist would remove the rest.
func TestReadWatchlistBadRows(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"no name column", "ref,fullname\nC1,x\n", []string{"watch.csv:1: the header has no name column"}},
		{"bad rows", "ref,name,kind,country,dob\nC1,Acme,,,\n,No Ref,,,\nC3,Acme,Spaceship,,\nC4,Acme,,Atlantis,\nC5,Acme,,,5.3.1961\nC1,Again,,,\n",
			[]string{"watch.csv:3: ref: required", "watch.csv:4: kind: unknown kind", "watch.csv:5: country:", "watch.csv:6: birthDate:", `watch.csv:7: ref: "C1" is also the ref of line 2`}},
		{"bad CSV", "ref,name\nC1,\"unterminated\n", []string{"watch.csv:2: bad CSV"}},
		{"not FtM", "{\"id\": \"x\", \"schema\": 3}\n", []string{"watch.csv:1: schema"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, _, err := ingest.ReadWatchlist(context.Background(), "watch.csv", strings.NewReader(tt.in))
			if err == nil || ps != nil {
				t.Fatalf("ReadWatchlist = %v, %v; want an error", ps, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			var re *ingest.RowsError
			if errors.As(err, &re) && !errors.Is(err, graph.ErrInvalid) {
				t.Errorf("a file of bad rows is not invalid input: %v", err)
			}
		})
	}
}

func TestReadWatchlistFtM(t *testing.T) {
	in := `{"id": "cust-1", "schema": "Company", "properties": {"name": ["Sea Star Shipping"], "alias": ["Morskaya Zvezda"], "jurisdiction": ["ru"], "registrationNumber": ["1027700000000"]}}
{"id": "cust-2", "schema": "Person", "properties": {"name": ["Ivan Petrov"], "birthDate": ["1970-01-02"], "nationality": ["ru"]}}
{"id": "own-1", "schema": "Ownership", "properties": {"owner": ["cust-2"], "asset": ["cust-1"]}}
`
	ps, skipped, err := ingest.ReadWatchlist(context.Background(), "customers.ftm.json", strings.NewReader(in))
	if err != nil || skipped != 1 || len(ps) != 2 {
		t.Fatalf("ReadWatchlist = %+v, %d, %v", ps, skipped, err)
	}
	if p := ps[0]; p.Ref != "cust-1" || p.Name != "Sea Star Shipping" || !slices.Equal(p.Aliases, []string{"Morskaya Zvezda"}) || p.Country != "ru" || !slices.Equal(p.Identifiers, []string{"1027700000000"}) {
		t.Errorf("party 1 = %+v", p)
	}
	if p := ps[1]; p.Kind != "Person" || p.BirthDate != "1970-01-02" {
		t.Errorf("party 2 = %+v", p)
	}
}
