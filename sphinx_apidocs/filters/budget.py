"""``compile_selection``: compile a client's selection, within a process-wide code budget.

Clients choose selections, and each new node shape a selection needs is a generated function
kept for the life of the process (``compile``'s factory cache). So selections may add at most
``MAX_SELECTION_SHAPES`` shapes in all; past that, a selection is built by ``interpret``, with
generic nodes where its shapes' code does not exist (same results, slower, no new code). The
whitelists themselves are not counted: the service chose them.
"""

from __future__ import annotations

import threading

from sphinx_apidocs.filters.compile import Filter, compile_plan, generated
from sphinx_apidocs.filters.interpret import interpret
from sphinx_apidocs.filters.plan import Plan

MAX_SELECTION_SHAPES = 512  # node factories selections may add to the process


class ShapeBudget:
    """How many new shapes selections may still generate: ``spent`` of ``limit``. Thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0
        self._lock = threading.Lock()

    def take(self, count: int) -> bool:
        """Spend ``count`` shapes if they fit in what is left; whether they did."""
        with self._lock:
            if self.spent + count > self.limit:
                return False
            self.spent += count
            return True


SELECTION_BUDGET = ShapeBudget(MAX_SELECTION_SHAPES)  # the process's, shared by every selector


def compile_selection(plan: Plan, budget: ShapeBudget = SELECTION_BUDGET) -> Filter:
    """``compile_plan(plan)`` if its new shapes fit in ``budget``, else ``interpret(plan)``."""
    new = sum(1 for shape in plan.shapes if not generated(shape))
    if budget.take(new):
        return compile_plan(plan)
    return interpret(plan)
