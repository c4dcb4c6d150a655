"""`dermbill clearinghouse sync` and `inbox`: a quarantined file is printed with its reason and the exit status is 1."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run

HOSTILE_NAME = "[bold]junk[link=x].x12"  # a name from the other side, printed as it is, never as markup


def test_sync_prints_each_quarantined_file_and_its_reason_and_exits_1_and_inbox_lists_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/sync.db"
    assert run("init", "--db", db).returncode == 0
    inbound = tmp_path / "clearinghouse-out"
    inbound.mkdir()
    (inbound / HOSTILE_NAME).write_text("hello")
    config = tmp_path / "dermbill.toml"
    config.write_text('[connections.drop]\nkind = "folder"\noutbound = "clearinghouse-in"\n'
                      'inbound = "clearinghouse-out"\n')
    reason = f"{HOSTILE_NAME}: not an X12 file: it starts with 'hello', not with ISA (or ST)"

    synced = run("clearinghouse", "sync", "--db", db, "--config", str(config), "--inbox", str(tmp_path / "inbox"))

    assert synced.returncode == 1, synced.stderr
    assert "Traceback" not in synced.stdout + synced.stderr
    lines = synced.stdout.splitlines()
    assert lines[0] == "1 file(s) fetched, 0 already processed before"
    assert f"quarantined {HOSTILE_NAME}: {reason}" in lines
    assert lines[-1] == ("1 file(s) quarantined: not processed, kept in the inbox (dermbill clearinghouse inbox "
                         "lists them); the others were processed. Ask the sender for a corrected file: it is "
                         "processed when it arrives.")

    listed = run("clearinghouse", "inbox", "--db", db, "--json")
    assert listed.returncode == 0, listed.stderr
    [item] = json.loads(listed.stdout)["files"]
    assert {k: item[k] for k in ("file", "connection", "status", "reason")} == {
        "file": HOSTILE_NAME, "connection": "drop", "status": "quarantined", "reason": reason}
    shown = run("clearinghouse", "inbox", "--db", db)
    assert shown.stdout.splitlines() == [f"{HOSTILE_NAME} (drop): quarantined at {item['received_at']}", f"  {reason}"]

    again = run("clearinghouse", "sync", "--db", db, "--config", str(config), "--inbox", str(tmp_path / "inbox"))
    assert again.returncode == 0, again.stdout  # nothing new: the quarantined file is not processed again
    assert again.stdout.splitlines()[0] == "0 file(s) fetched, 0 already processed before"
