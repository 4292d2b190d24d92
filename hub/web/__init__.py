"""The campus console: the web UI of stewards, reviewers, researchers and compliance.

A JupyterHub-managed service at /services/console/ (tornado, server-rendered Jinja2 pages,
one CSS file, no JavaScript). Users log in through the hub (OAuth, `HubOAuthenticated`);
what a page shows depends on the user's campus roles, and every action is authorised by
OPA (`campus.admin`) through the catalog and egress domain layers, never decided here.

Files made by researchers are shown to reviewers without anything in them able to run in
the reviewer's browser: tables and notebooks are rendered as escaped text, HTML outputs are
sanitised, and every page carries a strict Content-Security-Policy (`script-src 'none'`).
"""
