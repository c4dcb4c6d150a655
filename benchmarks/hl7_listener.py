"""HL7 v2 charges through the MLLP listener: DFT^P03 messages per second, each acknowledged only after its
encounter and claim are committed (goal: 500 or more a second on one core).

Setup (not timed): the benchmarks' practice (patient B-1, provider, location OFFICE) on a new SQLite file or
PostgreSQL schema, and ``dermbill hl7 listen --port 0`` started on it in its own process (one process, one
thread: one core). Timed: one client sends N messages over one connection the way an interface engine does,
each after the previous one's ACK (a new visit each: two charge lines, two diagnoses, a site note), and checks
every answer is AA. Afterwards the claims in the database are counted: every message made its claim.
"""

from __future__ import annotations

import datetime
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.era_posting import NPI, each_backend, set_up_practice
from benchmarks.insert_encounters import Result

NAME = "HL7 DFT^P03 through the MLLP listener"
DOS = datetime.date(2026, 3, 2)
START, END = b"\x0b", b"\x1c\r"


def dft(number: int) -> str:
    """The ``number``th visit's charges: a shave removal and a biopsy, two diagnoses, the sites in notes."""
    day = DOS.strftime("%Y%m%d")
    segments = [f"MSH|^~\\&|DERMEHR|BENCHCLINIC|DERMBILL|BILLING|{day}120000||DFT^P03^DFT_P03|B{number:08d}|P|2.5.1",
                f"EVN|P03|{day}", "PID|1||B-1^^^EHR^MR||DOE^JANE||19500101|F",
                "PV1|1|O|OFFICE||||" + f"{NPI}^DOC^ANN" + "|" * 12 + f"V{number:08d}"]
    for line, (code, amount, site, diagnosis) in enumerate((("11300", "95.00", "left cheek", "L82.1"),
                                                            ("11102", "120.00", "right forearm", "D48.5")), 1):
        fields = [""] * 27
        fields[1], fields[4], fields[6], fields[7], fields[10], fields[11] = (
            str(line), day, "CG", f"{code}^^CPT", "1", amount)
        fields[19], fields[20], fields[25] = f"{diagnosis}^^I10", f"{NPI}^DOC^ANN", f"{code}^^CPT"
        segments += ["FT1" + "|".join(fields), f"NTE|1||{site}"]
    segments += ["DG1|1||L82.1^^I10", "DG1|2||D48.5^^I10"]
    return "\r".join(segments) + "\r"


def _exchange(connection: socket.socket, message: str, buffer: bytearray) -> str:
    connection.sendall(START + message.encode() + END)
    while END not in buffer:
        chunk = connection.recv(65536)
        if not chunk:
            raise RuntimeError("the listener closed the connection")
        buffer += chunk
    framed, _, rest = bytes(buffer).partition(END)
    buffer[:] = rest
    return framed.lstrip(START).decode()


def _peak_rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found[1]) / 1024 if found else 0.0


def _claims(url: str) -> int:
    from sqlalchemy import func, select

    from dermbill.db.engine import open_database
    from dermbill.db.models import ClaimRow

    database = open_database(url)
    try:
        with database.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(ClaimRow)).scalar_one())
    finally:
        database.dispose()


def measure(url: str, messages: int) -> Result:
    """Send ``messages`` DFT^P03 to a listener on the database at ``url`` (practice B1 set up there)."""
    root = Path(__file__).resolve().parents[1]
    listener = subprocess.Popen(
        [sys.executable, "-m", "dermbill", "hl7", "listen", "--db", url, "--port", "0", "--facility",
         "BENCHCLINIC=B1"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert listener.stdout is not None
        port = None
        for line in listener.stdout:
            found = re.search(r"listening for HL7 v2 \(MLLP\) on [\d.]+:(\d+)", line)
            if found:
                port = int(found[1])
                break
        if port is None:
            raise RuntimeError("the listener did not start")
        # The listener prints a line per message: drain them so that its pipe never fills and blocks it.
        drain = subprocess.Popen(["cat"], stdin=listener.stdout, stdout=subprocess.DEVNULL)
        with socket.create_connection(("127.0.0.1", port)) as connection:
            buffer = bytearray()
            start = time.perf_counter()
            for number in range(1, messages + 1):
                ack = _exchange(connection, dft(number), buffer)
                if "MSA|AA|" not in ack:
                    raise RuntimeError(f"message {number} was not accepted: {ack!r}")
            seconds = time.perf_counter() - start
        rss = _peak_rss_mib(listener.pid)
    finally:
        listener.terminate()
        listener.wait(timeout=30)
    drain.wait(timeout=30)
    stored = _claims(url)
    if stored != messages:
        raise RuntimeError(f"{messages} messages acknowledged but {stored} claims stored")
    return Result(NAME, "", 0, messages, seconds, rss, per_second_label="messages")


def run(*, messages: int = 3000) -> list[Result]:
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade

    def listen(backend: str, url: str, folder: Path) -> list[Result]:
        database = open_database(url)
        upgrade(database)
        set_up_practice(database)
        database.dispose()
        result = measure(url, messages)
        return [Result(result.benchmark, backend, 0, result.encounters, result.seconds, result.peak_rss_mib,
                       per_second_label="messages")]

    return each_backend(NAME, listen)
