# METADATA
# title: Egress decisions
# description: |
#   What may leave the campus. The egress guard sends an export request and the
#   findings of its checks; this policy answers approve, review or deny with
#   reasons that name the checks. It also tells the guard which disclosure
#   thresholds apply to a set of source datasets (the strictest of them).
#   Defaults and lists are data (data.campus.egress.*), not literals.
package campus.egress

# METADATA
# title: Strictest disclosure thresholds over input.datasets
# description: |
#   The largest min_cell_count, dominance_n and p_ratio, the smallest dominance_k
#   and max_row_fraction, zeros_disclosive if any dataset says so. A dataset
#   without a setting (or not registered) contributes the ACRO default, and
#   with no dataset at all the ACRO defaults apply.
# entrypoint: true
thresholds := data.campus.egress.acro_defaults if {
	count(requested) == 0
}

thresholds := {
	"min_cell_count": max({s.min_cell_count | some s in settings}),
	"dominance_n": max({s.dominance_n | some s in settings}),
	"dominance_k": min({s.dominance_k | some s in settings}),
	"p_ratio": max({s.p_ratio | some s in settings}),
	"zeros_disclosive": true in {s.zeros_disclosive | some s in settings},
	"max_row_fraction": min({s.max_row_fraction | some s in settings}),
} if {
	count(requested) > 0
}

requested := {ds | some ds in input.datasets}

settings := [s |
	some ds in requested
	own := object.get(data.campus.catalog.datasets, [ds, "disclosure"], {})
	s := object.union(data.campus.egress.acro_defaults, own)
]

# METADATA
# title: Decision on an export request
# description: |
#   deny when a check found something that must not leave, the requester is not a
#   member of the project, or a source dataset is not (or no longer) granted to it;
#   review when a check asks for a human, provenance is incomplete, or a table
#   leaves without known source datasets; approve otherwise.
# entrypoint: true
decision := {"decision": "deny", "reasons": array.concat(sort(deny), sort(review))} if {
	count(deny) > 0
} else := {"decision": "review", "reasons": sort(review)} if {
	count(review) > 0
} else := {"decision": "approve", "reasons": ["no check asked for review or denial"]} if {
	approvable
} else := {"decision": "deny", "reasons": ["request: the policy could not show that the request is safe"]}

# Approval needs positive evidence for every condition, not only the absence of a
# reason to deny: `not f(input.x)` fails rather than succeeds when input.x is
# missing, so a malformed request could otherwise slip past the deny rules.
approvable if {
	request_ok
	member
	is_array(req.datasets)
	every ds in req.datasets {
		[req.project, ds] in data.campus.access.usable
	}
	req.provenance_complete == true
	every f in input.findings {
		f.severity == "info"
	}
}

req := input.request

# Helper rules, because `not f(x)` is not true when x is undefined.
request_ok if is_object(input.request)

project_known if data.campus.catalog.projects[req.project]

member if req.user in data.campus.catalog.projects[req.project].members

# METADATA
# title: Reasons to deny
deny contains msg if {
	some f in input.findings
	f.severity == "deny"
	msg := finding_reason(f)
}

deny contains "request: the export request is missing or malformed" if {
	not request_ok
}

deny contains msg if {
	request_ok
	not project_known
	msg := sprintf("membership: project %v is not registered", [object.get(req, "project", null)])
}

deny contains msg if {
	project_known
	not member
	msg := sprintf("membership: user %v is not a member of project %s", [object.get(req, "user", null), req.project])
}

deny contains msg if {
	data.campus.catalog.projects[req.project]
	some ds in req.datasets
	not data.campus.catalog.projects[req.project].grants[ds]
	msg := sprintf("grant: dataset %v is not granted to project %s", [ds, req.project])
}

deny contains msg if {
	some ds in req.datasets
	some [project, ds2, problem] in data.campus.access.grant_problem
	project == req.project
	ds2 == ds
	msg := sprintf("grant: dataset %s: %s", [ds, problem])
}

# A finding without a check name or message still counts: fail closed.
finding_reason(f) := sprintf("%v: %v", [object.get(f, "check", "unnamed check"), object.get(f, "message", "no message")])

# METADATA
# title: Reasons to ask a reviewer
review contains msg if {
	some f in input.findings
	f.severity == "review"
	msg := finding_reason(f)
}

review contains msg if {
	some f in input.findings
	not f.severity in data.campus.egress.finding_severities
	msg := sprintf("%v: finding of unknown severity %v", [object.get(f, "check", "unknown check"), object.get(f, "severity", null)])
}

review contains "provenance: the queries behind the output are not fully known" if {
	request_ok
	not req.provenance_complete == true
}

review contains msg if {
	request_ok
	count(object.get(req, "datasets", [])) == 0
	some file in req.files
	file.kind in data.campus.egress.table_kinds
	msg := sprintf("provenance: table %v has no known source dataset to check it against", [file.name])
}
