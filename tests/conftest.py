"""Test-suite wiring: fixture modules live in tests/fixtures/, one per service."""

pytest_plugins = [
    "tests.fixtures.campus",
    "tests.fixtures.opa",
    "tests.fixtures.hub",
    "tests.fixtures.egress",
    "tests.fixtures.web",
]
