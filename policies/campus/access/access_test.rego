# METADATA
# title: Tests of campus.access
package campus.access_test

import data.campus.access

catalog := {
	"datasets": {
		"card_spending": {"tier": "restricted"},
		"bike_trips": {"tier": "internal"},
		"air_quality": {"tier": "public"},
		"odd": {"tier": "secret"},
	},
	"projects": {
		"mobility": {
			"max_tier": "internal",
			"members": ["alice", "bob"],
			"grants": {
				"bike_trips": {"expires_at": "2027-01-01T00:00:00Z"},
				"air_quality": {"expires_at": "2026-01-01T00:00:00Z"},
				"card_spending": {"expires_at": "2027-01-01T00:00:00Z"},
			},
		},
		"spending": {
			"max_tier": "restricted",
			"members": ["carol"],
			"grants": {
				"card_spending": {"expires_at": "2027-01-01T00:00:00Z"},
				"air_quality": {},
				"ghost": {"expires_at": "2027-01-01T00:00:00Z"},
				"odd": {"expires_at": "2027-01-01T00:00:00Z"},
			},
		},
		"broken": {
			"max_tier": "galactic",
			"members": ["dave"],
			"grants": {
				"bike_trips": {"expires_at": "next tuesday"},
			},
		},
	},
	"users": {},
}

now := "2026-06-01T00:00:00Z"

decision_for(user, at) := d if {
	d := access.decision with data.campus.catalog as catalog with input as {"user": user, "now": at}
}

test_member_gets_granted_dataset_within_tier if {
	decision_for("alice", now).allowed == ["bike_trips"]
}

test_expired_grant_refused if {
	d := decision_for("alice", now)
	d.refused.air_quality == "grant to project mobility expired at 2026-01-01T00:00:00Z"
}

test_grant_usable_until_expiry if {
	"air_quality" in decision_for("bob", "2025-12-31T23:59:59Z").allowed
	not "air_quality" in decision_for("bob", "2026-01-01T00:00:00Z").allowed
}

test_tier_above_project_refused if {
	d := decision_for("alice", now)
	d.refused.card_spending == "dataset tier restricted is above project mobility max_tier internal"
}

test_grant_without_expiry_and_higher_project_tier if {
	decision_for("carol", now).allowed == ["air_quality", "card_spending"]
}

test_unregistered_and_unknown_tier_refused if {
	d := decision_for("carol", now)
	d.refused.ghost == "dataset ghost is not registered"
	d.refused.odd == "dataset tier secret is unknown"
}

test_malformed_project_and_expiry_refused if {
	d := decision_for("dave", now)
	d.allowed == []
	d.refused.bike_trips == "grant to project broken has an invalid expiry next tuesday; project broken has an unknown max_tier galactic"
}

test_non_member_gets_nothing if {
	d := decision_for("mallory", now)
	d.allowed == []
	d.refused == {}
	d.projects == []
}

test_missing_time_refuses_everything if {
	d := access.decision with data.campus.catalog as catalog with input as {"user": "alice"}
	d.allowed == []
	d.refused.bike_trips == "the request carries no valid current time (input.now)"
}

test_invalid_time_refuses_everything if {
	decision_for("carol", "yesterday").allowed == []
}

test_any_project_may_grant if {
	two := json.patch(catalog, [{"op": "add", "path": "/projects/spending/members/-", "value": "alice"}])
	d := access.decision with data.campus.catalog as two with input as {"user": "alice", "now": now}
	d.allowed == ["air_quality", "bike_trips", "card_spending"]
	object.keys(d.refused) == {"ghost", "odd"}
}

test_unreadable_grant_refused_with_a_reason if {
	odd := json.patch(catalog, [{"op": "replace", "path": "/projects/mobility/grants/bike_trips", "value": {"expires_at": 5}}])
	d := access.decision with data.campus.catalog as odd with input as {"user": "alice", "now": now}
	d.allowed == []
	is_string(d.refused.bike_trips)
}

decision_in(user, project) := d if {
	d := access.decision with data.campus.catalog as catalog with input as {"user": user, "now": now, "project": project}
}

test_projects_lists_every_membership if {
	d := access.decision with data.campus.catalog as catalog with input as {"user": "alice", "now": now}
	d.projects == ["mobility"]
}

test_registered_lists_every_dataset_granted_or_not if {
	decision_for("dave", now).registered == ["air_quality", "bike_trips", "card_spending", "odd"]
}

test_named_project_limits_grants_to_that_project if {
	extended := json.patch(catalog, [{"op": "add", "path": "/projects/spending/members/-", "value": "alice"}])
	both := access.decision with data.campus.catalog as extended with input as {"user": "alice", "now": now}
	both.allowed == ["air_quality", "bike_trips", "card_spending"]
	both.projects == ["mobility", "spending"]
	only := access.decision with data.campus.catalog as extended with input as {"user": "alice", "now": now, "project": "mobility"}
	only.allowed == ["bike_trips"]
}

test_project_the_user_is_not_in_allows_nothing if {
	d := decision_in("alice", "spending")
	d.allowed == []
	d.refused == {}
	d.projects == ["mobility"]
}

test_unknown_project_allows_nothing if {
	decision_in("carol", "nowhere").allowed == []
}
