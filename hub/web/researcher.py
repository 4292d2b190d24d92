"""Researcher pages: my export requests and their states, and download of released files.

The download here is the only way a file leaves the campus. hub.egress decides (author
only, released only, a file of the request) and records `export.downloaded` before the
first byte is sent.
"""

from __future__ import annotations

from urllib.parse import quote

from tornado import web

from hub.egress.service import ExportService
from hub.errors import CampusError
from hub.web.base import BaseHandler

CHUNK = 1 << 16


class ResearcherBase(BaseHandler):
    role = "researcher"

    @property
    def exports(self) -> ExportService:
        return ExportService(self.config.campus, policy=self.policy)


class MyRequestsHandler(ResearcherBase):
    def get(self) -> None:
        mine = [r for r in self.exports.list(self.user_name) if r["user"] == self.user_name]
        mine.sort(key=lambda r: r["created_at"], reverse=True)
        self.render_page("my_requests.html", requests=mine)


class MyRequestHandler(ResearcherBase):
    def get(self, request_id: str) -> None:
        try:
            detail = self.exports.show(request_id, self.user_name)
            if detail["user"] != self.user_name:  # staff may read others' requests elsewhere, not here
                raise web.HTTPError(404, "no such export request")
        except CampusError as error:
            self.fail(error)
            return
        self.render_page("my_request.html", r=detail)


class DownloadHandler(ResearcherBase):
    async def get(self, request_id: str, name: str) -> None:
        try:
            path = self.exports.download(request_id, name, actor=self.user_name)
        except CampusError as error:
            self.fail(error)
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}")
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                self.write(block)
                await self.flush()
        self.finish()
