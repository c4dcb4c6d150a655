"""A large 835 uploaded on the web is kept in a folder of its own for the job that posts it (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dermbill.core.errors import InvalidInput
from dermbill.services import era_uploads
from dermbill.services.background_jobs import KINDS, QueuedJob


@pytest.mark.parametrize(("sent", "kept"), [("pay.835", "pay.835"), ("..", "upload.835"), ("", "upload.835"),
                                            ("../../etc/pay.835", "pay.835")])
def test_the_upload_is_kept_under_its_own_name_in_a_folder_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent: str, kept: str) -> None:
    queued: list[dict[str, Any]] = []

    def defer(_database: object, kind: str, arguments: dict[str, Any], **_: object) -> tuple[QueuedJob, None]:
        queued.append(arguments)
        return QueuedJob(7, KINDS[kind], None, arguments), None

    monkeypatch.setattr(era_uploads, "defer_job", defer)
    job = era_uploads.post_upload_as_job(None, tmp_path, sent, b"ISA*...", requested_by="a biller",  # type: ignore[arg-type]
                                         organization_id=1, practice_ids=[3])
    [path] = [Path(arguments["file"]) for arguments in queued]
    assert job == 7 and path.name == kept and path.parent.parent == tmp_path and path.read_bytes() == b"ISA*..."


def test_an_empty_upload_is_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        era_uploads.post_upload_as_job(None, tmp_path, "pay.835", b"  \n", requested_by="a biller",  # type: ignore[arg-type]
                                       organization_id=1, practice_ids=[3])
    assert list(tmp_path.iterdir()) == []
