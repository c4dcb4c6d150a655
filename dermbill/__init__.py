"""dermbill: dermatology coding and billing, from documented lesions to paid claims.

Layers (dependencies point inward): ``core`` (pure domain) <- ``reference``, ``db``, ``synthetic``
<- ``services`` <- ``cli``. Nothing imports ``cli``.
"""

__version__ = "0.1.0"
