"""The folder drop: files arrive whole, once, and inbound files are fetched once."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermbill.clearinghouse.connection import unique_target
from dermbill.clearinghouse.folder import FolderDrop
from dermbill.core.errors import InvalidInput


def test_send_delivers_each_file_once_and_whole(tmp_path: Path) -> None:
    drop = FolderDrop("drop", tmp_path / "out", tmp_path / "in")
    batch = tmp_path / "837P-A-000000001.x12"
    batch.write_text("ISA*...~")
    first = drop.send([batch])
    batch.write_text("changed after it was sent")
    second = drop.send([batch])

    assert [d.sent for d in first] == [True] and [d.sent for d in second] == [False]
    assert (tmp_path / "out" / batch.name).read_text() == "ISA*...~"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [batch.name]  # no partial file left behind


def test_fetch_moves_inbound_files_into_the_inbox_oldest_name_first(tmp_path: Path) -> None:
    inbound = tmp_path / "in"
    inbound.mkdir()
    for name in ("b.835", "a.999", ".hidden.partial"):
        (inbound / name).write_text(name)
    drop = FolderDrop("drop", tmp_path / "out", inbound)
    inbox = tmp_path / "inbox"
    fetched = drop.fetch(inbox)

    assert [p.name for p in fetched] == ["a.999", "b.835"]
    assert [p.read_text() for p in fetched] == ["a.999", "b.835"]
    assert sorted(p.name for p in inbound.iterdir()) == [".hidden.partial"]
    assert drop.fetch(inbox) == []
    (inbound / "a.999").write_text("a second file of the same name")
    [again] = drop.fetch(inbox)
    assert again.name == "a.999.1" and (inbox / "a.999").read_text() == "a.999"


def test_fetch_from_a_missing_folder_is_nothing(tmp_path: Path) -> None:
    assert FolderDrop("drop", tmp_path / "out", tmp_path / "nope").fetch(tmp_path / "inbox") == []


@pytest.mark.parametrize("name", ["../escaped", "/tmp/escaped", "a/b", "..", ".", "", "a\\b", "a\x00b"])
def test_a_fetched_file_name_that_is_not_a_plain_base_name_is_never_joined_to_the_inbox(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(InvalidInput, match="only plain file names are accepted"):
        unique_target(tmp_path / "inbox", name)
    assert list(tmp_path.iterdir()) == []
