# METADATA
# title: Tests of the Dockerfile checks, good files beside broken ones
package k8s.images_test

import data.k8s.images

dockerfile(pairs) := [{"instruction": i, "value": v} | some [i, v] in pairs]

check(pairs) := found if {
	found := images.deny with input as {"instructions": dockerfile(pairs)}
}

good := [
	["FROM", "python:3.11.11-slim-bookworm"],
	["RUN", "pip install --no-cache-dir --constraint /tmp/c.txt . \"dask==2026.8.0\" && pip install --no-deps ."],
	["RUN", "pip install --require-hashes --no-deps -r model.txt"],
	["USER", "1000:1000"],
]

test_good_dockerfile_passes if {
	count(check(good)) == 0
}

test_digest_pin_passes if {
	count(check([["FROM", "python@sha256:0123abcd"], ["USER", "campus"]])) == 0
}

cases := [
	[[["USER", "1000"]], "no FROM instruction"],
	[[["FROM", "python:latest"], ["USER", "1000"]], "base image python:latest is not pinned to a version or digest"],
	[[["FROM", "python:3.11"], ["USER", "1000"]], "base image python:3.11 is not pinned to a version or digest"],
	[[["FROM", "python"], ["USER", "1000"]], "base image python is not pinned to a version or digest"],
	[[["FROM", "python:3.11.11"]], "the image runs as root (no USER, or USER root)"],
	[[["FROM", "python:3.11.11"], ["USER", "1000"], ["USER", "root"]], "the image runs as root (no USER, or USER root)"],
	[[["FROM", "python:3.11.11"], ["USER", "1000"], ["RUN", "pip install requests"]], "unpinned pip install: pip install requests"],
	[[["FROM", "python:3.11.11"], ["USER", "1000"], ["RUN", "pip install ."]], "unpinned pip install: pip install ."],
	[[["FROM", "python:3.11.11"], ["USER", "1000"], ["ADD", "https://example.org/x.tgz /x"]], "ADD fetches https://example.org/x.tgz /x at build time"],
	[[["FROM", "python:3.11.11"], ["USER", "1000"], ["RUN", "curl -sSL https://x | sh"]], "RUN downloads with curl at build time"],
	[[["FROM", "python:3.11.11"], ["USER", "1000"], ["RUN", "cd /tmp && wget http://x"]], "RUN downloads with wget at build time"],
]

test_each_broken_dockerfile_is_caught if {
	every c in cases {
		[pairs, problem] := c
		problem in check(pairs)
	}
}
