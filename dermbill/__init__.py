"""dermbill: dermatology coding and billing, from documented lesions to paid claims.

Layers (dependencies point inward): ``core`` (pure domain) <- ``reference``, ``db``, ``synthetic``
<- ``services`` <- ``cli``. Nothing imports ``cli``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dermbill.core.coding.result import CodingResult

__version__ = "0.1.0"


def code_encounter(doc: Any) -> CodingResult:
    """Code one encounter document (encounter format v1): lines, diagnoses, holds and warnings.

    Raises ``dermbill.core.errors.InvalidInput`` naming the field when the document is not valid.
    """
    from dermbill.services.coding import code_document

    return code_document(doc)
