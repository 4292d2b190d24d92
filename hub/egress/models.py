"""Tables of export requests: the request, its files, the guard's findings, reviews, the release ledger."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.catalog.models import utcnow_iso
from hub.db import Base


class ExportRequest(Base):
    __tablename__ = "export_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    project: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    provenance: Mapped[list] = mapped_column(JSON, default=list)
    datasets: Mapped[list] = mapped_column(JSON, default=list)
    provenance_complete: Mapped[bool] = mapped_column(default=False)
    # The policy's answer: {"decision": ..., "reasons": [...]}
    decision: Mapped[dict] = mapped_column(JSON, default=dict)
    # Aggregate tables the guard recounted, entered into the ledger when released.
    pending_ledger: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)
    updated_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)
    released_at: Mapped[str | None] = mapped_column(String(32), nullable=True)

    files: Mapped[list["ExportFile"]] = relationship(back_populates="request", order_by="ExportFile.position", cascade="all, delete-orphan")
    findings: Mapped[list["ExportFinding"]] = relationship(back_populates="request", order_by="ExportFinding.id", cascade="all, delete-orphan")
    reviews: Mapped[list["ExportReview"]] = relationship(back_populates="request", order_by="ExportReview.id", cascade="all, delete-orphan")


class ExportFile(Base):
    __tablename__ = "export_files"
    __table_args__ = (UniqueConstraint("request_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("export_requests.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    request: Mapped[ExportRequest] = relationship(back_populates="files")


class ExportFinding(Base):
    __tablename__ = "export_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("export_requests.id", ondelete="CASCADE"), index=True)
    check: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[ExportRequest] = relationship(back_populates="findings")

    def as_dict(self) -> dict:
        return {"check": self.check, "severity": self.severity, "message": self.message, "location": self.location}


class ExportReview(Base):
    __tablename__ = "export_reviews"
    __table_args__ = (UniqueConstraint("request_id", "reviewer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("export_requests.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)

    request: Mapped[ExportRequest] = relationship(back_populates="reviews")


class LedgerEntry(Base):
    """A released aggregate table, remembered for the differencing check of later requests."""

    __tablename__ = "export_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("export_requests.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    datasets: Mapped[list] = mapped_column(JSON)
    dims: Mapped[list] = mapped_column(JSON)
    cells: Mapped[dict] = mapped_column(JSON)
    released_at: Mapped[str] = mapped_column(String(32), default=utcnow_iso)
