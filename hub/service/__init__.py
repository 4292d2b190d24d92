"""The campus API: the export-request service (JupyterHub-managed, tornado).

Two listeners, two surfaces:
- a Unix socket at $CAMPUS_HOME/run/api/api.sock, whose folder is bound into every
  workspace at /run/campus/api (so /run/campus/api/api.sock): submit, list, show, withdraw — the only way out of a workspace;
- TCP on loopback behind the proxy at /services/campus/: the same, plus the reviewers'
  approve and reject and the download of released files (never over the socket, so a
  released file cannot be pulled back into a workspace).
Requests are authenticated with a JupyterHub API token (HubAuth asks the hub whose it is).
"""
