"""Mutations of a draft's data: wrong types, missing or unknown fields, huge values, unicode
tricks, impossible dates, inconsistent figures, cyclic containment, contradictory claims.

Each returns False where it does not apply (a registry without places has no containment to
turn into a cycle). :mod:`tests.fact_file_mutations` says which refusal each one promises.
"""

from __future__ import annotations

import copy
import json
import unicodedata

from hypothesis import strategies as st

from kgpub.assertions import Observation
from kgpub.model import Article, Registry

from .fact_file_collections import Draft
from .fact_file_places import (
    Slot,
    data_path,
    draw_slot,
    model_nodes,
    model_of,
    reference_slots,
    set_slot,
    slot_value,
    value_slots,
)
from .fact_file_strategies import keys

LOOK_ALIKES = str.maketrans("aceopxyi", "асеорхуі")
"""Latin letters → Cyrillic letters that look the same."""
TRICKS = ("\u202e", "\u200d", "\u200b", "\ufeff", "\x00", "\u2028", "\u0301", "\U0001f4a3")
"""Right-to-left override, zero-width joiner and space, BOM, NUL, line separator, a combining
accent, an emoji."""
BAD_DATES = ("2022-02-30", "2023-02-29", "2022-13", "2022-00-10", "0000", "20222", "2022-1-5")
BAD_DATES += ("-2022", "2022/01/20", "", "2022-01-20T10:00", "twenty")
BAD_FIGURES = (
    {"qualifier": "exact", "value": 3, "min": 1},
    {"qualifier": "range", "value": 5, "min": 1, "max": 9},
    {"qualifier": "range", "min": 9, "max": 1},
    {"qualifier": "unknown", "value": 3},
    {"qualifier": "less-than", "value": 0},
    {"qualifier": "at-least", "value": 5, "min": 5},
    {"qualifier": "unknown-non-zero", "value": 4},
)
"""Figures the ObservationShape qualifier rules refuse."""


def missing_required(draw: st.DrawFn, draft: Draft) -> bool:
    """A required field left out."""
    path = data_path(draw, draft)
    if path is None:
        return False
    slots = [
        (node, name)
        for model, node in model_nodes(draft.data[path], model_of(path))
        for name, info in model.model_fields.items()
        if info.is_required() and name in node
    ]
    slot = draw_slot(draw, slots)
    if slot is not None:
        del slot[0][slot[1]]
    return slot is not None


def unknown_field(draw: st.DrawFn, draft: Draft) -> bool:
    """A field the model does not have, with any name."""
    path = data_path(draw, draft)
    if path is None:
        return False
    nodes = list(model_nodes(draft.data[path], model_of(path)))
    model, node = nodes[draw(st.integers(0, len(nodes) - 1))]
    name = draw(st.text(min_size=1, max_size=12).filter(lambda n: n not in model.model_fields))
    node[name] = draw(st.integers() | st.text(max_size=5))
    return True


def look_alike_field(draw: st.DrawFn, draft: Draft) -> bool:
    """A field name that looks right: Cyrillic letters, zero-width or bidi characters, capitals."""
    path = data_path(draw, draft)
    if path is None:
        return False
    slot = draw_slot(
        draw, [(n, k) for _, n in model_nodes(draft.data[path], model_of(path)) for k in n]
    )
    if slot is None:
        return False
    node, name = slot
    variants = (
        name.translate(LOOK_ALIKES),
        name + "\u200b",
        "\u202e" + name,
        name.upper(),
        unicodedata.normalize("NFKC", name).replace("_", "\uff3f"),
    )
    variant = draw(st.sampled_from([v for v in variants if v != name] or [name + "\u200b"]))
    node[variant] = node.pop(name)
    return True


