"""dask-gateway-server's configuration file in the hub image (API server and controller).

Holds no settings itself: they are in hub/kube/gateway_config.py, driven by the values
file the chart mounts (CAMPUS_GATEWAY_VALUES).
"""

import os

import yaml

from hub.kube.gateway_config import apply

with open(os.environ.get("CAMPUS_GATEWAY_VALUES", "/etc/campus/values.yaml"), encoding="utf-8") as f:
    apply(c, yaml.safe_load(f), os.environ)  # noqa: F821 - `c` is dask-gateway's config object
