"""Kubernetes deployment of the campus: workspace pod builder, KubeSpawner, hub configuration."""
