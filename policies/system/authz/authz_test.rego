# METADATA
# title: Tests of system.authz
package system.authz_test

import data.system.authz

decision := "d-0123456789abcdef0123456789abcdef"

catalog := "c-0123456789abcdef0123456789abcdef"

runtime := {"env": {"CAMPUS_OPA_TOKEN": decision, "CAMPUS_OPA_CATALOG_TOKEN": catalog}}

allowed(method, path, identity) if {
	authz.allow with input as {"method": method, "path": split(trim_prefix(path, "/"), "/"), "identity": identity}
		with opa.runtime as runtime
}

anonymous(method, path) if {
	authz.allow with input as {"method": method, "path": split(trim_prefix(path, "/"), "/")}
		with opa.runtime as runtime
}

test_health_is_open_to_probes if {
	anonymous("GET", "/health")
	not anonymous("POST", "/health")
}

test_nothing_else_without_a_token if {
	not anonymous("POST", "/v1/data/campus/access/decision")
	not anonymous("PUT", "/v1/data/campus/catalog")
	not anonymous("GET", "/v1/data")
	not anonymous("GET", "/v1/data/campus/catalog")
}

test_every_question_with_either_token if {
	every question in data.system.authz.questions {
		allowed("POST", concat("/", ["/v1/data", question]), decision)
		allowed("POST", concat("/", ["/v1/data", question]), catalog)
	}
}

test_decision_token_only_asks if {
	not allowed("GET", "/v1/data/campus/access/decision", decision)
	not allowed("POST", "/v1/data/campus/access", decision)
	not allowed("POST", "/v1/data/campus/catalog", decision)
	not allowed("PUT", "/v1/data/campus/catalog", decision)
	not allowed("GET", "/v1/data/campus/catalog", decision)
	not allowed("GET", "/v1/data", decision)
	not allowed("POST", "/v1/query", decision)
	not allowed("PUT", "/v1/policies/evil", decision)
	not allowed("GET", "/v1/config", decision)
}

test_catalog_token_replaces_and_reads_the_catalog_only if {
	allowed("PUT", "/v1/data/campus/catalog", catalog)
	allowed("GET", "/v1/data/campus/catalog/users", catalog)
	not allowed("DELETE", "/v1/data/campus/catalog", catalog)
	not allowed("PATCH", "/v1/data/campus/catalog", catalog)
	not allowed("PUT", "/v1/data/campus/access/tier_rank", catalog)
	not allowed("PUT", "/v1/data/campus", catalog)
	not allowed("GET", "/v1/data", catalog)
	not allowed("PUT", "/v1/policies/evil", catalog)
	not allowed("DELETE", "/v1/policies/campus/access/access.rego", catalog)
	not allowed("POST", "/v1/query", catalog)
}

test_wrong_or_partial_tokens_refused if {
	not allowed("POST", "/v1/data/campus/access/decision", "wrong")
	not allowed("POST", "/v1/data/campus/access/decision", substring(decision, 0, 20))
	not allowed("POST", "/v1/data/campus/access/decision", concat("", [decision, "x"]))
	not allowed("POST", "/v1/data/campus/access/decision", 42)
}

test_short_or_missing_server_tokens_open_nothing if {
	not authz.allow with input as {"method": "POST", "path": ["v1", "data", "campus", "access", "decision"], "identity": "short"}
		with opa.runtime as {"env": {"CAMPUS_OPA_TOKEN": "short"}}
	not authz.allow with input as {"method": "PUT", "path": ["v1", "data", "campus", "catalog"], "identity": ""}
		with opa.runtime as {"env": {"CAMPUS_OPA_CATALOG_TOKEN": ""}}
	not authz.allow with input as {"method": "PUT", "path": ["v1", "data", "campus", "catalog"], "identity": catalog}
		with opa.runtime as {"env": {}}
}
