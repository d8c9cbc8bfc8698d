"""Natural version ordering (``sphinx_apidocs.versions.version_key``)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.versions import sorted_versions, version_key


def test_the_orders_of_the_issue() -> None:
    assert sorted_versions(["202202", "202201.02", "202201.01"]) == ["202201.01", "202201.02", "202202"]
    assert sorted_versions(["v10", "v2", "v1"]) == ["v1", "v2", "v10"]
    assert sorted_versions(["1.0.1", "1.0", "1.10", "1.9"]) == ["1.0", "1.0.1", "1.9", "1.10"]
    assert sorted_versions(["V2", "v1", "v10"]) == ["v1", "V2", "v10"]


def test_a_shuffled_list_sorts_back() -> None:
    ordered = ["v1", "v1.1", "v1.2", "v1.10", "v2", "v2-beta", "v10", "202201.01", "202201.02", "202202"]
    expected = sorted_versions(ordered)
    for seed in range(20):
        shuffled = ordered[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted_versions(shuffled) == expected


@given(st.lists(st.text(alphabet="v0123456789.-ab", max_size=8), max_size=8))
def test_the_order_is_total_and_consistent(names: list[str]) -> None:
    once = sorted_versions(names)
    assert sorted_versions(once) == once
    for a, b in zip(once, once[1:]):
        assert version_key(a) <= version_key(b)
        if a != b:
            assert version_key(a) != version_key(b)  # distinct names never tie


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_numbers_compare_as_numbers(a: int, b: int) -> None:
    assert (version_key(f"v{a}") < version_key(f"v{b}")) == (a < b)
