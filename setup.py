"""dermbill's one compiled module: the X12 readers' inner loops (``dermbill/x12/_scanning.pyx``), built with Cython.

Optional: where it cannot be built (no C compiler, no Python headers), the install goes on with a warning and
dermbill reads X12 with the pure-Python twins (``dermbill.x12.scanning`` says which are in use), slower but the
same. The module carries the sha256 of the source it was built from; dermbill does not use a build of another
source.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = "dermbill/x12/_scanning.pyx"


class OptionalBuildExt(build_ext):
    """build_ext that warns and goes on when the extension cannot be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # any failure to compile leaves the pure-Python reader
            _warn(exc)

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            _warn(exc)


def _warn(exc: BaseException) -> None:
    print(f"WARNING: dermbill's compiled X12 loops were not built ({exc}); its pure-Python twin is used "
          "instead (the same results, several times slower)", file=sys.stderr)


def _extensions() -> list[Any]:
    try:
        from Cython.Build import cythonize
    except ImportError as exc:
        _warn(exc)
        return []
    digest = hashlib.sha256((Path(__file__).resolve().parent / SOURCE).read_bytes()).hexdigest()
    extension = Extension("dermbill.x12._scanning", [SOURCE],
                          define_macros=[("SCANNING_SOURCE_HASH", f'"{digest}"')])
    try:
        return list(cythonize([extension], quiet=True, language_level=3))
    except Exception as exc:
        _warn(exc)
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
