"""Bad input never crashes the guard and never passes: each gives a clear structure problem."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from egress_guard.findings import Severity
from egress_guard.opening import Limits, open_request


def problems(tmp_path: Path, files: dict[str, bytes], limits: Limits | None = None) -> list[str]:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    artifacts = open_request(tmp_path, list(files), limits or Limits())
    return [f"{a.name}: {p.message}" for a in artifacts for p in a.problems if p.severity == Severity.deny]


def zip_bytes(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "files,expected",
    [
        ({"broken.parquet": b"PAR1" + b"\x00" * 100 + b"PAR1"}, "could not be parsed as parquet"),
        ({"latin.csv": "district,n\nJung-gu,12\n".encode() + "이름".encode("cp949") + b",3\n"}, "not UTF-8"),
        ({"bomb.zip": zip_bytes({"zeros.csv": b"0" * 50_000_000})}, "compression ratio"),
        ({"nested.zip": zip_bytes({"a.zip": zip_bytes({"b.zip": zip_bytes({"c.csv": b"x\n1\n"})})})}, "nested too deeply"),
        ({"slip.zip": zip_bytes({"../../etc/x.csv": b"x\n1\n"})}, "leaves the archive"),
        ({"data.pkl": b"\x80\x04"}, "not on the allow-list"),
        ({"fake.png": b"GIF89a...."}, "does not match"),
        ({"bad.ipynb": b"{not json"}, "could not be parsed as notebook"),
        ({"evil.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><text>a</text></svg>'}, "event handler"),
        ({"entity.svg": b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'}, "could not be parsed as svg"),
    ],
)
def test_bad_files_are_refused_with_a_clear_problem(tmp_path, files, expected):
    found = problems(tmp_path, files)
    assert any(expected in p for p in found), found


def test_huge_sparse_file_is_refused_by_size_without_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(2 * 2**30)  # 2 GB, sparse: reading it would take seconds and memory
    found = [p.message for a in open_request(tmp_path, ["huge.csv"], Limits()) for p in a.problems]
    assert any("over the limit" in p for p in found), found


def test_notebook_with_a_huge_output_is_refused_by_size(tmp_path):
    from tests.egress_guard.corpus.workspace import notebook, stream_output

    book = notebook([("code", "print(x)", [stream_output("x" * 2_000_000)])])
    found = problems(tmp_path, {"big.ipynb": book}, Limits(max_file_bytes=1_000_000))
    assert any("over the limit" in p for p in found), found


@pytest.mark.parametrize("name", ["../outside.csv", "/etc/passwd", "a/../../b.csv"])
def test_names_leaving_the_request_folder_are_refused(tmp_path, name):
    artifacts = open_request(tmp_path, [name], Limits())
    assert "leaves the request folder" in artifacts[0].problems[0].message


def test_symlink_to_a_dataset_is_refused(tmp_path):
    target = tmp_path / "secret.csv"
    target.write_text("holder_id\nH1\n")
    folder = tmp_path / "request"
    folder.mkdir()
    os.symlink(target, folder / "link.csv")
    artifacts = open_request(folder, ["link.csv"], Limits())
    assert "symlink" in artifacts[0].problems[0].message and artifacts[0].table is None


def test_png_metadata_is_scanned_and_stripped(tmp_path):
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "010-1234-5678")
    image = Image.new("RGB", (4, 4), "white")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    (tmp_path / "c.png").write_bytes(out.getvalue() + b"trailing data")
    artifact = open_request(tmp_path, ["c.png"], Limits())[0]
    assert any("010-1234-5678" in block.text for block in artifact.texts)
    assert b"010-1234-5678" not in artifact.release_bytes and b"trailing" not in artifact.release_bytes
    assert Image.open(io.BytesIO(artifact.release_bytes)).size == (4, 4)


def test_good_files_open_into_tables_and_texts(tmp_path):
    from tests.egress_guard.corpus.workspace import html_output, notebook

    import pandas as pd

    frame = pd.DataFrame({"district": ["Jung-gu", "Mapo-gu"], "n": [12, 30]})
    book = notebook([("markdown", "# Title", []), ("code", "df", [html_output(frame)])])
    files = {"t.csv": frame.to_csv(index=False).encode(), "n.ipynb": book, "a.zip": zip_bytes({"t.csv": frame.to_csv(index=False).encode()})}
    assert problems(tmp_path, files) == []
    artifacts = open_request(tmp_path, list(files), Limits())
    tables = [a for a in artifacts if a.table is not None]
    assert len(tables) == 3 and all(list(t.table["n"]) == [12, 30] for t in tables)
