package graph

import (
	"reflect"
	"testing"
)

// The check digits of the registries, on numbers the lists state.
func TestRegistryCheckDigits(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) bool
		valid []string
		wrong []string
	}{
		// INNs of the Radiozavod in Penza (OFAC 37524, EU IV:172), the
		// one in Izhevsk (EU IV:882), LLC CST and LLC Zala Aero; a
		// person's 12-digit INN (EU I.PERSONS:1899).
		{"INN", validINN, []string{"5835049799", "1833010911", "1841015504", "1841001815", "7744002860", "661215725483"},
			[]string{"5835049798", "74522033815", "971529478", "661215725484", "12345"}},
		// OGRNs of Russian Financial Society and LLC CST.
		{"OGRN", validOGRN, []string{"1027744004903", "1101841007938", "1045802500336"}, []string{"1027744004904", "102774400490"}},
		{"OGRNIP", validOGRNIP, []string{"304500116000157"}, []string{"304500116000158"}},
		// OKPO codes of the EU journal.
		{"OKPO", validOKPO, []string{"07626955", "00204814"}, []string{"07626954"}},
		// IMO numbers of DPRK vessels; the MG-Flot company number 6016988
		// has none of a ship's check digit.
		{"IMO", validIMO, []string{"9030591", "8660313"}, []string{"9030592", "6016988"}},
		// VTB's LEI.
		{"LEI", ValidLEI, []string{"253400V1H6ART1UQ0N98", "529900E3569EJW938341"}, []string{"253400V1H6ART1UQ0N97", "851683897"}},
		{"BIC", ValidBIC, []string{"FTBDKPPY", "VTBRRUMM", "FTBDKPPYXXX"}, []string{"FTBDZZPY", "FTBD", "12BDKPPY"}},
		// A credit code of OFAC (Qingdao Cemo Technology).
		{"USCC", validUSCC, []string{"91370202MA948F4T49", "91110105069601824J"}, []string{"91370202MA948F4T48"}},
	}
	for _, tt := range tests {
		for _, v := range tt.valid {
			if !tt.check(v) {
				t.Errorf("%s check of %s = false, want true", tt.name, v)
			}
		}
		for _, v := range tt.wrong {
			if tt.check(v) {
				t.Errorf("%s check of %s = true, want false", tt.name, v)
			}
		}
	}
}

