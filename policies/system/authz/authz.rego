# METADATA
# title: Who may use the policy server's own REST API
# description: |
#   OPA runs with --authentication=token --authorization=basic: it hands every
#   request to data.system.authz.allow, with the bearer token as input.identity,
#   the method and the path split on "/" (input.path), and answers 401 unless
#   allow is true. Without this policy loaded, OPA refuses everything.
#
#   Two credentials, each a random string the campus generates (or a Kubernetes
#   Secret holds), handed to OPA in its environment:
#   - CAMPUS_OPA_TOKEN, the decision token: may ask the campus's questions
#     (POST on the rules listed in data.system.authz.questions) and nothing else;
#   - CAMPUS_OPA_CATALOG_TOKEN, the catalog token: may also replace and read the
#     catalog at /v1/data/campus/catalog.
#   Nobody may change policies or other data, list data, run ad-hoc queries, or
#   read OPA's configuration or status through the API. GET /health needs no
#   token, so that readiness probes can call it: it tells only that OPA is up.
package system.authz

# METADATA
# title: Is this request to OPA's API allowed?
# entrypoint: true
default allow := false

allow if {
	input.method == "GET"
	input.path == ["health"]
}

allow if {
	presents(decision_token)
	is_question
}

allow if {
	presents(catalog_token)
	is_question
}

allow if {
	presents(catalog_token)
	input.method in data.system.authz.catalog_methods
	array.slice(input.path, 0, 4) == ["v1", "data", "campus", "catalog"]
}

# A question: POST /v1/data/<package path>/<rule> for one of the listed rules.
is_question if {
	input.method == "POST"
	array.slice(input.path, 0, 2) == ["v1", "data"]
	concat("/", array.slice(input.path, 2, count(input.path))) in data.system.authz.questions
}

# The request carries `token`, and the token is long enough to be a real secret
# (a token left empty or set to a placeholder by mistake opens nothing).
presents(token) if {
	is_string(input.identity)
	count(token) >= data.system.authz.min_token_length
	input.identity == token
}

decision_token := opa.runtime().env.CAMPUS_OPA_TOKEN

catalog_token := opa.runtime().env.CAMPUS_OPA_CATALOG_TOKEN
