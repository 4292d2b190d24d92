"""Kubernetes-only override of the workspace server configuration (highest-priority config dir).

The campus configuration (/etc/campus/jupyter, written at build time by
hub.singleuser.files.write_config) makes the server listen on the sandbox's Unix socket.
In a pod there is no sandbox: the server listens on the pod's port, which the
NetworkPolicy opens to the proxy and the hub only.
"""

c.ServerApp.sock = ""  # noqa: F821 - `c` is the config object Jupyter provides
