"""The checks of one fact file beyond what each of its fields allows on its own.

The model checks each field; these check how the fields of the registry or of one article fit
together: claim keys used twice, two claims that say exactly the same, links to claims of the
article that do not exist, an event given two entries in one claim, places, organizations or
facilities contained in themselves, and country codes ISO 3166 does not know. Each problem is
located at the field it is about. Merged entries are checked by :mod:`kgpub.merges`, references
to entities by :mod:`kgpub.references`, and what spans articles (article keys used twice,
links to other articles' claims) by :mod:`kgpub.collection` once every file is loaded, with
:func:`claim_reference_problem` from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set

from kgpub.entities import TABLE_OF_KIND, EntityId, EntityIndex, ReferenceProblem, is_country_code
from kgpub.entity_kinds import Country, Facility, Organization, Place
from kgpub.errors import Problem
from kgpub.merges import replacement_problems
from kgpub.model import Article, Claim, Registry
from kgpub.source_positions import SourceDocument, pointer_of


def registry_problems(
    registry: Registry, document: SourceDocument, index: EntityIndex
) -> Iterator[Problem]:
    """What is wrong with the registry beyond its fields: country codes, cycles, merges."""
    yield from country_problems(registry.countries, document, ())
    yield from cycle_problems(index, document, ())
    yield from replacement_problems(index, document, ())


def same_claim_problems(
    claims: list[Claim], digests: dict[str, str], document: SourceDocument
) -> Iterator[Problem]:
    """Two claims by the same claimant, with the same stance, asserting the same facts.

    They are one claim (a claim's IRI comes from what it says, so they would merge); its
    evidence, certainty and links belong together on one entry.
    """
    first_of: dict[str, int] = {}
    for number, claim in enumerate(claims):
        digest = digests.get(claim.key)
        if digest is None:
            continue
        if digest in first_of:
            yield document.problem(
                pointer_of(("claims", number)),
                f"claim {claim.key!r} says exactly what claim #{first_of[digest]} says (same "
                "claimant, stance and facts); merge them into one claim, listing all its "
                "evidence there",
            )
        first_of.setdefault(digest, number)


def own_claim_link_problems(article: Article, document: SourceDocument) -> Iterator[Problem]:
    """Links to claims of the article itself that name none of its claims.

    Checked with the article, before it is mapped (which needs each linked claim's digest);
    links to other articles are checked once those are loaded.
    """
    key = article.article.key
    own = {key: {claim.key for claim in article.claims}}
    for pointer, reference in claim_references(article):
        if reference.rpartition("#")[0] in {"", key}:
            message = claim_reference_problem(reference, key, own)
            if message:
                yield document.problem(pointer, message)


def repeated_event_problems(
    resolved: Mapping[tuple[str | int, ...], EntityId], document: SourceDocument
) -> Iterator[Problem]:
    """An event given two entries of one claim's ``asserts.events``.

    A claim says one thing about each event: two entries would publish two sets of facts
    (participants merged into one another) for the same event in the same graph.
    """
    first_entry: dict[tuple[str | int, EntityId], str | int] = {}
    for path, entity in resolved.items():
        if len(path) == 6 and path[0] == "claims" and path[2:4] == ("asserts", "events"):
            if path[5] != "event":
                continue
            first = first_entry.setdefault((path[1], entity), path[4])
            if first != path[4]:
                yield document.problem(
                    pointer_of(path),
                    f"{entity.kind} {entity.key!r} already has entry #{first} of this claim's "
                    "events; give each event one entry per claim, holding all its facts",
                )


def duplicate_claim_problems(claims: list[Claim], document: SourceDocument) -> Iterator[Problem]:
    """Claims whose key an earlier claim of the article already has."""
    first_of: dict[str, int] = {}
    for number, claim in enumerate(claims):
        if claim.key in first_of:
            yield document.problem(
                pointer_of(("claims", number, "key")),
                f"claim key {claim.key!r} is already used by claim #{first_of[claim.key]}; "
                "give each claim its own key",
            )
        first_of.setdefault(claim.key, number)


def country_problems(
    countries: dict[str, Country], document: SourceDocument, prefix: tuple[str, ...]
) -> Iterator[Problem]:
    """Countries whose ``iso`` is not an ISO 3166-1 alpha-2 code, in the table at ``prefix``."""
    for key, country in countries.items():
        if not is_country_code(country.iso):
            yield document.problem(
                pointer_of((*prefix, "countries", key, "iso")),
                f"{country.iso!r} is not an ISO 3166-1 alpha-2 code (Syria is SY, Iraq IQ)",
            )


def cycle_problems(
    index: EntityIndex, document: SourceDocument, prefix: tuple[str, ...]
) -> Iterator[Problem]:
    """Places contained in themselves, or organizations and facilities part of themselves."""
    for entity_id, _ in index.all_entities():
        seen = [entity_id]
        current: EntityId | None = entity_id
        while current is not None:
            current = _container(index, current)
            if current is None:
                break
            if current == entity_id:
                chain = " ⊂ ".join(e.key for e in [*seen, current])
                yield document.problem(
                    pointer_of((*prefix, TABLE_OF_KIND[entity_id.kind], entity_id.key)),
                    f"{entity_id.kind} {entity_id.key!r} contains itself ({chain}); "
                    "break the cycle",
                )
                break
            if current in seen:
                break
            seen.append(current)


def _container(index: EntityIndex, entity_id: EntityId) -> EntityId | None:
    entity = index.get(entity_id)
    try:
        if isinstance(entity, Place) and entity.contained_in:
            return index.resolve(entity.contained_in, ("place", "country"))
        if isinstance(entity, Organization) and entity.part_of:
            return index.resolve(entity.part_of, ("organization",))
        if isinstance(entity, Facility) and entity.part_of:
            return index.resolve(entity.part_of, ("facility",))
    except ReferenceProblem:  # reported where the reference is written
        return None
    return None


CLAIM_LINKS = ("confirms", "denies", "reframes", "supersedes")


def claim_references(article: Article) -> Iterator[tuple[str, str]]:
    """``(pointer, reference)`` for every link from one of the article's claims to a claim."""
    for number, claim in enumerate(article.claims):
        for relation in CLAIM_LINKS:
            for position, reference in enumerate(getattr(claim, relation)):
                yield pointer_of(("claims", number, relation, position)), reference


def claim_reference_problem(
    reference: str, from_article: str, claims_of: Mapping[str, Set[str] | Mapping[str, str]]
) -> str | None:
    """Why a claim reference names no claim (``None`` when it does)."""
    article_key, _, claim_key = reference.rpartition("#")
    target = claims_of.get(article_key or from_article)
    if target is None:
        return f"no article has the key {article_key!r}; check the part before '#'"
    if claim_key not in target:
        known = ", ".join(sorted(target)) or "none"
        named = article_key or from_article
        return f"article {named!r} has no claim {claim_key!r} (its claims: {known})"
    return None
