# METADATA
# title: Administration and review
# description: |
#   Who may change the catalog and who may decide on an export request.
#   Stewards register and update datasets, create projects, add and remove
#   members, grant and revoke; reviewers approve and reject exports; nobody reviews their own
#   request and nobody counts twice; a request touching a two_person_review
#   dataset needs two distinct approving reviewers before release.
#   Roles come from data.campus.catalog.users[actor].roles; which role may do
#   what is data (data.campus.admin.action_roles).
package campus.admin

# METADATA
# title: May input.actor perform input.action?
# description: |
#   Allowed only on positive evidence (the actor holds a role the action needs,
#   and a review passes the review rules) and with no reason to deny. Negated
#   checks alone are not enough in Rego: `not f(input.x)` fails, rather than
#   succeeds, when input.x is missing, so a deny list can miss malformed input.
# entrypoint: true
default allow := false

allow if {
	has_role
	review_rules_pass
	count(deny) == 0
}

# METADATA
# title: The decision with its reasons (empty when allowed)
# entrypoint: true
decision := {"allow": allow, "reasons": reasons}

reasons := sort(deny) if {
	count(deny) > 0
} else := [] if {
	allow
} else := ["refused: no rule allows this request"]

has_role if {
	some role in data.campus.catalog.users[input.actor].roles
	role in data.campus.admin.action_roles[input.action]
}

review_rules_pass if not is_review

review_rules_pass if {
	is_review
	is_string(input.request.user)
	input.request.user != input.actor
	every review in object.get(input.request, "reviews", []) {
		review.reviewer != input.actor
	}
}

is_review if input.action in data.campus.admin.review_actions

action_known if data.campus.admin.action_roles[input.action]

actor_known if data.campus.catalog.users[input.actor]

request_ok if is_object(input.request)

requester_named if is_string(input.request.user)

needed := {r | some r in data.campus.admin.action_roles[input.action]}

# METADATA
# title: Reasons to refuse the action
deny contains msg if {
	not action_known
	msg := sprintf("unknown action %v", [object.get(input, "action", null)])
}

deny contains msg if {
	not actor_known
	msg := sprintf("unknown user %v", [object.get(input, "actor", null)])
}

deny contains msg if {
	actor_known
	action_known
	not has_role
	msg := sprintf("%s may not %s: it needs the role %s", [input.actor, input.action, concat(" or ", sort(needed))])
}

deny contains "review: the export request is missing or malformed" if {
	is_review
	not request_ok
}

deny contains "review: the export request names no requesting user" if {
	is_review
	request_ok
	not requester_named
}

deny contains msg if {
	is_review
	input.request.user == input.actor
	msg := sprintf("review: %s may not review their own export request %v", [input.actor, object.get(input.request, "id", null)])
}

deny contains msg if {
	is_review
	some review in input.request.reviews
	review.reviewer == input.actor
	msg := sprintf("review: %s has already reviewed export request %v", [input.actor, object.get(input.request, "id", null)])
}

# A grant may not give a project a dataset above its tier: the access policy would refuse
# to mount it anyway, but a steward should learn that when granting, not at spawn time.
deny contains msg if {
	input.action == "project.grant"
	data.campus.access.tier_rank[input.dataset.tier] > data.campus.access.tier_rank[input.project.max_tier]
	msg := sprintf("project.grant: dataset %v is %v, above the max tier %v of project %v", [input.dataset.name, input.dataset.tier, input.project.max_tier, input.project.name])
}

deny contains "project.grant: the tiers of the dataset and of the project are needed" if {
	input.action == "project.grant"
	not grant_tiers_known
}

grant_tiers_known if {
	data.campus.access.tier_rank[input.dataset.tier] >= 0
	data.campus.access.tier_rank[input.project.max_tier] >= 0
}

# METADATA
# title: Has the export request enough distinct approvals to be released?
# description: |
#   Approvals count once per reviewer, only from users who hold the reviewer role
#   and did not make the request. Any rejection holds the release.
# entrypoint: true
release_ready := {
	"ready": ready,
	"approvals": count(approvers),
	"required": required,
	"reasons": sort(release_reasons),
}

default ready := false

ready if {
	request_ok
	count(approvers) >= required
	count(rejecters) == 0
	count(release_reasons) == 0
}

approvers contains review.reviewer if {
	some review in input.request.reviews
	review.verdict == data.campus.admin.approve_verdict
	review.reviewer != input.request.user
	data.campus.admin.reviewer_role in data.campus.catalog.users[review.reviewer].roles
}

rejecters contains review.reviewer if {
	some review in input.request.reviews
	review.verdict == data.campus.admin.reject_verdict
}

# A dataset the catalog does not know counts as two-person: fail closed.
two_person contains ds if {
	some ds in input.request.datasets
	object.get(data.campus.catalog.datasets, [ds, "two_person_review"], true) != false
}

# A request whose sources are unknown (no dataset named by its provenance) could derive
# from any dataset, so it gets the strictest treatment: fail closed.
sources_unknown if {
	request_ok
	count(object.get(input.request, "datasets", [])) == 0
}

required := data.campus.admin.approvals_required.two_person_review if {
	count(two_person) > 0
} else := data.campus.admin.approvals_required.two_person_review if {
	sources_unknown
} else := data.campus.admin.approvals_required.default

release_reasons contains msg if {
	count(approvers) < required
	msg := sprintf("approvals: %d of %d distinct reviewers", [count(approvers), required])
}

release_reasons contains msg if {
	some r in rejecters
	msg := sprintf("rejected by %v", [r])
}

release_reasons contains "request: the export request is missing or malformed" if {
	not request_ok
}
