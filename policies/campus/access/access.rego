# METADATA
# title: Dataset access
# description: |
#   Which datasets a user may have mounted in a workspace right now: the datasets
#   granted to the workspace's project (input.project), or, when the question names
#   no project, to any project the user is a member of, where the grant has not
#   expired and the dataset's tier is no higher than the project's max_tier.
#   A workspace works for one project at a time, so that datasets granted to
#   different projects are never joined in one place; naming a project the user is
#   not a member of allows nothing.
#   The catalog comes from data.campus.catalog (pushed by hub.policy.sync); the
#   current time from input.now (RFC 3339) so that callers and tests pin it.
#   Tier ranks are data (data.campus.access.tier_rank), not literals.
package campus.access

# METADATA
# title: Access decision for input.user (in input.project, if given) at input.now
# description: |
#   allowed: sorted names of the datasets the user may have mounted now.
#   refused: dataset -> reason, for datasets granted to one of the user's projects
#   that the user may not have mounted (expired grant, tier too high, ...).
#   projects: every project the user is a member of (the workspace's choices).
#   registered: every registered dataset, so a workspace can tell "not granted to
#   this project" from "no such dataset" (names only, as in the steward's catalog).
# entrypoint: true
decision := {
	"allowed": sort(allowed),
	"refused": refused,
	"projects": sort(member_projects),
	"registered": sort(object.keys(object.get(data.campus.catalog, "datasets", {}))),
}

# METADATA
# title: Datasets the user may have mounted now
allowed contains ds if {
	some [project, ds] in usable
	project in user_projects
}

# METADATA
# title: Datasets granted to the user's projects but refused, with every reason
refused[ds] := reason if {
	some project in user_projects
	some ds, _ in data.campus.catalog.projects[project].grants
	not ds in allowed
	reasons := {msg |
		some [p, ds2, msg] in grant_problem
		ds2 == ds
		p in user_projects
	}
	reason := explain(reasons)
}

explain(reasons) := concat("; ", sort(reasons)) if {
	count(reasons) > 0
} else := "the grant cannot be used now"

# METADATA
# title: Projects input.user is a member of
member_projects contains name if {
	some name, project in data.campus.catalog.projects
	input.user in project.members
}

# METADATA
# title: Projects whose grants the workspace may use
# description: The one named by input.project (if the user is a member), else all of theirs.
user_projects contains name if {
	not input.project
	some name in member_projects
}

user_projects contains input.project if input.project in member_projects

# METADATA
# title: Projects whose grants the question is about
# description: |
#   The user's projects (an access question) or the export request's project (an
#   egress question). Evaluating grants of these projects only, not of the whole
#   catalog, keeps a decision within a few milliseconds on a large campus.
scope contains project if some project in user_projects

scope contains project if {
	project := input.request.project
	data.campus.catalog.projects[project]
}

# METADATA
# title: Project/dataset pairs (of projects in scope) whose grant is usable now
# description: |
#   The same question for the user's projects and for an export request's
#   project, so that egress asks what access asks: may members use this now?
usable contains [project, ds] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, grant in p.grants

	# Positive evidence first: a negated check alone would let malformed data
	# through, because `not f(x)` fails rather than succeeds when x is missing.
	rank := data.campus.access.tier_rank[data.campus.catalog.datasets[ds].tier]
	rank <= data.campus.access.tier_rank[p.max_tier]
	in_force(grant)
	not has_problem(project, ds)
}

in_force(grant) if {
	now_ns
	object.get(grant, "expires_at", null) == null
}

in_force(grant) if now_ns < time.parse_rfc3339_ns(grant.expires_at)

has_problem(project, ds) if grant_problem[[project, ds, _]]

# METADATA
# title: Why a grant cannot be used now ([project, dataset, reason] triples)
grant_problem contains [project, ds, "the request carries no valid current time (input.now)"] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, _ in p.grants
	not now_ns
}

grant_problem contains [project, ds, sprintf("dataset %s is not registered", [ds])] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, _ in p.grants
	not data.campus.catalog.datasets[ds]
}

grant_problem contains [project, ds, msg] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, grant in p.grants
	expires_at := object.get(grant, "expires_at", null)
	expires_at != null
	not time.parse_rfc3339_ns(expires_at)
	msg := sprintf("grant to project %s has an invalid expiry %v", [project, expires_at])
}

grant_problem contains [project, ds, msg] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, grant in p.grants
	expires_ns := time.parse_rfc3339_ns(grant.expires_at)
	now_ns >= expires_ns
	msg := sprintf("grant to project %s expired at %s", [project, grant.expires_at])
}

grant_problem contains [project, ds, msg] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, _ in p.grants
	tier := data.campus.catalog.datasets[ds].tier
	not data.campus.access.tier_rank[tier]
	msg := sprintf("dataset tier %v is unknown", [tier])
}

grant_problem contains [project, ds, msg] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, _ in p.grants
	data.campus.catalog.datasets[ds]
	not data.campus.access.tier_rank[p.max_tier]
	msg := sprintf("project %s has an unknown max_tier %v", [project, p.max_tier])
}

grant_problem contains [project, ds, msg] if {
	some project in scope
	p := data.campus.catalog.projects[project]
	some ds, _ in p.grants
	tier := data.campus.catalog.datasets[ds].tier
	data.campus.access.tier_rank[tier] > data.campus.access.tier_rank[p.max_tier]
	msg := sprintf("dataset tier %s is above project %s max_tier %s", [tier, project, p.max_tier])
}

now_ns := time.parse_rfc3339_ns(input.now)
