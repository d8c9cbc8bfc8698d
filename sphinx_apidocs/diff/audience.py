"""``diff --audience``: the changes one audience can see, and items moved out of its sight.

Both releases are compared as the audience's views (``spec.audience.audience_view``), so a
change to an item of a narrower audience never shows; an operation the audience saw before
that is still in the later release, only marked for a narrower audience, is
``operation-audience-narrowed`` (breaking for this audience) rather than removed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sphinx_apidocs.diff.change import Change, sorted_changes
from sphinx_apidocs.diff.compare import diff_specs
from sphinx_apidocs.spec.audience import AudienceOrder, audience_view, operation_audiences
from sphinx_apidocs.spec.model import ApiSpec


def audience_diff(
    old: ApiSpec, new: ApiSpec, old_filters: Any, new_filters: Any, audience: str, order: AudienceOrder
) -> list[Change]:
    """The changes ``audience`` sees from ``old`` to ``new`` (filters: as ``diff_specs``, already
    those of the audience)."""
    changes = diff_specs(audience_view(old, audience, order), audience_view(new, audience, order), old_filters, new_filters)
    later = operation_audiences(new, order)
    result = []
    for change in changes:
        narrower = later.get(change.operation, audience)
        if change.id == "operation-removed" and narrower != audience and change.operation in later:
            shown = narrower or "no audience (an unknown mark)"
            change = dataclasses.replace(
                change,
                id="operation-audience-narrowed",
                old=audience,
                new=narrower or None,
                message=f"{change.method} {change.path} ({change.operation}): now for {shown} only; {audience} clients lose it",
            )
        result.append(change)
    return sorted_changes(result)
