"""Steward pages for datasets: browse the catalog, one dataset, and register a new one.

Registration is two steps (stage + preview, then confirm with classes and disclosure
settings); the catalog service validates the manifest against the data, asks OPA and
records the audit event, all or nothing. Nothing here decides who may register.
"""

from __future__ import annotations

from hub.catalog.manifest import ColumnClass, DisclosureSettings, Tier, parse_manifest
from hub.catalog.service import open_catalog
from hub.cli.readonly import ReadOnlyPolicy
from hub.errors import CampusError, PermissionDenied
from hub.web import staging
from hub.web.base import BaseHandler

DISCLOSURE_FIELDS = [
    ("min_cell_count", "minimum cell count", "int"),
    ("dominance_n", "dominance n", "int"),
    ("dominance_k", "dominance k", "float"),
    ("p_ratio", "p-ratio", "float"),
    ("max_row_fraction", "record-level row fraction", "float"),
]


class DatasetsHandler(BaseHandler):
    role = "steward"

    def get(self) -> None:
        with open_catalog(settings=self.config.campus, policy=ReadOnlyPolicy()) as catalog:
            grants = catalog.active_grants()
            granted: dict[str, list[str]] = {}
            for grant in grants:
                granted.setdefault(grant.dataset.name, []).append(grant.project.name)
            self.render_page("datasets.html", datasets=catalog.datasets(), granted=granted)


class DatasetHandler(BaseHandler):
    role = "steward"

    def get(self, name: str) -> None:
        try:
            with open_catalog(settings=self.config.campus, policy=ReadOnlyPolicy()) as catalog:
                dataset = catalog.dataset(name)
                grants = [g for g in catalog.active_grants() if g.dataset_id == dataset.id]
                self.render_page("dataset.html", dataset=dataset, grants=grants)
        except CampusError as error:
            self.fail(error)


class NewDatasetHandler(BaseHandler):
    """Step one: an upload or a server path, staged and profiled."""

    role = "steward"

    def get(self) -> None:
        self.render_page("dataset_new.html", import_roots=self.config.import_roots)

    def post(self) -> None:
        root = self.config.staging_root
        try:
            uploads = self.request.files.get("upload") or []
            if uploads and uploads[0].body:
                token = staging.stage_upload(root, self.user_name, uploads[0].filename, uploads[0].body)
            else:
                token = staging.stage_server_path(root, self.user_name, self.get_body_argument("server_path", ""), self.config.import_roots)
        except CampusError as error:
            self.set_status(400)
            self.render_page("dataset_new.html", import_roots=self.config.import_roots, error=str(error))
            return
        self.redirect(self.url("datasets/new", token))


class ConfirmDatasetHandler(BaseHandler):
    """Step two: columns with samples and suggestions, tier, disclosure; then register."""

    role = "steward"

    def _form(self, staged: staging.Staged, *, error: str | None = None, values: dict | None = None) -> None:
        self.render_page(
            "dataset_confirm.html",
            staged=staged,
            tiers=[t.value for t in Tier],
            classes=[c.value for c in ColumnClass],
            disclosure_fields=DISCLOSURE_FIELDS,
            defaults=DisclosureSettings().model_dump(),
            values=values or {},
            error=error,
        )

    def get(self, token: str) -> None:
        try:
            staged = staging.preview(self.config.staging_root, token, self.user_name)
        except CampusError as error:
            self.fail(error)
            return
        self._form(staged)

    def post(self, token: str) -> None:
        root = self.config.staging_root
        try:
            staged = staging.preview(root, token, self.user_name)
        except CampusError as error:
            self.fail(error)
            return
        if self.get_body_argument("action", "") == "discard":
            staging.discard(root, token, self.user_name)
            self.flash("upload discarded")
            self.redirect(self.url("datasets"))
            return
        values = {k: self.get_body_argument(k, "") for k in self.request.body_arguments}
        try:
            document = self._manifest(staged, values)
            parse_manifest(document, "form")
            manifest_path = staging.write_manifest(staged.folder, document)
            with open_catalog(settings=self.config.campus) as catalog:
                dataset = catalog.register_dataset(manifest_path, actor=self.user_name)
                name, rows = dataset.name, dataset.row_count
        except CampusError as error:
            self.set_status(403 if isinstance(error, PermissionDenied) else 400)
            self._form(staged, error=str(error), values=values)
            return
        staging.discard(root, token, self.user_name)
        self.flash(f"registered {name}: {rows} rows")
        self.redirect(self.url("datasets", name))

    @staticmethod
    def _manifest(staged: staging.Staged, values: dict) -> dict:
        """The manifest document from the form (types are checked by the manifest model)."""
        disclosure: dict = {"zeros_disclosive": values.get("zeros_disclosive") == "on"}
        for key, label, kind in DISCLOSURE_FIELDS:
            raw = values.get(key, "").strip()
            try:
                disclosure[key] = int(raw) if kind == "int" else float(raw)
            except ValueError:
                raise CampusError(f"{label} {raw!r} is not a number") from None
        return {
            "name": values.get("name", "").strip(),
            "title": values.get("title", "").strip(),
            "description": values.get("description", "").strip(),
            "owner": values.get("owner", "").strip(),
            "tier": values.get("tier", ""),
            "files": [staged.filename],
            "two_person_review": values.get("two_person_review") == "on",
            "disclosure": disclosure,
            "columns": [
                {
                    "name": column.name,
                    "type": column.type,
                    "class": values.get(f"class-{i}", column.suggested),
                    "description": values.get(f"desc-{i}", "").strip(),
                }
                for i, column in enumerate(staged.columns)
            ],
        }
