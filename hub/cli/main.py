"""The `campus` command line, grouped by who uses it.

    campus dataset ...   stewards: register, list, show datasets
    campus project ...   stewards: projects, members, grants
    campus user ...      operators: campus accounts and roles
    campus egress ...    researchers and reviewers: export requests
    campus audit ...     compliance: verify and export the audit log
    campus policy ...    stewards: test and check the Rego policies
    campus up            operators: start the campus (OPA, services, JupyterHub)
    campus demo          operators: demo data, users and a running campus
"""

from __future__ import annotations

import typer

from hub.cli import audit, dataset, demo, egress, policy, project, up, user

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False)
app.add_typer(dataset.app, name="dataset")
app.add_typer(project.app, name="project")
app.add_typer(user.app, name="user")
app.add_typer(egress.app, name="egress")
app.add_typer(audit.app, name="audit")
app.add_typer(policy.app, name="policy")
app.command("up")(up.up)
app.command("demo")(demo.demo)
