package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// mergeFixture: FTB on two lists with one SWIFT/BIC, and LLC Zala Aero and
// LLC CST, sister companies sharing an alias and a city but not their INN
// (the EU states it as text in the registration-number field).
const mergeFixture = `{"id":"ofac-15603","schema":"Organization","properties":{"name":["FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"],"swiftBic":["FTBDKPPY"],"country":["kp"]},"datasets":["us_ofac_sdn"]}
{"id":"un-6908622","schema":"Organization","properties":{"name":["FOREIGN TRADE BANK (FTB)"],"swiftBic":["FTBDKPPY"],"country":["kp"]},"datasets":["un_sc_sanctions"]}
{"id":"ofac-45934","schema":"Organization","properties":{"name":["LIMITED LIABILITY COMPANY ZALA AERO"],"alias":["ZALA AERO GROUP"],"country":["ru"],"taxNumber":["1841001815"],"address":["9 Salyama Adilya St., Office 3, Moscow 123154, Russia"]},"datasets":["us_ofac_sdn"]}
{"id":"eu-502","schema":"LegalEntity","properties":{"name":["LLC CST (Zala Aero Group)"],"alias":["Zala Aero Group"],"country":["ru"],"registrationNumber":["1841015504 (Tax ID/INN)"],"address":["127030, Moscow, Institutskiy Lane, 2, Floor 5, Room 7, Russian Federation"]},"datasets":["eu_journal_sanctions"]}
`

// merges --explain shows what agreed and what was checked; merges
// --refused lists the pair a contradiction kept apart, and why.
func TestMergesExplainRefused(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "parties.ftm.json")
	if err := os.WriteFile(in, []byte(mergeFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "db")
	out, stderr, err := run(t, "ingest", "--db", db, in)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "not merged: 1 pairs") {
		t.Errorf("ingest output does not report the refused pair:\n%s", out)
	}

	out, stderr, err = run(t, "merges", "--db", db, "--explain", "ofac-15603")
	if err != nil {
		t.Fatalf("merges --explain: %v\n%s", err, stderr)
	}
	for _, want := range []string{"swiftBic FTBDKPPY", "agreed: SWIFT/BIC FTBDKPPY", "checked: SWIFT/BIC FTBDKPPY / FTBDKPPY", "checked: lists us_ofac_sdn / un_sc_sanctions"} {
		if !strings.Contains(out, want) {
			t.Errorf("merges --explain lacks %q:\n%s", want, out)
		}
	}
	plain, _, _ := run(t, "merges", "--db", db, "ofac-15603")
	if strings.Contains(plain, "agreed:") {
		t.Errorf("merges without --explain shows the evidence:\n%s", plain)
	}

	out, stderr, err = run(t, "merges", "--db", db, "--refused", "--json")
	if err != nil {
		t.Fatalf("merges --refused: %v\n%s", err, stderr)
	}
	var refused []graph.RefusedMerge
	if err := json.Unmarshal([]byte(out), &refused); err != nil {
		t.Fatalf("merges --refused --json: %v\n%s", err, out)
	}
	if len(refused) != 1 || refused[0].A != "eu-502" || refused[0].B != "ofac-45934" || refused[0].Reason != "different INN: 1841015504 / 1841001815" {
		t.Fatalf("refused = %+v, want eu-502 / ofac-45934 refused for their INNs", refused)
	}
	out, _, err = run(t, "merges", "--db", db, "--refused", "--explain")
	if err != nil || !strings.Contains(out, "agreed: name \"Zala Aero Group\" = \"ZALA AERO GROUP\"") || !strings.Contains(out, "1 merges refused") {
		t.Errorf("merges --refused --explain: %v\n%s", err, out)
	}
	if _, _, err := run(t, "merges", "--db", db, "--refused", "ofac-15603"); err == nil {
		t.Errorf("merges --refused ID: no error, want a usage error")
	}
}
