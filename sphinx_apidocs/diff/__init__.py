"""What changed between two releases of an API, as its clients see it (no Sphinx here).

Layering: change (the type) -> contract (spec + filters -> the exposed contract) -> compare
(two contracts -> changes) -> report, waivers, sources. Uses :mod:`sphinx_apidocs.spec` and
:mod:`sphinx_apidocs.filters`; ``cli`` and ``sphinxext`` use it, never the other way.
"""

from sphinx_apidocs.diff.change import RULES, Change, Level, Rule, sorted_changes, summary
from sphinx_apidocs.diff.compare import compare, diff_specs
from sphinx_apidocs.diff.contract import Contract, contract_of

__all__ = [
    "RULES",
    "Change",
    "Contract",
    "Level",
    "Rule",
    "compare",
    "contract_of",
    "diff_specs",
    "sorted_changes",
    "summary",
]
