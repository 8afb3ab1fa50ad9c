package schema_test

import (
	"encoding/json"
	"strings"
	"testing"
)

const exposureQuery = `query($id: ID!, $authority: String, $asOf: String, $maxDepth: Int) {
  ownershipExposure(id: $id, authority: $authority, asOf: $asOf, maxDepth: $maxDepth) {
    entity { id name }
    blocked percentage maxPercentage complete possiblyBlocked designated
    designations { authority programme }
    chains { hops start { id } end { id } steps { from { id } to { id } forward relationship { kind properties { percentage } } } }
    explanation
    owners { owner { id } ownerId percentage minPercentage maxPercentage stated counted ownerBlocked ownerPossiblyBlocked ownerReason note relationships { id kind } }
    blockedParties { entity { id } entityId blocked possiblyBlocked designated percentage maxPercentage depth reason designations { authority } }
    controlledBy { controller { id } controllerId blocked designated reason relationships { id kind } }
    controlledByBlocked authority asOf visited truncated limits dataErrors
  }
}`

func TestOwnershipExposureGraphQL(t *testing.T) {
	s := demoSchema(t)
	data, errs := exec(t, s, exposureQuery, map[string]any{"id": "demo-dandong"})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	x := data["ownershipExposure"].(map[string]any)
	// Dandong is on the SDN list itself; FTB's stake is stated without a
	// percentage, so the aggregate is unknown (0 to 100), never guessed.
	want := map[string]any{"blocked": true, "designated": true, "complete": false, "possiblyBlocked": false,
		"percentage": 0.0, "maxPercentage": 100.0, "controlledByBlocked": true, "authority": "US OFAC", "truncated": false}
	for k, v := range want {
		if x[k] != v {
			t.Errorf("%s = %v, want %v", k, x[k], v)
		}
	}
	b, _ := json.Marshal(x)
	got := string(b)
	for _, want := range []string{
		`"owners":[{"counted":true,"maxPercentage":100,"minPercentage":0,"note":null,"owner":{"id":"demo-ftb"},"ownerBlocked":true,"ownerId":"demo-ftb","ownerPossiblyBlocked":false,"ownerReason":"designated by US OFAC (NPWMD, DPRK3)","percentage":null,"relationships":[{"id":"demo-ftb-owns-dandong","kind":"OWNS"}],"stated":null}]`,
		`"chains":[{"end":{"id":"demo-dandong"},"hops":1,"start":{"id":"demo-ftb"},"steps":[{"forward":true,"from":{"id":"demo-ftb"},"relationship":{"kind":"OWNS","properties":{"percentage":null}},"to":{"id":"demo-dandong"}}]}]`,
		`"controlledBy":[{"blocked":true,"controller":{"id":"demo-ftb"},"controllerId":"demo-ftb","designated":true,"reason":"designated by US OFAC (NPWMD, DPRK3)","relationships":[{"id":"demo-ftb-controls-dandong","kind":"CONTROLS"}]}]`,
		`"designations":[{"authority":"US OFAC","programme":"NPWMD"}]`,
		`is designated by US OFAC (NPWMD) in its own right`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("response lacks %s\n got %s", want, got)
		}
	}

	// Under the UN Security Council, Dandong is not listed: its standing
	// rests on FTB's stake of unknown size.
	data, errs = exec(t, s, exposureQuery, map[string]any{"id": "demo-dandong", "authority": "UN Security Council", "asOf": "2020-01-01", "maxDepth": 3})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	x = data["ownershipExposure"].(map[string]any)
	if x["blocked"] != false || x["possiblyBlocked"] != true || x["designated"] != false || x["asOf"] != "2020-01-01" || x["authority"] != "UN Security Council" {
		t.Errorf("under the UN: %v", x)
	}
}

func TestOwnershipExposureGraphQLErrors(t *testing.T) {
	s := demoSchema(t)
	tests := []struct {
		vars map[string]any
		code string
		msg  string
	}{
		{map[string]any{"id": "no-such-entity"}, "NOT_FOUND", "entity"},
		{map[string]any{"id": "demo-dandong", "asOf": "2020-13-01"}, "BAD_USER_INPUT", "asOf"},
		{map[string]any{"id": "demo-dandong", "maxDepth": 0}, "BAD_USER_INPUT", "maxDepth"},
		{map[string]any{"id": "demo-dandong", "maxDepth": 21}, "BAD_USER_INPUT", "maxDepth"},
		{map[string]any{"id": "demo-dandong", "authority": " "}, "BAD_USER_INPUT", "authority"},
	}
	for _, tt := range tests {
		_, errs := exec(t, s, `query($id: ID!, $authority: String, $asOf: String, $maxDepth: Int) { ownershipExposure(id: $id, authority: $authority, asOf: $asOf, maxDepth: $maxDepth) { blocked } }`, tt.vars)
		if len(errs) != 1 {
			t.Errorf("%v: errors %v, want one", tt.vars, errs)
			continue
		}
		ext, _ := errs[0]["extensions"].(map[string]any)
		if ext["code"] != tt.code || !strings.Contains(errs[0]["message"].(string), tt.msg) {
			t.Errorf("%v: error %v, want code %s naming %s", tt.vars, errs[0], tt.code, tt.msg)
		}
	}
}
