"""Catalog tables: users and their roles, datasets and their columns, projects, members, grants.

Timestamps are stored as RFC 3339 UTC strings (`utcnow_iso()`): they are hashed into the
audit chain and pushed to OPA as-is, so they must render identically on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base

ROLES = ("researcher", "steward", "reviewer")


def utcnow_iso() -> str:
    """Now, as the RFC 3339 UTC string every campus timestamp uses."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # bcrypt hash; empty for users who log in through an external identity provider.
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(32))
    two_person_review: Mapped[bool] = mapped_column(Boolean, default=False)
    disclosure: Mapped[dict] = mapped_column(JSON)
    manifest: Mapped[dict] = mapped_column(JSON)
    # [{"path": relative to the dataset folder, "sha256": ..., "bytes": ...}]
    files: Mapped[list[dict]] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer)
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)

    columns: Mapped[list["DatasetColumn"]] = relationship(
        back_populates="dataset", order_by="DatasetColumn.position", cascade="all, delete-orphan"
    )


class DatasetColumn(Base):
    __tablename__ = "dataset_columns"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    column_class: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")

    dataset: Mapped[Dataset] = relationship(back_populates="columns")


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    max_tier: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)


class ProjectMember(Base):
    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)

    project: Mapped[Project] = relationship()
    user: Mapped[User] = relationship()


class Grant(Base):
    """A dataset granted to a project until `expires_at`; revoking keeps the row (history)."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    expires_at: Mapped[str] = mapped_column(String(32))
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    project: Mapped[Project] = relationship()
    dataset: Mapped[Dataset] = relationship()
