"""The hub image's jupyterhub_config.py: read the chart's values and apply them.

Copied into the hub image at /usr/local/etc/jupyterhub/. It holds no settings itself:
they are in hub/kube/hub_config.py, driven by the values file the chart mounts
(CAMPUS_HUB_VALUES). An unreadable or incomplete values file stops the hub at start.
"""

import os

import yaml

from hub.kube.hub_config import apply

with open(os.environ.get("CAMPUS_HUB_VALUES", "/usr/local/etc/campus/values.yaml"), encoding="utf-8") as f:
    apply(c, yaml.safe_load(f), os.environ)  # noqa: F821 - `c` is JupyterHub's config object
