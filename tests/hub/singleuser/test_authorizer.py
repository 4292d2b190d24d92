"""The workspace authorizer's decisions, one request at a time (the real server is attacked in
tests/hub/attacks/test_download_routes.py)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.singleuser.authorizer import CampusAuthorizer


class FakeHandler:
    def __init__(self, url: str, root: str, method: str = "GET"):
        parts = urlsplit(url)
        self.request = SimpleNamespace(path=parts.path, method=method, headers={})
        self._args = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.base_url = "/user/alice/"
        self.contents_manager = SimpleNamespace(root_dir=root)

    def get_query_argument(self, name, default=None):
        return self._args.get(name, default)


@pytest.fixture
def home(tmp_path):
    (tmp_path / "rows.csv").write_text("a,b\n1,2\n")
    (tmp_path / "script.py").write_text("print(1)\n")
    (tmp_path / "nb.ipynb").write_text("{}")
    (tmp_path / "sub").mkdir()
    return str(tmp_path)


REFUSED = [
    "/user/alice/files/rows.csv",
    "/user/alice/files/",
    "/user/alice//files/rows.csv",
    "/user/alice/sub/../files/rows.csv",
    "/user/alice/view/rows.csv",
    "/user/alice/nbconvert/html/nb.ipynb",
    "/user/alice/api/nbconvert",
    "/user/alice/directories/sub",
    "/user/alice/api/archive/sub",
    "/user/alice/proxy/8000/",
    "/user/alice/api/contents/rows.csv",
    "/user/alice/api/contents/rows.csv?content=1&format=text&type=file",
    "/user/alice/api/contents/script.py?format=base64",
    "/user/alice/api/contents/nb.ipynb?download=1",
    # No format=text: the contents manager would fall back to base64 (a renamed binary).
    "/user/alice/api/contents/script.py?content=1",
    "/user/alice/api/contents/script.py?type=file&content=1",
    "/user/alice/api/contents/script.py?type=file&format=json&content=1",
    "/user/alice/api/contents/nb.ipynb?type=file&content=1",
]
ALLOWED = [
    "/user/alice/api/contents",
    "/user/alice/api/contents/sub?content=1",
    "/user/alice/api/contents/rows.csv?content=0",
    "/user/alice/api/contents/nb.ipynb?type=notebook&content=1",
    "/user/alice/api/contents/nb.ipynb?content=1",
    "/user/alice/api/contents/nb.ipynb?type=file&format=text&content=1",
    "/user/alice/api/contents/script.py?type=file&format=text&content=1",
    "/user/alice/api/contents/rows.csv/checkpoints",
    "/user/alice/api/kernels",
    "/user/alice/lab",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused(home, url):
    assert CampusAuthorizer().refusal(FakeHandler(url, home))


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed(home, url):
    assert CampusAuthorizer().refusal(FakeHandler(url, home)) is None


def test_symlink_into_the_data_mount_is_refused(home, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    (data / "x.txt").write_text("row")
    import os

    os.symlink(data / "x.txt", os.path.join(home, "link.txt"))
    authorizer = CampusAuthorizer(data_dir=str(data))
    assert authorizer.refusal(FakeHandler("/user/alice/api/contents/link.txt?type=file&format=text", home)) == "dataset file"
