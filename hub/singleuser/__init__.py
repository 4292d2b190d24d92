"""The hardened single-user server of a workspace: configuration, authorizer, locked lab settings.

`files.write_config()` writes one workspace's root-owned configuration folder (bound
read-only into the sandbox at /etc/campus/jupyter); `server_config.apply()` is what its
jupyter_server_config.py runs; `csp` is the Content-Security-Policy of every answer (the
browser talks only to the campus); `authorizer.CampusAuthorizer` refuses download routes;
`dashboard_proxy` is the server extension that proxies the Dask dashboard, and only it
(`dashboard_routes` says which requests pass, `dashboard_filter` which answers).
"""
