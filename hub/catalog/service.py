"""Catalog operations: users, dataset registration, projects, members (added and removed) and grants.

Every operation follows the same steps, in one database transaction:
1. ask the policy (`campus.admin`) whether the actor may do it: Python asks, OPA decides;
2. validate the input completely before writing anything;
3. write the rows and append the audit event;
4. push the new catalog to OPA *before* committing, so that policy and database change
   together: if OPA cannot take the new data the transaction is rolled back and nothing
   changes (a revoked grant can never stay alive in the policy because of a failed push).

`open_catalog()` provides the transaction; a failure anywhere rolls back the database and
removes any dataset files copied so far.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import bcrypt
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub import audit
from hub.catalog.inspect import check_against_manifest, profile, sha256_file
from hub.catalog.manifest import NAME_PATTERN, DatasetManifest, Tier, load_manifest
from hub.catalog.models import ROLES, Dataset, DatasetColumn, Grant, Project, ProjectMember, User, utcnow_iso
from hub.db import session_scope
from hub.errors import CatalogError, NotFound
from hub.settings import CampusSettings, get_settings

USER_PATTERN = r"^[a-z][a-z0-9_.-]{0,62}$"


class PolicyPort(Protocol):
    """What the catalog needs from the policy layer."""

    def require_admin(self, action: str, actor: str, **context) -> None: ...

    def push_catalog(self, data: dict) -> None: ...


class OpaPolicy:
    """The production policy port: the campus OPA server (fails closed)."""

    def __init__(self, settings: CampusSettings):
        from hub.policy.client import PolicyClient

        self._settings = settings
        self._url = settings.opa_url
        self._client = PolicyClient.for_campus(settings)

    def require_admin(self, action: str, actor: str, **context) -> None:
        self._client.require_admin(action, actor, **context)

    def push_catalog(self, data: dict) -> None:
        from hub.policy.sync import push_catalog
        from hub.policy.tokens import read_token

        # Read at each push: the token file appears when OPA first starts, which may be
        # after this catalog was opened.
        push_catalog(self._url, data, token=read_token(self._settings, "catalog") or "")


def _parse_expiry(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CatalogError(f"expiry {value!r} is not a date (use YYYY-MM-DD or an ISO timestamp)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment <= datetime.now(UTC):
        raise CatalogError(f"expiry {value!r} is in the past")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Catalog:
    """Catalog operations bound to one open transaction (see `open_catalog`)."""

    def __init__(self, session: Session, *, settings: CampusSettings, policy: PolicyPort):
        self.session = session
        self.settings = settings
        self.policy = policy
        self._undo: list[Callable[[], None]] = []

    # ----- lookups -------------------------------------------------------------------

    def user(self, name: str) -> User:
        found = self.session.execute(select(User).where(User.name == name)).scalar_one_or_none()
        if found is None:
            raise NotFound(f"unknown user {name!r}")
        return found

    def dataset(self, name: str) -> Dataset:
        found = self.session.execute(select(Dataset).where(Dataset.name == name)).scalar_one_or_none()
        if found is None:
            raise NotFound(f"unknown dataset {name!r}")
        return found

    def project(self, name: str) -> Project:
        found = self.session.execute(select(Project).where(Project.name == name)).scalar_one_or_none()
        if found is None:
            raise NotFound(f"unknown project {name!r}")
        return found

    def datasets(self) -> list[Dataset]:
        return list(self.session.execute(select(Dataset).order_by(Dataset.name)).scalars())

    def projects(self) -> list[Project]:
        return list(self.session.execute(select(Project).order_by(Project.name)).scalars())

    def users(self) -> list[User]:
        return list(self.session.execute(select(User).order_by(User.name)).scalars())

    def members(self, project: str) -> list[str]:
        rows = self.session.execute(
            select(User.name).join(ProjectMember, ProjectMember.user_id == User.id).join(Project).where(Project.name == project).order_by(User.name)
        )
        return list(rows.scalars())

    def active_grants(self, project: str | None = None) -> list[Grant]:
        query = select(Grant).where(Grant.revoked_at.is_(None)).join(Project).order_by(Project.name, Grant.id)
        if project is not None:
            query = query.where(Project.name == project)
        return list(self.session.execute(query).scalars())

    # ----- users (operator actions: whoever runs the CLI on the campus host) -----------

    def create_user(self, name: str, roles: list[str], *, actor: str, password: str | None = None, display_name: str = "") -> User:
        import re

        if not re.match(USER_PATTERN, name):
            raise CatalogError(f"user name {name!r} must be lowercase letters, digits, '.', '_' or '-'")
        bad = [role for role in roles if role not in ROLES]
        if bad or not roles:
            raise CatalogError(f"role {bad[0] if bad else '(none)'!r} is not one of {', '.join(ROLES)}")
        if self.session.execute(select(User.id).where(User.name == name)).first():
            raise CatalogError(f"user {name!r} already exists")
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode() if password else ""
        user = User(name=name, roles=sorted(set(roles)), password_hash=hashed, display_name=display_name or name)
        self.session.add(user)
        audit.record(self.session, "user.created", actor, subject=name, details={"roles": user.roles})
        self._publish()
        return user

    # ----- datasets -----------------------------------------------------------------

    def register_dataset(self, manifest_path: Path, *, actor: str) -> Dataset:
        manifest = load_manifest(manifest_path)
        self.policy.require_admin("dataset.register", actor, dataset={"name": manifest.name, "tier": manifest.tier.value})
        if self.session.execute(select(Dataset.id).where(Dataset.name == manifest.name)).first():
            raise CatalogError(f"dataset {manifest.name!r} is already registered")
        sources = [(manifest_path.parent / item).resolve() for item in manifest.files]
        data = profile(sources)
        check_against_manifest(manifest, data)

        final = self.settings.data_root / manifest.name
        if final.exists():
            raise CatalogError(f"data folder {final} already exists but is not in the catalog; remove it first")
        files = self._copy_files(manifest, sources, final)

        dataset = Dataset(
            name=manifest.name,
            title=manifest.title,
            description=manifest.description,
            owner=manifest.owner,
            tier=manifest.tier.value,
            two_person_review=manifest.two_person_review,
            disclosure=manifest.disclosure.model_dump(mode="json"),
            manifest=manifest.to_document(),
            files=files,
            row_count=data.row_count,
            registered_by=actor,
            columns=[
                DatasetColumn(position=i, name=c.name, type=c.type.value, column_class=c.column_class.value, description=c.description)
                for i, c in enumerate(manifest.columns)
            ],
        )
        self.session.add(dataset)
        audit.record(
            self.session,
            "dataset.registered",
            actor,
            dataset=manifest.name,
            details={"tier": manifest.tier.value, "rows": data.row_count, "files": files},
        )
        self._build_fingerprints(manifest, [final / f["path"] for f in files])
        self._publish()
        return dataset

    def _copy_files(self, manifest: DatasetManifest, sources: list[Path], final: Path) -> list[dict]:
        """Copy into a hidden staging folder, then rename into place (atomic on one filesystem)."""
        import json

        self.settings.data_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{manifest.name}-", dir=self.settings.data_root))
        self._undo.append(lambda: shutil.rmtree(staging, ignore_errors=True))
        files = []
        for source, relative in zip(sources, manifest.files, strict=True):
            target = staging / Path(relative).name
            shutil.copyfile(source, target)
            files.append({"path": target.name, "sha256": sha256_file(target), "bytes": target.stat().st_size})
        document = manifest.to_document() | {"files": [f["path"] for f in files]}
        (staging / "manifest.json").write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
        for path in [*staging.iterdir(), staging]:
            path.chmod(0o444 if path.is_file() else 0o555)
        staging.rename(final)
        self._undo.append(lambda: (final.chmod(0o755), shutil.rmtree(final, ignore_errors=True)))
        return files

    def _build_fingerprints(self, manifest: DatasetManifest, files: list[Path]) -> None:
        from egress_guard.fingerprints import build_fingerprints

        built = Path(build_fingerprints(self.settings, manifest, files))
        self._undo.append(lambda: shutil.rmtree(built, ignore_errors=True) if built.is_dir() else built.unlink(missing_ok=True))

    # ----- projects -----------------------------------------------------------------

    def create_project(self, name: str, *, actor: str, max_tier: str, description: str = "") -> Project:
        if not NAME_PATTERN.match(name.replace("-", "_")):
            raise CatalogError(f"project name {name!r} must be lowercase letters, digits, '-' or '_'")
        if max_tier not in Tier.__members__:
            raise CatalogError(f"tier {max_tier!r} is not one of {', '.join(Tier.__members__)}")
        self.policy.require_admin("project.create", actor, project={"name": name, "max_tier": max_tier})
        if self.session.execute(select(Project.id).where(Project.name == name)).first():
            raise CatalogError(f"project {name!r} already exists")
        project = Project(name=name, description=description, max_tier=max_tier, created_by=actor)
        self.session.add(project)
        audit.record(self.session, "project.created", actor, project=name, details={"max_tier": max_tier})
        self._publish()
        return project

    def add_member(self, project: str, user: str, *, actor: str) -> None:
        target, member = self.project(project), self.user(user)
        self.policy.require_admin("project.add_member", actor, project={"name": project}, user=user)
        if self.session.execute(select(ProjectMember.id).where(ProjectMember.project_id == target.id, ProjectMember.user_id == member.id)).first():
            raise CatalogError(f"user {user!r} is already a member of project {project!r}")
        self.session.add(ProjectMember(project_id=target.id, user_id=member.id, added_by=actor))
        audit.record(self.session, "project.member_added", actor, project=project, subject=user)
        self._publish()

    def remove_member(self, project: str, user: str, *, actor: str) -> None:
        """Take USER out of PROJECT: OPA stops granting them the project's datasets as soon
        as the new catalog is pushed; a running workspace of theirs is stopped at the
        spawner's next grant check."""
        target, member = self.project(project), self.user(user)
        self.policy.require_admin("project.remove_member", actor, project={"name": project}, user=user)
        membership = self.session.execute(
            select(ProjectMember).where(ProjectMember.project_id == target.id, ProjectMember.user_id == member.id)
        ).scalar_one_or_none()
        if membership is None:
            raise CatalogError(f"user {user!r} is not a member of project {project!r}")
        self.session.delete(membership)
        audit.record(self.session, "project.member_removed", actor, project=project, subject=user)
        self._publish()

    def grant(self, project: str, dataset: str, *, actor: str, expires: str) -> Grant:
        target, data = self.project(project), self.dataset(dataset)
        expires_at = _parse_expiry(expires)
        self.policy.require_admin("project.grant", actor, project={"name": project, "max_tier": target.max_tier}, dataset={"name": dataset, "tier": data.tier})
        existing = self.session.execute(
            select(Grant).where(Grant.project_id == target.id, Grant.dataset_id == data.id, Grant.revoked_at.is_(None))
        ).scalar_one_or_none()
        if existing is not None:
            raise CatalogError(f"dataset {dataset!r} is already granted to project {project!r} (until {existing.expires_at})")
        grant = Grant(project_id=target.id, dataset_id=data.id, expires_at=expires_at, granted_by=actor)
        self.session.add(grant)
        audit.record(self.session, "grant.created", actor, project=project, dataset=dataset, details={"expires_at": expires_at})
        self._publish()
        return grant

    def revoke(self, project: str, dataset: str, *, actor: str) -> None:
        target, data = self.project(project), self.dataset(dataset)
        self.policy.require_admin("project.revoke", actor, project={"name": project}, dataset={"name": dataset})
        grant = self.session.execute(
            select(Grant).where(Grant.project_id == target.id, Grant.dataset_id == data.id, Grant.revoked_at.is_(None))
        ).scalar_one_or_none()
        if grant is None:
            raise CatalogError(f"dataset {dataset!r} is not granted to project {project!r}")
        grant.revoked_at, grant.revoked_by = utcnow_iso(), actor
        audit.record(self.session, "grant.revoked", actor, project=project, dataset=dataset)
        self._publish()

    # ----- policy data --------------------------------------------------------------

    def _publish(self) -> None:
        self.session.flush()
        self.policy.push_catalog(policy_data(self.session))

    def rollback_files(self) -> None:
        for step in reversed(self._undo):
            step()
        self._undo.clear()


