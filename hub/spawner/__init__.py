"""The local sandbox spawner: each workspace is a bubblewrap sandbox on this machine.

sandbox.py builds the bwrap command line, limits.py the cgroups and rlimits, bridge.py the
loopback bridge the proxy uses, workspace_files.py the host-side folders, spawner.py the
JupyterHub Spawner that ties them together. docs/sandbox.md says what it guarantees.
"""
