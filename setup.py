"""Package discovery that pyproject.toml alone cannot express.

Two packages live outside a folder of their own name, because the project layout is fixed:
`campus` (the client researchers import inside a workspace) is hub/client, and `demo_data`
(the demo dataset generator) is datasets/demo_data. datasets/ itself must not become an
importable package: it would shadow the well-known `datasets` library.
"""

from setuptools import find_packages, setup

MAPPED = {"campus": "hub/client", "demo_data": "datasets/demo_data"}

packages = find_packages(include=["hub", "hub.*", "egress_guard", "egress_guard.*"], exclude=["hub.client", "hub.client.*"])
for name, folder in MAPPED.items():
    packages.append(name)
    packages.extend(f"{name}.{sub}" for sub in find_packages(folder))

setup(packages=packages, package_dir=MAPPED)
