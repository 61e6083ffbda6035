"""Checks across articles that a build makes once every changed article is loaded.

Links from claims to claims (``claim-key`` or ``article-key#claim-key``) must name a claim that
exists in this build or in what is published, and no two fact files may share an article key.
The published articles are looked up in the build state, one key at a time, so a build that
changed a handful of articles never reads the other hundred thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import replace

from kgpub.articlework import ArticleOutcome, ClaimTable
from kgpub.buildstate import BuildState
from kgpub.collection_checks import claim_reference_problem
from kgpub.errors import Problem


def link_problems(
    outcomes: Iterable[ArticleOutcome], claims: ClaimTable, state: BuildState
) -> list[Problem]:
    """Links from these articles' claims that name no claim, at the line they are written."""
    claim_keys = _ClaimKeys(claims, state)
    found = []
    for outcome in outcomes:
        if outcome.key is None:
            continue
        for link in outcome.links:
            message = claim_reference_problem(link.reference, outcome.key, claim_keys)
            if message:
                found.append(replace(link.problem_at, message=message))
    return found


def duplicate_key_problems(outcomes: Iterable[ArticleOutcome], state: BuildState) -> list[Problem]:
    """Articles of this build whose key another fact file (of this build or published) has."""
    found = []
    first_path: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.key is None or outcome.key_at is None:
            continue
        other = first_path.setdefault(outcome.key, outcome.path)
        recorded = state.record_of_key(outcome.key)
        if other == outcome.path and recorded is not None and recorded.path != outcome.path:
            other = recorded.path
        if other != outcome.path:
            message = (
                f"article key {outcome.key!r} is also used by {other}; "
                "every article needs its own key"
            )
            found.append(replace(outcome.key_at, message=message))
    return found


class _ClaimKeys(Mapping[str, Set[str]]):
    """Article key → its claim keys: this build's articles first, then the published ones."""

    def __init__(self, claims: ClaimTable, state: BuildState) -> None:
        self.fresh: dict[str, set[str]] = {}
        for reference in claims:
            article_key, _, claim_key = reference.rpartition("#")
            self.fresh.setdefault(article_key, set()).add(claim_key)
        self.state = state

    def __getitem__(self, key: str) -> Set[str]:
        if key in self.fresh:
            return self.fresh[key]
        record = self.state.record_of_key(key)
        if record is None:
            raise KeyError(key)
        return set(record.claims)

    def __iter__(self) -> Iterator[str]:
        return iter(self.fresh)

    def __len__(self) -> int:
        return len(self.fresh)
