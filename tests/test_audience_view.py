"""``spec.audience.audience_view`` for random marks: an audience's view never holds an
operation or property marked for a narrower audience (or marked with an unknown name), always
holds every unmarked operation when the default audience is within its sight, and a wider
audience's view is part of a narrower one's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.spec.audience import AudienceOrder, audience_view
from sphinx_apidocs.spec.model import ApiPath, ApiSpec, Model, Operation, Property, Resource, TypeRef

ORDER = AudienceOrder(("public", "partner", "internal"))
MARK = st.lists(st.sampled_from(["public", "partner", "internal", "secret"]), max_size=2).map(tuple)


@st.composite
def specs(draw: st.DrawFn) -> ApiSpec:
    resources = []
    for r in range(draw(st.integers(1, 3))):
        props = tuple(Property(f"f{r}_{i}", TypeRef("string"), audiences=draw(MARK)) for i in range(draw(st.integers(0, 4))))
        model = Model(f"M{r}", props)
        ops = tuple(
            Operation("GET", f"/r{r}/o{i}", f"op{r}_{i}", response_type=TypeRef(ref=f"M{r}"), resource_path=f"/r{r}", audiences=draw(MARK))
            for i in range(draw(st.integers(0, 3)))
        )
        resources.append(Resource(f"/r{r}", apis=(ApiPath(f"/r{r}", operations=ops),), models={f"M{r}": model}, audiences=draw(MARK)))
    return ApiSpec(swagger_version="1.2", resources=tuple(resources))


def allowed(marks: tuple[str, ...], audience: str) -> bool:
    if any(m not in ORDER.names for m in marks):
        return False
    rank = max((ORDER.names.index(m) for m in marks), default=0)
    return rank <= ORDER.names.index(audience)


@given(specs())
def test_a_view_holds_exactly_what_its_audience_may_see(spec: ApiSpec) -> None:
    views = {audience: audience_view(spec, audience, ORDER) for audience in ORDER.names}
    for audience, view in views.items():
        seen = {op.nickname for op in view.operations}
        assert all(allowed(op.audiences, audience) for op in view.operations)
        resource_ok = {r.resource_path: allowed(r.audiences, audience) for r in spec.resources}
        assert seen == {op.nickname for op in spec.operations if allowed(op.audiences, audience) and resource_ok[op.resource_path]}
        for resource in view.resources:
            for model in resource.models.values():
                assert all(allowed(p.audiences, audience) for p in model.properties)
                assert model.id in {op.response_type.ref for op in view.operations}  # only reached models
    for wider, narrower in zip(ORDER.names, ORDER.names[1:]):
        assert {op.nickname for op in views[wider].operations} <= {op.nickname for op in views[narrower].operations}
