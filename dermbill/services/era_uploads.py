"""A large 835 uploaded on the web, posted by a worker (issue 19): the file is kept where every worker reads it and
a ``post_835`` job is queued for it, with the billing company and the practices of the person who sent it (the job
posts to those only, as the upload would have); its progress is on the jobs page and in ``dermbill jobs list``. The
kept copy is removed once the job has posted it (the remittance keeps the 835's content)."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from pathlib import Path

from dermbill.core.errors import InvalidInput
from dermbill.db.engine import Database
from dermbill.services.job_queue import defer_job


def post_upload_as_job(database: Database, folder: Path, file_name: str, data: bytes, *, requested_by: str,
                       organization_id: int, practice_ids: Collection[int]) -> int:
    """Keep the upload under ``folder`` (in a folder of its own, the file keeping its name: the remittance records
    the name sent) and queue the job that posts it; returns the job's number. An empty upload is refused here."""
    if not data.strip():
        raise InvalidInput(f"{file_name or 'the file'} is empty: choose an 835 file")
    name = Path(file_name).name
    if name in ("", ".", ".."):  # a name that is no file's ("..": the folder above)
        name = "upload.835"
    kept = folder / secrets.token_hex(8) / name
    kept.parent.mkdir(parents=True, mode=0o700)
    kept.write_bytes(data)
    kept.chmod(0o600)
    try:
        job, _ = defer_job(database, "post_835", {"file": str(kept), "organization_id": organization_id,
                                                  "practices": sorted(practice_ids), "uploaded": True},
                           requested_by=requested_by)
    except BaseException:
        kept.unlink(missing_ok=True)
        kept.parent.rmdir()
        raise
    return job.id
