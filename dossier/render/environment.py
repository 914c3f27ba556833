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
* the filters of :mod:`dossier.render.filters`, with the locale taken from this environment;
* the resource limits of :mod:`dossier.render.limits`: ``*``, ``**``, ``+``, ``%`` and ``~``,
  literals, filters and method calls check the size of what they would make before making it,
  loops and calls count steps against a budget with a deadline, and every output buffer is
  joined within a maximum length. The compiled code calls them through this environment
  (:class:`_LimitedCodeGenerator`), so no template can avoid them.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from jinja2 import StrictUndefined, Template, nodes, pass_context, pass_environment
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
from jinja2.utils import missing

from dossier.render import filters as f
from dossier.render import limits
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


#: The environment attribute the code of every ``{% for %}`` calls on its iterable.
_COUNTED = "dossier_counted"


class _LimitedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with the limit checks of :mod:`dossier.render.limits` woven in:
    loops count their iterations, ``~`` and literals check their size."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute(_COUNTED), [loop.iter], [], None, None,
                                   lineno=loop.iter.lineno)
        super().visit_Template(node, frame)

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name == _COUNTED:
            # A direct call: not through the sandbox's call(), which would count it as a call.
            self.write(f"environment.{_COUNTED}(")
            self.visit(node.args[0], frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    def buffer(self, frame: Frame) -> None:
        # Output buffers (macros, {% set %}/{% call %}/{% filter %} blocks) that count as they fill.
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.dossier_buffer()")

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if isinstance(node.arg, nodes.Slice):  # s[::-1] makes a new text or list: count it
            self.write("environment.dossier_result(")
            super().visit_Getitem(node, frame)
            self.write(")")
        else:
            super().visit_Getitem(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # The same choice of markup_join / str_join as Jinja's visit_Concat, after a size check.
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.volatile"
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write("environment.dossier_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(f"), {markup})")

    def _checked(self, visit: Callable[[Any, Frame], None], node: nodes.Expr, frame: Frame) -> None:
        self.write("environment.dossier_container(")
        visit(node, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._checked(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._checked(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx == "load":
            self._checked(super().visit_Tuple, node, frame)
        else:  # a target: {% for a, b in … %}, {% set a, b = … %}
            super().visit_Tuple(node, frame)


def _limited_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with the size checks of :func:`limits.filter_check` before it and a count of its result.

    The wrapper takes the context, so Jinja never runs it while compiling (constant folding
    would make its result outside any render budget); it passes the filter what it asked for.
    """
    kind = getattr(getattr(func, "jinja_pass_arg", None), "name", None)
    pre = limits.filter_check(name)
    # What the filter asked for (context, eval context, environment or nothing), chosen once.
    first: Callable[[Context], tuple[Any, ...]] = {
        "context": lambda c: (c,), "eval_context": lambda c: (c.eval_ctx,),
        "environment": lambda c: (c.environment,)}.get(kind or "", lambda c: ())

    def limited(context: Context, *args: Any, **kwargs: Any) -> Any:
        # Filters run on the hot path (~50 per built-in document): keep this lean.
        b = limits.current()
        b.touch()
        if pre is not None:
            args = list(args)  # type: ignore[assignment]
            pre(args, kwargs)
        return limits.check_result(func(*first(context), *args, **kwargs), b)

    functools.update_wrapper(limited, func)
    return pass_context(limited)


class DossierEnvironment(ImmutableSandboxedEnvironment):
    """The sandboxed environment for dossier templates; ``locale`` feeds the filters."""

    code_generator_class = _LimitedCodeGenerator
    #: Operators that can make a huge text, list or number (see :meth:`call_binop`).
    intercepted_binops = frozenset({"*", "**", "+", "%"})

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
        self.globals["range"] = limits.safe_range
        self.filters.update(f.filter_functions())
        self.filters = {name: _limited_filter(name, func) for name, func in self.filters.items()}
        setattr(self, _COUNTED, limits.counted)

    # --- resource limits (see dossier.render.limits) -------------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``*``, ``**``, ``+`` and ``%``, refused when the result would be too big."""
        limits.binop(operator, left, right)
        result = self.binop_table[operator](left, right)
        if isinstance(result, (str, bytes)):
            limits.current().text(len(result))
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Every call from a template: counted, depth-limited and size-checked."""
        b = limits.current()
        b.step()
        if b.depth >= limits.MAX_CALL_DEPTH:
            raise limits.TemplateLimitError(
                f"meer dan {limits.MAX_CALL_DEPTH} aanroepen in elkaar (een macro die zichzelf "
                "steeds opnieuw aanroept?)")
        macro = isinstance(__obj, Macro)
        if not macro:
            args = limits.check_call(__obj, args, kwargs)
        b.depth += 1
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            b.depth -= 1
        # A macro's output was checked when its buffer was joined.
        return result if macro else limits.check_result(result)

    def concat(self, chunks: Any) -> str:  # type: ignore[override]
        """Join an output buffer (what ``"".join`` does for Jinja), within the text limit."""
        return limits.join_output(chunks)

    def dossier_concat(self, args: tuple[Any, ...], markup: bool) -> str:
        """``a ~ b``: checked, then joined as Jinja does."""
        limits.check_concat(args)
        result = markup_join(args) if markup else str_join(args)
        limits.current().text(len(result))
        return result

    def dossier_buffer(self) -> limits.OutputBuffer:
        return limits.OutputBuffer()

    def dossier_result(self, value: Any) -> Any:
        return limits.check_result(value)

    def dossier_container(self, value: Any) -> Any:
        """A list, tuple or dict literal: checked for size (shared references counted again)."""
        return limits.check_container(value)

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
