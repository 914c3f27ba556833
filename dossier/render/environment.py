"""The one Jinja environment factory for the DOCX templates.

Every template — body, headers, footers, footnotes and document properties — is rendered by
an environment made here (see :mod:`dossier.render.docx`, which always passes it to docxtpl):

* sandboxed and immutable: a firm's template cannot reach Python internals
  (``''.__class__``) or change the case data;
* ``StrictUndefined``: a name that is not in the context is an error naming the variable and
  the nearest valid name, instead of an empty string;
* autoescape on: ``&``, ``<`` and ``>`` in case data cannot break the DOCX XML;
* a ``finalize`` step that writes None as nothing, dates in Dutch words and numbers with a
  decimal comma, so a template can never print "None" or an ISO date;
* the filters of :mod:`dossier.render.filters`, with the locale taken from this environment.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any

from jinja2 import StrictUndefined, Template, pass_environment
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
from jinja2.utils import missing

from dossier.render import filters as f
from dossier.render.context import Record, dichtstbijzijnde

#: Jinja globals a template may use; the others (lipsum, cycler, joiner, dict) are removed.
TOEGESTANE_GLOBALS = frozenset({"range", "namespace"})
#: Compiled template parts kept per environment (body, headers and footers of ~10 templates).
COMPILE_CACHE_SIZE = 64


def _naam_van(obj: Any, name: Any) -> str:
    """Dotted schema name of ``obj.name`` (``werknemer.nam``), or just ``name``."""
    if isinstance(obj, Record) and obj._pad:
        return f"{obj._pad}.{name}"
    return str(name)


class DossierUndefined(StrictUndefined):
    """StrictUndefined with a Dutch message: the full dotted name and the nearest valid one."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is missing:
            naam = str(self._undefined_name)
        elif isinstance(self._undefined_obj, Record):
            naam = _naam_van(self._undefined_obj, self._undefined_name)
        else:
            soort = type(self._undefined_obj).__name__
            return (f"onbekende variabele: een {soort!r} heeft geen veld "
                    f"{self._undefined_name!r}")
        voorstel = dichtstbijzijnde(naam)
        tip = f" — bedoelt u {voorstel!r}?" if voorstel else ""
        return f"onbekende variabele {naam!r}{tip}"


class DossierEnvironment(ImmutableSandboxedEnvironment):
    """The sandboxed environment for dossier templates; ``locale`` feeds the filters."""

    def __init__(self, locale: str = f.DEFAULT_LOCALE) -> None:
        super().__init__(
            undefined=DossierUndefined,
            autoescape=True,
            finalize=_finalize,
            keep_trailing_newline=True,
        )
        self.locale = locale
        self._compiled: OrderedDict[str, Template] = OrderedDict()
        self._overlays: dict[Any, Any] = {}
        for name in list(self.globals):
            if name not in TOEGESTANE_GLOBALS:
                del self.globals[name]
        self.filters.update(f.filter_functions())

    def overlay(self, **kwargs: Any) -> Any:
        """An overlay (e.g. without autoescape) with its own compile cache, made once per settings.

        Rendering asks for the same overlay for every document (the document properties are
        plain text); a new overlay each time would start with an empty compile cache.
        """
        try:
            key: Any = tuple(sorted(kwargs.items()))
            hash(key)
        except TypeError:
            key = None
        env = self._overlays.get(key) if key is not None else None
        if env is None:
            env = super().overlay(**kwargs)
            env._compiled = OrderedDict()
            env._overlays = {}
            if key is not None:
                self._overlays[key] = env
        return env

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        """Compile a template, reusing earlier compilations of the same source.

        docxtpl compiles every part of a DOCX on every render; compiling is most of the render
        time, and a batch renders the same template many times.
        """
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        cached = self._compiled.get(source)
        if cached is None:
            cached = super().from_string(source)
            self._compiled[source] = cached
            if len(self._compiled) > COMPILE_CACHE_SIZE:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(source)
        return cached


@pass_environment
def _finalize(env: Any, value: Any) -> Any:
    return f.finalize_value(env, value)


@functools.cache
def shared_environment(locale: str = f.DEFAULT_LOCALE) -> SandboxedEnvironment:
    """One environment per locale for the whole process, so its compile cache survives from case to
    case (a batch renders the same templates thousands of times). It is immutable and holds no case
    data, so sharing it is safe."""
    return make_environment(locale)


def make_environment(locale: str = f.DEFAULT_LOCALE) -> SandboxedEnvironment:
    """Create the environment every DOCX template is rendered with.

    Args:
        locale: babel locale for dates and amounts (``nl_NL``).

    Returns:
        An immutable sandboxed Jinja environment with StrictUndefined, autoescape and the
        dossier filters registered.
    """
    return DossierEnvironment(locale)
