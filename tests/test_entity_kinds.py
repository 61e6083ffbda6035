from __future__ import annotations

import pytest

from kgpub.errors import InputError
from kgpub.loader import load_model, parse_document
from kgpub.model import Registry


def test_a_registry_entry_lists_the_keys_it_replaces_and_each_must_be_a_key() -> None:
    registry = "organizations:\n  sdf:\n    labels: {en: SDF}\n    replaces: [qsd, Old SDF]\n"
    with pytest.raises(InputError) as caught:
        load_model(parse_document(registry, "registry.yaml"), Registry)
    (problem,) = caught.value.problems
    assert (problem.pointer, problem.line) == ("/organizations/sdf/replaces/1", 4)
    assert "'Old SDF'" in problem.message
    fixed = load_model(parse_document(registry.replace(", Old SDF", ""), "r.yaml"), Registry)
    assert fixed.organizations["sdf"].replaces == ["qsd"]


def test_countries_replace_nothing_since_their_iri_is_their_iso_code() -> None:
    registry = "countries:\n  syria: {iso: SY, replaces: [sy]}\n"
    with pytest.raises(InputError) as caught:
        load_model(parse_document(registry, "registry.yaml"), Registry)
    (problem,) = caught.value.problems
    assert problem.pointer == "/countries/syria/replaces"
    assert "unknown field 'replaces'" in problem.message
