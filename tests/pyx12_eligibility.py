"""pyx12, the independent validator, for eligibility (005010X279A1): 270s and 271s.

pyx12 4.0 (the release on PyPI) ships no 005010X279A1 maps. Its repository holds a pair that never reached a
release (azoner/pyx12, commit a564361, ``pyx12/map/270.5010.X279.A1.xml`` and ``271.5010.X279.A1.xml``, pyx12's
BSD-style licence), copied unchanged into tests/pyx12_maps (with the licence and a README saying where they come
from). ``DERMBILL_PYX12_X279_MAPS`` names another folder holding them (a newer copy), tried first.

The map folder the validator reads is built in a temporary folder: the maps pyx12 installed, the two maps, and
their lines in maps.xml. One mistake of the 271 map is corrected there: it nests LS, the 2120C loop and LE inside
the 2115C loop (III), where the guide has them beside it in 2110C, and the same for the dependent's 2110D (their own
positions, 3300 to 3500, say so); as written, no 271 may name another payer (EB*R with NM1*PRP) without an III
segment first. The loops' positions are set to their first segment's, as pyx12 reads segments in the order of their
positions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

MAPS = ("270.5010.X279.A1.xml", "271.5010.X279.A1.xml")
VARIABLE = "DERMBILL_PYX12_X279_MAPS"
VENDORED = Path(__file__).resolve().parent / "pyx12_maps"


def x279_maps_folder() -> Path | None:
    """Where the two 005010X279A1 maps are, or None."""
    named = os.environ.get(VARIABLE)
    for folder in ([Path(named)] if named else []) + [VENDORED]:
        if all((folder / name).is_file() for name in MAPS):
            return folder
    return None


def _installed_maps() -> Path:
    import pyx12

    return Path(pyx12.__file__).resolve().parent / "map"


def _nest_2120c_beside_2115c(path: Path) -> None:
    tree = ET.parse(path)
    for parent in tree.iter("loop"):
        level = (parent.get("xid") or "")[-1:]
        if parent.get("xid") not in ("2110C", "2110D"):
            continue
        inner = next((child for child in parent if child.tag == "loop" and child.get("xid") == f"2115{level}"), None)
        if inner is None:
            continue
        moving = [child for child in inner if (child.tag == "segment" and child.get("xid") in ("LS", "LE"))
                  or (child.tag == "loop" and child.get("xid") == f"2120{level}")]
        related = next((child for child in moving if child.tag == "loop"), None)
        if related is not None:  # LE closes the loop from outside it; the loop's position is its NM1's
            closing = [child for child in related if child.tag == "segment" and child.get("xid") == "LE"]
            for child in closing:
                related.remove(child)
            moving += closing
            _position(related, _first_segment_position(related))
        _position(inner, _first_segment_position(inner))
        at = list(parent).index(inner) + 1
        for offset, child in enumerate(moving):
            if child in list(inner):
                inner.remove(child)
            parent.insert(at + offset, child)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _first_segment_position(loop: ET.Element) -> str:
    first = next(child for child in loop if child.tag == "segment")
    return first.findtext("pos") or ""


def _position(loop: ET.Element, pos: str) -> None:
    element = loop.find("pos")
    if element is not None and pos:
        element.text = pos


def build_map_path(target: Path) -> Path | None:
    """A pyx12 map folder that knows 005010X279A1, under ``target``; None without the two maps."""
    source = x279_maps_folder()
    if source is None:
        if "005010X279A1" in (_installed_maps() / "maps.xml").read_text():  # a pyx12 release that ships them
            return _installed_maps()
        return None
    folder = target / "pyx12-map"
    shutil.copytree(_installed_maps(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in MAPS:
        shutil.copyfile(source / name, folder / name)
    _nest_2120c_beside_2115c(folder / MAPS[1])
    registry = (folder / "maps.xml").read_text()
    lines = ('    <map vriic="005010X279A1" fic="HS" abbr="270">270.5010.X279.A1.xml</map>\n'
             '    <map vriic="005010X279A1" fic="HB" abbr="271">271.5010.X279.A1.xml</map>\n')
    anchor = registry.rindex("</version>")
    (folder / "maps.xml").write_text(registry[:anchor] + lines + registry[anchor:])
    return folder


@pytest.fixture(scope="session")
def eligibility_maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The map folder (see the module's docstring)."""
    folder = build_map_path(tmp_path_factory.mktemp("pyx12"))
    if folder is None:  # they are in the repository: only a broken checkout (or a bad ${VARIABLE}) lands here
        pytest.fail(f"the pyx12 005010X279A1 maps are not in {VENDORED} (or ${VARIABLE}); see "
                    "tests/pyx12_maps/README.md", pytrace=False)
    return folder


def pyx12_verdict(path: Path, maps: Path) -> tuple[bool, str]:
    """(whether pyx12 accepts the file, what it said)."""
    validator = Path(sys.executable).parent / "x12valid"
    result = subprocess.run([str(validator), "--map-path", str(maps), str(path)], capture_output=True, text=True,
                            timeout=120)
    return f"{path}: OK" in result.stderr, result.stderr
