package ingest

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// Every official list parser's id prefix is refused as a finding id.
func TestListPrefixesCoverLists(t *testing.T) {
	for _, c := range []struct{ path, format string }{
		{"testdata/ofac_set/sdn.csv", "ofac-csv"},
		{"testdata/un_small.xml", "un-xml"},
		{"testdata/eu_fsf.xml", "eu-fsf-xml"},
		{"testdata/eu_journal_consolidated.csv", "eu-journal-csv"},
		{"testdata/uk_conlist.csv", "uk-hmt-csv"},
		{"testdata/ofacadv_sdn.xml", "ofac-advanced-xml"},
		{"testdata/ofacadv_cons.xml", "ofac-advanced-xml"},
	} {
		lp := parseListFile(t, c.path, c.format)
		if !slices.ContainsFunc(listPrefixes, func(p string) bool { return strings.HasPrefix(lp.Info.Prefix, p) }) {
			t.Errorf("%s: prefix %q is not in listPrefixes %q", c.path, lp.Info.Prefix, listPrefixes)
		}
		for _, r := range lp.Records {
			if !strings.HasPrefix(r.Ref, lp.Info.Prefix) && r.Entity != nil {
				t.Errorf("%s: record %q does not start with the list's prefix %q", c.path, r.Ref, lp.Info.Prefix)
				break
			}
		}
	}
}

func TestFindingIDWithListPrefixRejected(t *testing.T) {
	csv := "record,id,schema,name,source_url\nentity,ofac:15603,Company,Foreign Trade Bank,https://example.org/x\nentity,finding:ok,Company,Fine,https://example.org/y\n"
	recs, sum, err := ReadFindings(context.Background(), "f.csv", strings.NewReader(csv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 1 || len(recs) != 1 || sum.Rejects[0].Field != "id" || sum.Rejects[0].Line != 2 ||
		!strings.Contains(sum.Rejects[0].Msg, "finding:15603") {
		t.Errorf("summary %+v, rejects %v", sum, sum.Rejects)
	}
}