// Numbers are read from every identifier cell, whatever field holds them,
// and given their registry by the field, the words next to them or their
// structure in a Russian record.
func TestPartyIdentifiers(t *testing.T) {
	p := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	tests := []struct {
		name   string
		schema string
		props  map[string][]string
		want   []PartyID
	}{
		{"EU journal: the INN as text in the registration-number field", "LegalEntity",
			p("name", "Radiozavod, JSC", "country", "ru", "registrationNumber", "5835049799 (Tax ID/INN)"),
			[]PartyID{{RegINN, "5835049799", true, "registrationNumber"}}},
		{"OFAC: tax and registration numbers of a Russian company", "Organization",
			p("name", "JOINT STOCK COMPANY RADIOZAVOD", "country", "ru", "registrationNumber", "1045802500336", "taxNumber", "5835049799"),
			[]PartyID{{RegOGRN, "1045802500336", true, "registrationNumber"}, {RegINN, "5835049799", true, "taxNumber"}}},
		{"OGRN and KPP in one cell", "LegalEntity",
			p("name", "X", "ogrnCode", "1207700324941, KPP 772901001"),
			[]PartyID{{RegOGRN, "1207700324941", true, "ogrnCode"}, {RegKPP, "772901001", false, "ogrnCode"}}},
		{"an OGRN written in groups, a date left out", "LegalEntity",
			p("name", "X", "ogrnCode", "1 027 744 004 903 on 25.11.2002"),
			[]PartyID{{RegOGRN, "1027744004903", true, "ogrnCode"}}},
		{"an INN labelled in Russian", "LegalEntity",
			p("name", "X", "registrationNumber", "ИНН/taxpayer identification number: 1841015504"),
			[]PartyID{{RegINN, "1841015504", true, "registrationNumber"}}},
		{"a 10-digit number of a company outside Russia is no INN", "Organization",
			p("name", "X", "country", "tr", "taxNumber", "6130759760"),
			[]PartyID{{"", "6130759760", false, "taxNumber"}}},
		{"a person's ID numbers", "Person",
			p("name", "X", "idNumber", "(a) Voter ID 73320881AG1191MAM20000, (b) Student ID 200801087"),
			[]PartyID{{RegNationalID, "73320881AG1191MAM20000", false, "idNumber"}, {RegNationalID, "200801087", false, "idNumber"}}},
		{"a passport with its country and issue date", "Person",
			p("name", "X", "passportNumber", "A31142734 (Malaysian number, issued on 6.11.2013 by the Immigration Department)"),
			[]PartyID{{RegPassport, "A31142734", false, "passportNumber"}}},
		{"an IMO company number stated as a registration number", "LegalEntity",
			p("name", "X", "registrationNumber", "IMO 6016988"),
			[]PartyID{{RegIMO, "6016988", false, "registrationNumber"}}},
		{"a SWIFT code with words after it", "Organization",
			p("name", "X", "swiftBic", "KHJBSDKH and 5040942458"),
			[]PartyID{{RegBIC, "KHJBSDKH", true, "swiftBic"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Entity{Schema: tt.schema, Props: tt.props}
			if got := PartyIdentifiers(e); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PartyIdentifiers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNumberKeyOf(t *testing.T) {
	tests := []struct {
		in   string
		key  string
		ok   bool
		note string
	}{
		{"5835049799", "5835049799", true, "a number"},
		{"IMO9187629", "9187629", true, "a short prefix"},
		{"FTBDKPPYXXX", "FTBDKPPY", true, "a BIC: its bank"},
		{"5835049799TAXIDINN", "", false, "words: the record tells"},
		{"7704734000770301001", "", false, "numbers glued together"},
		{"12345", "", true, "too short to block on"},
	}
	for _, tt := range tests {
		if key, ok := NumberKeyOf(tt.in); key != tt.key || ok != tt.ok {
			t.Errorf("NumberKeyOf(%q) = %q, %v, want %q, %v (%s)", tt.in, key, ok, tt.key, tt.ok, tt.note)
		}
	}
}

// Reading numbers out of any cell never panics, gives upper-case letters
// and digits only, and calls valid only numbers of a known registry.
func FuzzPartyIdentifiers(f *testing.F) {
	for _, s := range []string{"5835049799 (Tax ID/INN)", "1 027 744 004 903 on 25.11.2002", "ИНН 1841015504", "KHJBSDKH and 5040942458",
		"(a) Voter ID 73320881AG1191MAM20000, (b) Student ID 200801087", "IMO 6016988", "CHE-109.711.148", "-", " 1-", "٣٤٥"} {
		f.Add("registrationNumber", s, true)
		f.Add("idNumber", s, false)
	}
	f.Fuzz(func(t *testing.T, prop, cell string, org bool) {
		schema := "Person"
		if org {
			schema = "Company"
		}
		e := &Entity{Schema: schema, Props: map[string][]string{prop: {cell}, "country": {"ru"}}}
		for _, id := range PartyIdentifiers(e) {
			for i := 0; i < len(id.Value); i++ {
				if c := id.Value[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
					t.Fatalf("PartyIdentifiers(%s=%q) value %q", prop, cell, id.Value)
				}
			}
			if id.Valid && id.Registry == "" {
				t.Fatalf("PartyIdentifiers(%s=%q) = %+v: valid in no registry", prop, cell, id)
			}
			NumberKeyOf(id.Value)
		}
		NumberKeys(e)
	})
}
