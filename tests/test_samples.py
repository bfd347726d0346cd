"""The recorded samples in tests/data/samples are the bytes their README says they are, and every
one of them has its provenance row there."""

from __future__ import annotations

import hashlib
import re
import zipfile

from tests.support import REPO

FOLDER = REPO / "tests" / "data" / "samples"
README = FOLDER / "README.md"
ROW = re.compile(r"^\| `([^`]+)` \| ([\d,]+) \| ([0-9a-f]{16}) \|", re.MULTILINE)


def test_samples_are_the_recorded_bytes() -> None:
    rows = {name: (int(size.replace(",", "")), sha) for name, size, sha in ROW.findall(README.read_text("utf-8"))}
    files = {p.relative_to(FOLDER).as_posix() for p in FOLDER.rglob("*") if p.is_file() and p.name != "README.md"}
    assert files <= set(rows), f"files without a provenance row: {sorted(files - set(rows))}"
    for name in files:
        content = (FOLDER / name).read_bytes()
        assert (len(content), hashlib.sha256(content).hexdigest()[:16]) == rows[name], name


MEMBER = re.compile(r"^\| `bkg/([^`]+)` \| ([\d,]+) \| ([0-9a-f]{16}) \|", re.MULTILINE)


def test_the_bkg_package_holds_the_recorded_files() -> None:
    rows = {name: (int(size.replace(",", "")), sha) for name, size, sha in MEMBER.findall(README.read_text("utf-8"))}
    with zipfile.ZipFile(FOLDER / "bkg_vg1000_2024-12-31.zip") as package:
        found = {
            info.filename: (info.file_size, hashlib.sha256(package.read(info)).hexdigest()[:16])
            for info in package.infolist()
        }
    assert found == rows
