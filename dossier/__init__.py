"""dossier — re-integration dossiers under the Dutch Wet verbetering poortwachter.

The public API is :mod:`dossier.api`, offered here as well: it raises :class:`DossierError`
subclasses (each with an exit code and the located ``issues``) and never prints or exits. Example::

    import datetime, pathlib, dossier

    settings = dossier.default_settings()
    result = dossier.build(pathlib.Path("casus.json"), settings=settings, today=datetime.date.today())
    print(result.pdf, result.pages)

Heavy parts (rendering, PDF, batch) load on first use, so ``import dossier`` stays quick.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from dossier import api
from dossier.api import __all__ as _api_all

try:
    __version__ = version("dossier")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__", *_api_all]


def __getattr__(name: str) -> Any:
    if name in _api_all:
        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