def wrong_type(draw: st.DrawFn, draft: Draft) -> bool:
    """A value of another JSON type than the field takes."""
    path = data_path(draw, draft)
    slot = draw_slot(draw, value_slots(draft.data[path])) if path else None
    if slot is None:
        return False
    others = st.one_of(
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.text(max_size=5),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
    set_slot(slot, draw(others.filter(lambda v: type(v) is not type(slot_value(slot)))))
    return True


def huge_value(draw: st.DrawFn, draft: Draft) -> bool:
    """Numbers past any bound (and past what Python prints), long texts, long lists."""
    path = data_path(draw, draft)
    slot = draw_slot(draw, value_slots(draft.data[path])) if path else None
    if slot is None:
        return False
    choice = draw(st.integers(0, 6))
    if choice < 4:  # written as text: Python would refuse to print the longest numbers
        digits = ("1" + "0" * 13, "-1", str(2**64), "9" * draw(st.sampled_from((400, 5000))))
        set_slot(slot, draft.splice(digits[choice]))
    elif choice < 6:
        set_slot(
            slot, draw(st.sampled_from(("x", "é", "\U0001f4a3"))) * (2001 if choice == 4 else 10**5)
        )
    elif isinstance(slot_value(slot), list) and slot_value(slot):
        slot_value(slot).extend([copy.deepcopy(slot_value(slot)[0]) for _ in range(300)])
    else:
        set_slot(slot, [0] * 5000)
    return True


def deep_nesting(draw: st.DrawFn, draft: Draft) -> bool:
    """Lists or mappings nested 65 to 100,000 levels deep."""
    path = data_path(draw, draft)
    slot = draw_slot(draw, value_slots(draft.data[path])) if path else None
    if slot is None:
        return False
    depth = draw(st.sampled_from((65, 300, 1200, 6000, 100_000)))
    nested = draw(
        st.sampled_from(("[" * depth + "]" * depth, '{"a": ' * depth + "1" + "}" * depth))
    )
    set_slot(slot, draft.splice(nested))
    return True


def unicode_trick(draw: st.DrawFn, draft: Draft) -> bool:
    """Bidi overrides, zero-width characters, NUL, other normal forms, half a surrogate pair."""
    path = data_path(draw, draft)
    text_slots = (
        [s for s in value_slots(draft.data[path]) if isinstance(slot_value(s), str)] if path else []
    )
    slot = draw_slot(draw, text_slots)
    if slot is None:
        return False
    text, trick = slot_value(slot), draw(st.integers(0, len(TRICKS) + 2))
    if trick < len(TRICKS):
        at = draw(st.integers(0, len(text)))
        set_slot(slot, text[:at] + TRICKS[trick] + text[at:])
    elif trick == len(TRICKS):
        set_slot(slot, unicodedata.normalize(draw(st.sampled_from(("NFD", "NFKC"))), text))
    elif trick == len(TRICKS) + 1:
        set_slot(slot, text.translate(LOOK_ALIKES))
    else:  # half a surrogate pair: JSON and YAML escapes can write one, UTF-8 cannot
        set_slot(slot, draft.splice(json.dumps(text)[:-1] + '\\ud800"'))
    return True


def impossible_date(draw: st.DrawFn, draft: Draft) -> bool:
    """Days that do not exist, malformed dates, periods ending before they start."""
    path = data_path(draw, draft, Article)
    if path is None:
        return False
    article = draft.data[path]
    slots: list[Slot] = [(article["article"], "published")]
    for model, node in model_nodes(article, Article):
        for name, info in model.model_fields.items():
            if name in node and "DateSpec" in str(info.annotation):
                slots.append((node, name))
    slot = draw_slot(draw, slots)
    assert slot is not None
    if draw(st.booleans()):
        set_slot(slot, draw(st.sampled_from(BAD_DATES)))
    else:  # a period that ends before it starts
        set_slot(
            slot, {"value": "2022-05-10", "until": draw(st.sampled_from(("2022-05-09", "2021")))}
        )
    return True


def inconsistent_figure(draw: st.DrawFn, draft: Draft) -> bool:
    """A count whose figures contradict its qualifier."""
    path = data_path(draw, draft, Article)
    counts = (
        [n for m, n in model_nodes(draft.data[path], Article) if m is Observation] if path else []
    )
    if not counts:
        return False
    count = counts[draw(st.integers(0, len(counts) - 1))]
    for name in ("qualifier", "value", "min", "max"):
        count.pop(name, None)
    count.update(draw(st.sampled_from(BAD_FIGURES)))
    return True


def cyclic_containment(draw: st.DrawFn, draft: Draft) -> bool:
    """A place, organization or facility inside itself, directly or through another."""
    path = data_path(draw, draft, Registry)
    if path is None:
        return False
    registry = draft.data[path]
    table, link = draw(
        st.sampled_from(
            (("places", "contained_in"), ("organizations", "part_of"), ("facilities", "part_of"))
        )
    )
    entries = sorted(registry.get(table, {}))
    if not entries:
        return False
    first, second = draw(st.sampled_from(entries)), draw(st.sampled_from(entries))
    registry[table][first][link] = second
    registry[table][second][link] = first  # when both are one entry: it contains itself
    return True


def contradictory_claim(draw: st.DrawFn, draft: Draft) -> bool:
    """A claim confirming itself, confirming and denying one claim, or denied by its claimant."""
    path = data_path(draw, draft, Article)
    if path is None:
        return False
    claims = draft.data[path]["claims"]
    claim = claims[draw(st.integers(0, len(claims) - 1))]
    other = draw(st.sampled_from([c["key"] for c in claims]))
    agents = sorted(
        {*claim.get("confirmed_by", ()), *claim.get("denied_by", ()), claim["claimant"]}
    )
    party = draw(st.sampled_from(agents))
    contradiction = draw(st.integers(0, 4))
    if contradiction == 0:  # a claim confirming itself
        claim.setdefault("confirms", []).append(claim["key"])
    elif contradiction == 1:  # confirming and denying the same claim
        claim.setdefault("confirms", []).append(other)
        claim.setdefault("denies", []).append(other)
    elif contradiction == 2:  # a party both confirming and denying it
        claim.setdefault("confirmed_by", []).append(party)
        claim.setdefault("denied_by", []).append(party)
    elif contradiction == 3:  # denied by its own claimant
        claim.setdefault("denied_by", []).append(claim["claimant"])
    else:  # reframing, while saying it affirms
        claim["stance"] = "affirms"
        claim.setdefault("reframes", []).append(other)
    return True


def broken_keys(draw: st.DrawFn, draft: Draft) -> bool:
    """Claim and article keys used twice, links to no claim, a registry key declared again."""
    path = data_path(draw, draft, Article)
    if path is None:
        return False
    article, breakage = draft.data[path], draw(st.integers(0, 3))
    claims = article["claims"]
    # Other files are read only while no mutation has changed them.
    intact = [p for p in draft.data if p not in draft.touched and p not in draft.raw]
    if breakage == 0:  # two claims with one key
        claims.append({**copy.deepcopy(claims[-1]), "key": claims[0]["key"]})
    elif breakage == 1:  # a link to a claim that does not exist
        where = draw(st.sampled_from(("confirms", "denies", "supersedes")))
        claims[0].setdefault(where, []).append(draw(st.sampled_from(("nowhere", "no-article#c"))))
    elif breakage == 2:  # two articles with one key
        others = [p for p in intact if model_of(p) is Article]
        if not others:
            return False
        article["article"]["key"] = draft.data[others[0]]["article"]["key"]
    else:  # a local entity reusing a registry key
        registries = [p for p in intact if model_of(p) is Registry]
        events = sorted(draft.data[registries[0]].get("events", {})) if registries else []
        if not events:
            return False
        local = article.setdefault("entities", {}).setdefault("events", {})
        local[events[0]] = {"labels": {"en": "Declared again"}}
    return True


def unknown_reference(draw: st.DrawFn, draft: Draft) -> bool:
    """A reference naming nothing: a typo, look-alike letters, a zero-width space."""
    path = data_path(draw, draft)
    slot = draw_slot(draw, reference_slots(draft.data[path], model_of(path))) if path else None
    if slot is None:
        return False
    written = slot_value(slot)
    variants = (
        written.translate(LOOK_ALIKES),
        "unknown-entity-" + draw(keys()),
        written + "\u200b",
    )
    set_slot(slot, draw(st.sampled_from([v for v in variants if v != written])))
    return True


def shared_anchor(draw: st.DrawFn, draft: Draft) -> bool:
    """One mapping used twice, which YAML writes as an anchor and an alias."""
    path = data_path(draw, draft, Registry)
    if path is None:
        return False
    entities = [e for table in draft.data[path].values() for e in table.values()]
    labelled = [e for e in entities if "labels" in e]
    if len(labelled) < 2:
        return False
    labelled[1]["labels"] = labelled[0]["labels"]  # one object twice: YAML writes an alias
    return True
