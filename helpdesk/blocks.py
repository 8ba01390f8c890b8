"""Blocks that gather work for their end (gathered writes, e-mail batches, tasks sent together)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def outermost(var: ContextVar[T | None], new: Callable[[], T]) -> Iterator[T | None]:
    """Hold a fresh `new()` in `var` for the block and yield it; yield None inside a block that already
    holds one, so nested blocks join the outer one. `var` is reset when the block ends."""
    if var.get() is not None:
        yield None
        return
    gathered = new()
    token = var.set(gathered)
    try:
        yield gathered
    finally:
        var.reset(token)
