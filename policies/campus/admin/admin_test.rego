# METADATA
# title: Tests of campus.admin
package campus.admin_test

import data.campus.admin

catalog := {
	"datasets": {
		"card_spending": {"tier": "restricted", "two_person_review": true},
		"bike_trips": {"tier": "internal", "two_person_review": false},
	},
	"projects": {},
	"users": {
		"alice": {"roles": ["researcher"]},
		"sam": {"roles": ["steward"]},
		"rita": {"roles": ["reviewer"]},
		"ray": {"roles": ["reviewer"]},
		"rex": {"roles": ["reviewer", "researcher"]},
	},
}

decide(request_input) := d if {
	d := admin.decision with data.campus.catalog as catalog with input as request_input
}

steward_actions := ["dataset.register", "dataset.update", "project.create", "project.add_member", "project.remove_member", "project.grant", "project.revoke"]

grant_context := {"project": {"name": "p", "max_tier": "restricted"}, "dataset": {"name": "card_spending", "tier": "restricted"}}

test_steward_actions_need_a_steward if {
	every action in steward_actions {
		decide(object.union(grant_context, {"action": action, "actor": "sam"})).allow
		not decide(object.union(grant_context, {"action": action, "actor": "alice"})).allow
		not decide(object.union(grant_context, {"action": action, "actor": "rita"})).allow
	}
}

test_grant_above_the_project_tier_refused if {
	low := {"action": "project.grant", "actor": "sam", "project": {"name": "p", "max_tier": "internal"}, "dataset": {"name": "card_spending", "tier": "restricted"}}
	decide(low).reasons == ["project.grant: dataset card_spending is restricted, above the max tier internal of project p"]
	decide(object.union(low, {"dataset": {"name": "air", "tier": "public"}})).allow
	decide({"action": "project.grant", "actor": "sam"}).reasons == ["project.grant: the tiers of the dataset and of the project are needed"]
}

test_only_stewards_remove_members if {
	removal := {"action": "project.remove_member", "project": {"name": "p"}, "user": "alice"}
	decide(object.union(removal, {"actor": "sam"})) == {"allow": true, "reasons": []}
	decide(object.union(removal, {"actor": "alice"})).reasons == ["alice may not project.remove_member: it needs the role steward"]
	decide(object.union(removal, {"actor": "rita"})).reasons == ["rita may not project.remove_member: it needs the role steward"]
	decide(object.union(removal, {"actor": "rex"})).reasons == ["rex may not project.remove_member: it needs the role steward"]
	decide(object.union(removal, {"actor": "eve"})).reasons == ["unknown user eve"]
}

test_refusal_names_the_role if {
	decide(object.union(grant_context, {"action": "project.grant", "actor": "alice"})).reasons == ["alice may not project.grant: it needs the role steward"]
}

test_policy_view_for_stewards_and_reviewers if {
	decide({"action": "policy.view", "actor": "sam"}).allow
	decide({"action": "policy.view", "actor": "rita"}).allow
	decide({"action": "policy.view", "actor": "alice"}).reasons == ["alice may not policy.view: it needs the role reviewer or steward"]
}

test_unknown_action_and_user_refused if {
	decide({"action": "dataset.delete", "actor": "sam"}).reasons == ["unknown action dataset.delete"]
	decide({"action": "policy.view", "actor": "eve"}).reasons == ["unknown user eve"]
	not admin.allow with data.campus.catalog as catalog with input as {}
}

request := {"id": "r1", "user": "alice", "project": "p", "datasets": ["bike_trips"], "reviews": []}

review(action, actor, req) := decide({"action": action, "actor": actor, "request": req})

test_reviewer_approves_and_rejects if {
	review("export.approve", "rita", request).allow
	review("export.reject", "rita", request).allow
	not review("export.approve", "sam", request).allow
}

test_nobody_reviews_their_own_request if {
	own := object.union(request, {"user": "rex"})
	review("export.approve", "rex", own).reasons == ["review: rex may not review their own export request r1"]
	not review("export.reject", "rex", own).allow
}

test_same_reviewer_cannot_review_twice if {
	again := object.union(request, {"reviews": [{"reviewer": "rita", "verdict": "approve"}]})
	review("export.approve", "rita", again).reasons == ["review: rita has already reviewed export request r1"]
	review("export.approve", "ray", again).allow
}

test_review_needs_a_request if {
	review("export.approve", "rita", "r1").reasons == ["review: the export request is missing or malformed"]
	decide({"action": "export.approve", "actor": "rita"}).reasons == ["review: the export request is missing or malformed"]
	review("export.approve", "rita", {"id": "r1"}).reasons == ["review: the export request names no requesting user"]
}

ready(req) := r if {
	r := admin.release_ready with data.campus.catalog as catalog with input as {"request": req}
}

with_reviews(datasets, reviews) := object.union(request, {"datasets": datasets, "reviews": reviews})

approve(who) := {"reviewer": who, "verdict": "approve"}

test_one_approval_releases_an_ordinary_request if {
	ready(with_reviews(["bike_trips"], [approve("rita")])) == {"ready": true, "approvals": 1, "required": 1, "reasons": []}
	not ready(with_reviews(["bike_trips"], [])).ready
}

test_two_person_dataset_needs_two_distinct_reviewers if {
	r := ready(with_reviews(["bike_trips", "card_spending"], [approve("rita")]))
	r == {"ready": false, "approvals": 1, "required": 2, "reasons": ["approvals: 1 of 2 distinct reviewers"]}
	not ready(with_reviews(["card_spending"], [approve("rita"), approve("rita")])).ready
	ready(with_reviews(["card_spending"], [approve("rita"), approve("ray")])).ready
}

test_approvals_from_non_reviewers_and_the_requester_do_not_count if {
	own := object.union(with_reviews(["card_spending"], [approve("rex"), approve("sam"), approve("rita")]), {"user": "rex"})
	ready(own).approvals == 1
}

test_unknown_dataset_needs_two_reviewers if {
	ready(with_reviews(["mystery"], [approve("rita")])).required == 2
}

test_request_with_unknown_sources_needs_two_reviewers if {
	not ready(with_reviews([], [approve("rita")])).ready
	ready(with_reviews([], [approve("rita")])).required == 2
	ready(with_reviews([], [approve("rita"), approve("ray")])).ready
	ready(object.remove(with_reviews([], [approve("rita")]), ["datasets"])).required == 2
}

test_a_rejection_holds_the_release if {
	r := ready(with_reviews(["bike_trips"], [approve("rita"), {"reviewer": "ray", "verdict": "reject"}]))
	r.reasons == ["rejected by ray"]
	not r.ready
}

test_missing_request_not_ready if {
	r := admin.release_ready with data.campus.catalog as catalog with input as {}
	not r.ready
	"request: the export request is missing or malformed" in r.reasons
}

test_review_entry_without_reviewer_refuses if {
	odd := object.union(request, {"reviews": [{"verdict": "approve"}]})
	review("export.approve", "rita", odd) == {"allow": false, "reasons": ["refused: no rule allows this request"]}
}
