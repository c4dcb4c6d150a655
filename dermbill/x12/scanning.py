"""The X12 readers' inner loops compiled (``_scanning.pyx``: segment texts cut from decoded text, 835 claims grouped
and balanced in cents), when they are built from the source beside this file.

``setup.py`` builds them at install (``make .venv/.installed``). ``COMPILED`` is the compiled module, or None when
it is not built or was built from another source (``WHY_PURE`` says which): then the pure-Python twins
(``tokenizer._split_segments``, ``claims_835.PureClaimScanner``) are used, with the same results, slower. A stale
build is never used: the module carries the sha256 of the source it was built from.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from types import ModuleType

SOURCE = Path(__file__).with_name("_scanning.pyx")


def _compiled() -> tuple[ModuleType | None, str]:
    try:
        from dermbill.x12 import _scanning
    except ImportError as exc:
        return None, f"the compiled module is not built ({exc})"
    if SOURCE.exists():  # an installed wheel ships the module, not its source
        digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
        if digest != _scanning.SOURCE_HASH:
            why = (f"{_scanning.__file__} was built from another source than {SOURCE} (sha256 "
                   f"{_scanning.SOURCE_HASH[:12] or 'unknown'}, not {digest[:12]}): rebuild it with "
                   "`make .venv/.installed` or `python setup.py build_ext --inplace`")
            warnings.warn(f"dermbill reads X12 with its pure-Python loops: {why}", RuntimeWarning, stacklevel=2)
            return None, why
    return _scanning, ""


COMPILED, WHY_PURE = _compiled()
