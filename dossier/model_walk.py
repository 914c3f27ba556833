"""One walk over a case model: every value of one type with its dotted field path.

Validation walks the dates of a case (plausible years), privacy walks its prose (medical terms);
both go through :func:`walk_values`, so a new nested model or list field is covered by both.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, get_args

from pydantic import BaseModel


def walk_values(
    model: BaseModel, kind: type, *, skip: frozenset[str] = frozenset(), prefix: str = ""
) -> Iterator[tuple[str, Any]]:
    """Every value of type ``kind`` in ``model``, nested models and lists included.

    Args:
        model: a validated pydantic model (a :class:`~dossier.model.Case` or a part of it).
        kind: the type of value wanted (``str``, ``date``, ...); subclasses count.
        skip: field names whose ``kind`` values are not wanted (nested models under these names
            are still walked).
        prefix: put before every path (the path of ``model`` itself plus a dot).

    Yields:
        ``(dotted field path, value)`` in declaration order; list items are numbered from 0, as in
        ``evaluaties.3.verslag`` or ``tweede_spoor.stappen.1``.
    """
    values = vars(model)  # a pydantic model keeps its field values in __dict__
    for name in fields_holding(type(model), kind, skip):
        value = values[name]
        if value is None:
            continue
        if isinstance(value, kind):
            yield f"{prefix}{name}", value
        elif isinstance(value, BaseModel):
            yield from walk_values(value, kind, skip=skip, prefix=f"{prefix}{name}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, kind):
                    yield f"{prefix}{name}.{i}", item
                elif isinstance(item, BaseModel):
                    yield from walk_values(item, kind, skip=skip, prefix=f"{prefix}{name}.{i}.")


@functools.cache
def fields_holding(model: type[BaseModel], kind: type, skip: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The fields of ``model`` that can hold a ``kind`` value or a nested model, in declaration order.

    Worked out once per (model, kind, skip) from the annotations, so a walk passes over the other
    fields without looking at them: scanning 10,000 cases without prose takes a few hundredths of
    a second.
    """
    return tuple(name for name, info in model.model_fields.items()
                 if holds(info.annotation, BaseModel) or (name not in skip and holds(info.annotation, kind)))


def holds(annotation: Any, kind: type) -> bool:
    """True when ``annotation`` (``X | None``, ``list[X]``, ...) can hold a value of ``kind``."""
    if isinstance(annotation, type) and issubclass(annotation, kind):
        return True
    return any(holds(arg, kind) for arg in get_args(annotation))
