"""The compact copy of the ICD-10-CM code sets (reference.coding_tables.shipped_icd10_release): read back it is the
package's release exactly; a copy that is not whole is ignored (and built again); a folder that cannot be written
costs only time."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermbill.reference import coding_tables
from dermbill.reference.coding_tables import (
    _icd10_from_package,
    _read_icd10_cache,
    _write_icd10_cache,
    icd10_cache_path,
)


@pytest.fixture(scope="module")
def package_sets() -> tuple[frozenset[str], frozenset[str]]:
    return _icd10_from_package()


def test_the_compact_copy_reads_back_as_the_packages_code_sets(
        package_sets: tuple[frozenset[str], frozenset[str]], tmp_path: Path) -> None:
    billable, categories = package_sets
    assert "C44.311" in billable and "C44.31" in categories and len(billable) > 70_000
    path = tmp_path / "icd10.txt"
    _write_icd10_cache(path, billable, categories)
    assert _read_icd10_cache(path) == (billable, categories)
    assert [p.name for p in tmp_path.iterdir()] == ["icd10.txt"]  # no partial file left behind


def test_a_copy_that_is_not_whole_is_ignored(package_sets: tuple[frozenset[str], frozenset[str]],
                                             tmp_path: Path) -> None:
    path = tmp_path / "icd10.txt"
    _write_icd10_cache(path, *package_sets)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])  # cut short: the count on the first line says so
    assert _read_icd10_cache(path) is None
    path.write_text("not a code list\n")
    assert _read_icd10_cache(path) is None
    assert _read_icd10_cache(tmp_path / "missing.txt") is None


def test_the_copy_is_named_by_the_packages_version_in_the_cache_folder(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("DERMBILL_CACHE_DIR", str(tmp_path))
    path = icd10_cache_path()
    assert path is not None and path.parent == tmp_path
    assert path.name.startswith("icd10cm-simple-icd-10-cm-") and path.name.endswith(
        f"-v{coding_tables.ICD10_CACHE_FORMAT}.txt")


def test_a_folder_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    _write_icd10_cache(blocker / "icd10.txt", frozenset({"C44.311"}), frozenset({"C44.31"}))
    assert not (blocker / "icd10.txt").exists()
