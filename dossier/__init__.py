"""dossier — re-integration dossiers under the Dutch Wet verbetering poortwachter.

The public API raises :class:`DossierError` subclasses and never prints; see :mod:`dossier.api`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dossier")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
