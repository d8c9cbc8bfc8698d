"""What changed between two releases of an API, as its clients see it (no Sphinx here).

Layering: change (the type) -> contract (spec + filters -> the exposed contract) -> compare
(two contracts -> changes) -> report, waivers, sources. Uses :mod:`sphinx_apidocs.spec` and
:mod:`sphinx_apidocs.filters`; ``cli`` and ``sphinxext`` use it, never the other way.
"""

from sphinx_apidocs.diff.change import RULES, Change, Level, Rule, sorted_changes, summary

__all__ = ["RULES", "Change", "Level", "Rule", "sorted_changes", "summary"]
