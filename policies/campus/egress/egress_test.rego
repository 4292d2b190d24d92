# METADATA
# title: Tests of campus.egress
package campus.egress_test

import data.campus.egress

catalog := {
	"datasets": {
		"card_spending": {
			"tier": "restricted",
			"disclosure": {
				"min_cell_count": 10, "dominance_n": 2, "dominance_k": 0.9,
				"p_ratio": 0.1, "zeros_disclosive": false, "max_row_fraction": 0.5,
			},
		},
		"bike_trips": {
			"tier": "internal",
			"disclosure": {
				"min_cell_count": 25, "dominance_n": 3, "dominance_k": 0.8,
				"p_ratio": 0.05, "zeros_disclosive": true, "max_row_fraction": 0.2,
			},
		},
		"air_quality": {"tier": "public", "disclosure": {"min_cell_count": 3}},
	},
	"projects": {"mobility": {
		"max_tier": "restricted",
		"members": ["alice"],
		"grants": {
			"card_spending": {"expires_at": "2027-01-01T00:00:00Z"},
			"bike_trips": {"expires_at": "2027-01-01T00:00:00Z"},
			"air_quality": {"expires_at": "2026-01-01T00:00:00Z"},
		},
	}},
	"users": {"alice": {"roles": ["researcher"]}},
}

thresholds_for(datasets) := t if {
	t := egress.thresholds with data.campus.catalog as catalog with input as {"datasets": datasets}
}

test_strictest_threshold_wins if {
	thresholds_for(["card_spending", "bike_trips"]) == {
		"min_cell_count": 25, "dominance_n": 3, "dominance_k": 0.8,
		"p_ratio": 0.1, "zeros_disclosive": true, "max_row_fraction": 0.2,
	}
}

test_missing_settings_take_acro_defaults if {
	thresholds_for(["air_quality"]) == {
		"min_cell_count": 3, "dominance_n": 2, "dominance_k": 0.9,
		"p_ratio": 0.1, "zeros_disclosive": false, "max_row_fraction": 0.5,
	}
}

test_no_dataset_gives_acro_defaults if {
	thresholds_for([]) == data.campus.egress.acro_defaults
}

test_unknown_dataset_counts_as_defaults if {
	thresholds_for(["air_quality", "nope"]).min_cell_count == 10
}

request := {
	"id": "r1", "user": "alice", "project": "mobility",
	"datasets": ["card_spending"], "files": [{"name": "by_gu.csv", "kind": "csv"}],
	"provenance_complete": true,
}

decide(req, findings) := d if {
	d := egress.decision with data.campus.catalog as catalog
		with input as {"request": req, "findings": findings, "now": "2026-06-01T00:00:00Z"}
}

info := {"check": "pii", "severity": "info", "message": "nothing found"}

small := {"check": "small_cells", "severity": "review", "message": "2 cells below 10"}

rrn := {"check": "pii", "severity": "deny", "message": "KR_RRN in by_gu.csv row 3"}

test_clean_request_approved if {
	decide(request, [info]).decision == "approve"
}

test_review_finding_goes_to_review if {
	decide(request, [info, small]) == {"decision": "review", "reasons": ["small_cells: 2 cells below 10"]}
}

test_deny_finding_denies_and_keeps_review_reasons if {
	decide(request, [small, rrn]) == {"decision": "deny", "reasons": [
		"pii: KR_RRN in by_gu.csv row 3",
		"small_cells: 2 cells below 10",
	]}
}

test_finding_without_names_still_denies if {
	decide(request, [{"severity": "deny"}]).reasons == ["unnamed check: no message"]
}

test_unknown_severity_goes_to_review if {
	decide(request, [{"check": "x", "severity": "shrug"}]).reasons == ["x: finding of unknown severity shrug"]
}

test_non_member_denied if {
	d := decide(object.union(request, {"user": "mallory"}), [])
	d.decision == "deny"
	d.reasons == ["membership: user mallory is not a member of project mobility"]
}

test_unknown_project_denied if {
	decide(object.union(request, {"project": "nope"}), []).reasons == ["membership: project nope is not registered"]
}

test_ungranted_dataset_denied if {
	decide(object.union(request, {"datasets": ["card_spending", "taxi"]}), []).reasons == [
		"grant: dataset taxi is not granted to project mobility",
	]
}

test_expired_grant_denied if {
	decide(object.union(request, {"datasets": ["air_quality"]}), []).reasons == [
		"grant: dataset air_quality: grant to project mobility expired at 2026-01-01T00:00:00Z",
	]
}

test_incomplete_provenance_goes_to_review if {
	decide(object.union(request, {"provenance_complete": false}), []).reasons == [
		"provenance: the queries behind the output are not fully known",
	]
}

test_table_without_sources_goes_to_review if {
	d := decide(object.union(request, {"datasets": []}), [])
	d.decision == "review"
	d.reasons == ["provenance: table by_gu.csv has no known source dataset to check it against"]
}

test_chart_without_sources_approved if {
	req := object.union(request, {"datasets": [], "files": [{"name": "plot.png", "kind": "image"}]})
	decide(req, []).decision == "approve"
}

test_missing_request_denied if {
	d := egress.decision with data.campus.catalog as catalog with input as {"findings": []}
	d.decision == "deny"
	"request: the export request is missing or malformed" in d.reasons
}

test_request_without_user_denied if {
	d := decide(object.remove(request, ["user"]), [])
	d == {"decision": "deny", "reasons": ["membership: user null is not a member of project mobility"]}
}

test_request_without_datasets_list_denied if {
	d := decide(object.union(request, {"datasets": "card_spending"}), [])
	d == {"decision": "deny", "reasons": ["request: the policy could not show that the request is safe"]}
}

test_request_without_provenance_flag_goes_to_review if {
	decide(object.remove(request, ["provenance_complete"]), []).decision == "review"
}