def policy_data(session: Session) -> dict:
    """The catalog as the document OPA's policies read (docs/internals.md)."""
    datasets = {
        d.name: {
            "tier": d.tier,
            "two_person_review": d.two_person_review,
            "disclosure": d.disclosure,
            "columns": {c.name: c.column_class for c in d.columns},
            "row_count": d.row_count,
        }
        for d in session.execute(select(Dataset)).scalars()
    }
    projects: dict[str, dict] = {
        p.name: {"max_tier": p.max_tier, "members": [], "grants": {}} for p in session.execute(select(Project)).scalars()
    }
    for project, user in session.execute(select(Project.name, User.name).join(ProjectMember, ProjectMember.project_id == Project.id).join(User, User.id == ProjectMember.user_id)):
        projects[project]["members"].append(user)
    for project, dataset, expires in session.execute(
        select(Project.name, Dataset.name, Grant.expires_at).join(Project, Project.id == Grant.project_id).join(Dataset, Dataset.id == Grant.dataset_id).where(Grant.revoked_at.is_(None))
    ):
        projects[project]["grants"][dataset] = {"expires_at": expires}
    for entry in projects.values():
        entry["members"].sort()
    users = {u.name: {"roles": list(u.roles)} for u in session.execute(select(User)).scalars()}
    return {"datasets": datasets, "projects": projects, "users": users}


@contextmanager
def open_catalog(*, settings: CampusSettings | None = None, policy: PolicyPort | None = None) -> Iterator[Catalog]:
    """A Catalog in one transaction: committed on success; on any error the database is
    rolled back and copied dataset files are removed."""
    settings = settings or get_settings()
    policy = policy or OpaPolicy(settings)
    catalog: Catalog | None = None
    try:
        with session_scope(settings.db_url) as session:
            catalog = Catalog(session, settings=settings, policy=policy)
            yield catalog
    except IntegrityError as error:
        if catalog is not None:
            catalog.rollback_files()
        raise CatalogError(f"conflicting change, nothing was written ({error.orig.__class__.__name__})") from None
    except BaseException:
        if catalog is not None:
            catalog.rollback_files()
        raise
