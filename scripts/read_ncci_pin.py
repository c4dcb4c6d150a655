"""Read the NCCI tables that the R package northstar stores as ``qs`` pins, and write them as CSV.

Usage:
    python scripts/read_ncci_pin.py mue ncci_mue_prac.qs mue_practitioner_full.csv
    python scripts/read_ncci_pin.py ptp ncci_ptp_prac.qs ptp_practitioner_full.csv

The pins are those named in ../shared/cms-data/README.md (andrewallenbruce/northstar,
inst/extdata/pins/ncci_mue_prac/... and ncci_ptp_prac/...). The output has the layout of the files in
../shared/cms-data (mue: hcpcs, mue_value, mai, mue_rationale; ptp: column1, column2, deletion_date,
modifier_indicator, rebuilt from the Comprehensive side), for every code, so that
scripts/curate_ncci_mue.py and scripts/curate_ncci_ptp.py can cut it to dermbill's codes. Checked: cut to
the dermatology code list, the output equals every row of the shared extracts.

The qs format: a 20-byte header (the number of blocks at offset 12), then the blocks (4-byte little-endian
size + a zstd frame, decompressed with the ``zstd`` command), then a 4-byte checksum. The stream is R
objects: a one-byte type header (5-bit lengths in the low bits, or a type byte followed by an 8/16/32-bit
length), attributes after the object; integer and double arrays longer than a few bytes are byte-shuffled
(byte plane 0 of every element, then plane 1, ...).
"""

from __future__ import annotations

import csv
import datetime
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

HEADER = 20  # magic, reserved bytes, format flags, then the number of blocks (8 bytes at offset 12)
BLOCK_COUNT_AT = 12
NO_DELETION = 2932896  # days since 1970-01-01 of 9999-12-31: the pin's "not deleted"
SHORT = {0x20: "list", 0x40: "real", 0x60: "int", 0x80: "lgl", 0xA0: "chr", 0xE0: "attr"}
LONG = {
    0x01: ("list", "<B"), 0x02: ("list", "<H"), 0x03: ("list", "<I"), 0x05: ("real", "<B"), 0x06: ("real", "<H"),
    0x07: ("real", "<I"), 0x09: ("int", "<B"), 0x0A: ("int", "<H"), 0x0B: ("int", "<I"), 0x0D: ("lgl", "<B"),
    0x0E: ("lgl", "<H"), 0x0F: ("lgl", "<I"), 0x11: ("chr", "<B"), 0x12: ("chr", "<H"), 0x13: ("chr", "<I"),
    0x1E: ("attr", "<B"), 0x1F: ("attr", "<I"),
}
MIN_SHUFFLED_BYTES = 5


def decompress(path: Path) -> bytes:
    data = path.read_bytes()
    (blocks,) = struct.unpack_from("<Q", data, BLOCK_COUNT_AT)
    position, out = HEADER, bytearray()
    for _ in range(blocks):
        (size,) = struct.unpack_from("<I", data, position)
        block = data[position + 4:position + 4 + size]
        out += subprocess.run(["zstd", "-d", "-c"], input=block, capture_output=True, check=True).stdout
        position += 4 + size
    return bytes(out)


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def _take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return int(value)

    def _header(self) -> tuple[str, int]:
        byte = self.data[self.at]
        self.at += 1
        if byte & 0xE0 in SHORT:
            return SHORT[byte & 0xE0], byte & 0x1F
        if byte == 0:
            return "null", 0
        kind, fmt = LONG[byte]
        return kind, self._take(fmt)

    def _string(self) -> str | None:
        byte = self.data[self.at]
        self.at += 1
        if byte & 0x20:
            length = byte & 0x1F
        elif byte & 0x1F == 0x0F:
            return None
        else:
            length = self._take({1: "<B", 2: "<H", 3: "<I"}[byte & 0x1F])
        text = self.data[self.at:self.at + length].decode("utf-8")
        self.at += length
        return text

    def _numbers(self, kind: str, count: int) -> list[Any]:
        size = 8 if kind == "real" else 4
        raw = self.data[self.at:self.at + size * count]
        self.at += size * count
        if len(raw) >= MIN_SHUFFLED_BYTES:
            unshuffled = bytearray(len(raw))
            for plane in range(size):
                unshuffled[plane::size] = raw[plane * count:(plane + 1) * count]
            raw = bytes(unshuffled)
        return list(struct.unpack(f"<{count}{'d' if kind == 'real' else 'i'}", raw))

    def read(self) -> Any:
        kind, length = self._header()
        attributes = 0
        if kind == "attr":
            attributes, (kind, length) = length, self._header()
        value: Any
        if kind == "list":
            value = [self.read() for _ in range(length)]
        elif kind == "chr":
            value = [self._string() for _ in range(length)]
        elif kind in ("int", "lgl", "real"):
            value = self._numbers(kind, length)
        else:
            value = None
        for _ in range(attributes):
            self._string()
            self.read()
        return value


def columns(path: Path) -> list[Any]:
    return list(Reader(decompress(path)).read())


def write_mue(pin: Path, target: Path) -> None:
    codes, units, mai, rationale = columns(pin)[:4]
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("hcpcs", "mue_value", "mai", "mue_rationale"))
        writer.writerows(zip(codes, units, mai, rationale, strict=True))


def write_ptp(pin: Path, target: Path) -> None:
    codes, kinds, complements, deleted, modifiers = columns(pin)[:5]
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("column1", "column2", "deletion_date", "modifier_indicator"))
        for code, kind, nested, day, modifier in zip(codes, kinds, complements, deleted, modifiers, strict=True):
            if kind != "Comprehensive":
                continue
            deletion = "" if day >= NO_DELETION else (
                datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))).strftime("%Y%m%d")
            writer.writerows((code, column2, deletion, modifier) for column2 in nested[0])


if __name__ == "__main__":
    {"mue": write_mue, "ptp": write_ptp}[sys.argv[1]](Path(sys.argv[2]), Path(sys.argv[3]))
