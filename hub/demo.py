"""The demo campus: synthetic Seoul datasets, demo users, two projects with grants.

Idempotent: running it again on a seeded campus changes nothing. Used by `campus demo`
(`make demo`) and by tests that need a populated campus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_data.__main__ import write_dataset
from demo_data.generate import GENERATORS
from hub.catalog.service import open_catalog
from hub.settings import CampusSettings

DEMO_PASSWORD = "campus-demo"  # printed by `campus demo`; a demo campus is not a production one


@dataclass(frozen=True)
class DemoUser:
    name: str
    roles: tuple[str, ...]
    display_name: str


DEMO_USERS = (
    DemoUser("alice", ("researcher",), "Alice Kim (researcher)"),
    DemoUser("bob", ("researcher",), "Bob Park (SME analyst)"),
    DemoUser("sam", ("steward",), "Sam Lee (data steward)"),
    DemoUser("rita", ("reviewer",), "Rita Choi (compliance)"),
    DemoUser("ravi", ("reviewer",), "Ravi Jung (compliance)"),
)

STEWARD = "sam"

# project -> (max tier, description, members, granted datasets)
DEMO_PROJECTS = {
    "consumer-spending": ("restricted", "Card spending and store sales by district and category", ("alice",), ("card_spending", "store_sales", "air_quality")),
    "urban-mobility": ("confidential", "Shared-bike commuting and air quality", ("alice", "bob"), ("bike_trips", "air_quality")),
}


def seed_demo(settings: CampusSettings, *, scale: float = 1.0, policy=None, log=print) -> None:
    """Generate, register and grant the demo data; create the demo users (idempotent)."""
    source = settings.home / "demo-source"
    expires = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%d")
    with open_catalog(settings=settings, policy=policy) as catalog:
        existing_users = {u.name for u in catalog.users()}
        for user in DEMO_USERS:
            if user.name not in existing_users:
                catalog.create_user(user.name, list(user.roles), actor="operator:demo", password=DEMO_PASSWORD, display_name=user.display_name)
                log(f"user {user.name} ({', '.join(user.roles)})")
    for name in GENERATORS:
        with open_catalog(settings=settings, policy=policy) as catalog:
            if name in {d.name for d in catalog.datasets()}:
                continue
            manifest: Path = write_dataset(name, source, scale=scale)
            dataset = catalog.register_dataset(manifest, actor=STEWARD)
            log(f"dataset {dataset.name}: {dataset.row_count} rows ({dataset.tier})")
    with open_catalog(settings=settings, policy=policy) as catalog:
        projects = {p.name for p in catalog.projects()}
        for project, (tier, description, members, datasets) in DEMO_PROJECTS.items():
            if project in projects:
                continue
            catalog.create_project(project, actor=STEWARD, max_tier=tier, description=description)
            for member in members:
                catalog.add_member(project, member, actor=STEWARD)
            for dataset in datasets:
                catalog.grant(project, dataset, actor=STEWARD, expires=expires)
            log(f"project {project}: members {', '.join(members)}; datasets {', '.join(datasets)}")
