"""Hypothesis strategies for whole valid collections, and the files they are written as.

A collection is a registry with at least one entity of every kind and one to three articles;
the articles' claims link to claims of the same or earlier articles. Containment only points
at entities generated earlier, so it has no cycles. Each file is written as YAML or JSON, in
one of the names kgpub reads.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from kgpub.assertions import Assertions
from kgpub.collection import fact_files, registry_path
from kgpub.collection_checks import CLAIM_LINKS
from kgpub.entities import ENTITY_KINDS, TABLE_OF_KIND
from kgpub.entity_kinds import Entity, EntityTables
from kgpub.loader import read_document
from kgpub.model import ArticleMetadata, Claim, Mention

from .fact_file_references import LANGUAGES, Scope, resolve
from .fact_file_strategies import COUNTRY_NAMES, ISO_CODES, field_values, keys, model_values

YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
MODEL_OF_KIND = {
    kind: typing.get_args(EntityTables.model_fields[table].annotation)[1]
    for kind, table in TABLE_OF_KIND.items()
}
CONTAINED = ("organization", "place", "facility")
"""Kinds whose entities may sit inside another of their kind (``part_of``, ``contained_in``)."""
PARTIES = ("confirmed_by", "not_confirmed_by", "denied_by")
AGENTS = ("organization", "person")


@dataclass
class Draft:
    """A collection before it is written: each file's data, or the bytes that replace it."""

    data: dict[str, Any]
    """Relative path → the file's data, written as JSON or YAML by the path's suffix."""
    styles: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)
    """Relative path → bytes written instead of the data (after mutations of the text)."""
    touched: set[str] = field(default_factory=set)
    """Files whose data a mutation changed: the next mutates another, so that each finds the
    file as valid as it expects."""
    splices: dict[str, str] = field(default_factory=dict)
    """Placeholder → the text written in its place, for what the data cannot hold (numbers
    too long to print, YAML syntax, escapes of lone surrogates)."""
    mutations: list[str] = field(default_factory=list)
    refused_by: str | None = None
    """Where a refusal must come at the latest: ``load``, ``validation``, or None (no promise)."""

    def text(self, path: str) -> str:
        """The file as written from its data (or as its text was last mutated)."""
        if path in self.raw:
            return self.raw[path].decode("utf-8", errors="surrogateescape")
        style = self.styles.get(path, {})
        if path.endswith(".json"):
            text = json.dumps(self.data[path], **style) + "\n"
        else:
            text = yaml.dump(
                self.data[path], Dumper=YAML_DUMPER, allow_unicode=True, sort_keys=False, **style
            )
        for placeholder, spliced in self.splices.items():
            text = re.sub(f"([\"']?){placeholder}\\1", lambda _, s=spliced: s, text)
        return text

    def splice(self, text: str) -> str:
        """A placeholder to put in the data, written as ``text`` in the file."""
        placeholder = f"kgpubsplice{len(self.splices)}x"
        self.splices[placeholder] = text
        return placeholder

    def files(self) -> dict[str, bytes]:
        """Relative path → the bytes of every file."""
        return {
            path: self.raw[path]
            if path in self.raw
            else self.text(path).encode("utf-8", "surrogatepass")
            for path in self.paths()
        }

    def paths(self) -> list[str]:
        """The relative path of every file."""
        return sorted({*self.data, *self.raw})

    def write(self, root: Path) -> Path:
        """Write every file under ``root`` (which must not hold other fact files)."""
        for path, content in self.files().items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return root

    @classmethod
    def of_folder(cls, root: Path) -> Draft:
        """The collection in ``root``, read as kgpub reads it (its comments are lost)."""
        paths = [registry_path(root), *fact_files(root)]
        return cls({p.relative_to(root).as_posix(): read_document(p).data for p in paths})

    def describe(self) -> str:
        """What the draft is, for a failure message."""
        return ", ".join(self.mutations) or "valid"

    def __repr__(self) -> str:
        sizes = ", ".join(f"{path}: {len(content)} bytes" for path, content in self.files().items())
        return f"<Draft {self.describe()}: {sizes}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints drafts in failure reports the short way, too."""
        printer.text(repr(self))


@st.composite
def registries(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """A registry holding one or two entities of every kind, and its keys by kind."""
    sizes = {kind: draw(st.integers(1, 2)) for kind in ENTITY_KINDS}
    drawn = draw(st.lists(keys(), min_size=sum(sizes.values()), max_size=22, unique=True))
    by_kind: dict[str, tuple[str, ...]] = {}
    for kind, size in sizes.items():
        by_kind[kind], drawn = tuple(drawn[:size]), drawn[size:]
    isos = draw(
        st.lists(st.sampled_from(ISO_CODES), min_size=sizes["country"], max_size=3, unique=True)
    )
    names = {**by_kind, "country": (*by_kind["country"], *COUNTRY_NAMES)}
    tables = draw(entity_tables(by_kind, names))
    for key, iso in zip(by_kind["country"], isos, strict=False):
        tables["countries"][key]["iso"] = iso
    if "replaces" in Entity.model_fields:  # former keys, each replaced by one entity
        survivors = [(TABLE_OF_KIND[k], key) for k in CONTAINED for key in by_kind[k]]
        for former in drawn[:3]:
            table, key = draw(st.sampled_from(survivors))
            tables[table][key].setdefault("replaces", []).append(former)
    return tables, names


@st.composite
def entity_tables(
    draw: st.DrawFn, own: dict[str, tuple[str, ...]], names: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """Entities for the keys in ``own``, referring to ``names`` (which include ``own``).

    An organization, place or facility may sit only inside one generated before it.
    """
    tables: dict[str, Any] = {}
    for kind, kind_keys in own.items():
        table = tables.setdefault(TABLE_OF_KIND[kind], {})
        for number, key in enumerate(kind_keys):
            later = kind_keys[number:] if kind in CONTAINED else ()
            visible = {**names, kind: tuple(k for k in names[kind] if k not in later)}
            table[key] = resolve(draw(model_values(MODEL_OF_KIND[kind])), Scope(visible))
    return tables


def claim_identity(claim: dict[str, Any]) -> str:
    """What makes two claims the same claim: claimant, stance and (validated) assertions."""
    asserts = Assertions.model_validate(claim["asserts"]).model_dump(
        mode="json", exclude_defaults=True
    )
    stance = claim.get("stance", "affirms")
    return json.dumps([claim["claimant"], stance, asserts], sort_keys=True)


def one_entry_per_event(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim with a single entry per event in ``asserts.events`` (as kgpub requires)."""
    if "events" in claim["asserts"]:
        by_event: dict[str, Any] = {}
        for facts in claim["asserts"]["events"]:
            by_event.setdefault(facts["event"], facts)
        claim["asserts"]["events"] = list(by_event.values())
    return claim


@st.composite
def articles(
    draw: st.DrawFn,
    key: str,
    names: dict[str, tuple[str, ...]],
    earlier: dict[str, str],
) -> dict[str, Any]:
    """One fact file; ``earlier`` maps ``article#claim`` of earlier articles to claimants."""
    local_keys = [
        k
        for k in draw(st.lists(keys(), max_size=2, unique=True))
        if not any(k in taken for taken in names.values())
    ]
    own: dict[str, tuple[str, ...]] = {}
    for local_key in local_keys:
        kind = draw(st.sampled_from(("event", "organization", "place")))
        own[kind] = (*own.get(kind, ()), local_key)
    visible = {kind: (*names[kind], *own.get(kind, ())) for kind in names}
    scope = Scope(visible, draw(st.sampled_from(LANGUAGES)))
    metadata = {**resolve(draw(model_values(ArticleMetadata)), scope), "key": key}
    drawn = draw(
        st.lists(field_values(Claim, skip=("key", *CLAIM_LINKS, *PARTIES)), min_size=1, max_size=3)
    )
    resolved = [one_entry_per_event(claim) for claim in resolve(drawn, scope)]
    claims = list({claim_identity(c): c for c in resolved}.values())
    claim_keys = draw(st.lists(keys(), min_size=len(claims), max_size=len(claims), unique=True))
    linkable = dict(earlier)
    for claim_key, claim in zip(claim_keys, claims, strict=True):
        draw(_links(claim, linkable, key))
        draw(_parties(claim, scope.named(AGENTS)))
        linkable[f"{key}#{claim_key}"] = claim["claimant"]
    article: dict[str, Any] = {"article": metadata}
    if own:
        article["entities"] = draw(entity_tables(own, visible))
    mentions = resolve(draw(st.lists(model_values(Mention), max_size=2)), scope)
    if mentions:
        article["mentions"] = mentions
    article["claims"] = [{"key": k, **c} for k, c in zip(claim_keys, claims, strict=True)]
    return article


@st.composite
def _links(draw: st.DrawFn, claim: dict[str, Any], linkable: dict[str, str], article: str) -> None:
    """Links to earlier claims by other claimants, one relation per claim (ClaimShape)."""
    others = sorted(ref for ref, claimant in linkable.items() if claimant != claim["claimant"])
    if not others:
        return
    relations = [r for r in CLAIM_LINKS if r != "reframes" or claim.get("stance") == "reframes"]
    for reference in draw(st.lists(st.sampled_from(others), max_size=2, unique=True)):
        own_article, _, claim_key = reference.partition("#")
        written = claim_key if own_article == article and draw(st.booleans()) else reference
        claim.setdefault(draw(st.sampled_from(relations)), []).append(written)


@st.composite
def _parties(draw: st.DrawFn, claim: dict[str, Any], agents: tuple[str, ...]) -> None:
    """Parties other than the claimant, each taking one position (ClaimShape)."""
    others = [agent for agent in agents if agent != claim["claimant"]]
    if not others:
        return
    for party in draw(st.lists(st.sampled_from(others), max_size=2, unique=True)):
        claim.setdefault(draw(st.sampled_from(PARTIES)), []).append(party)


@st.composite
def valid_collections(draw: st.DrawFn) -> Draft:
    """A registry and one to three articles that load and conform to the shapes."""
    registry, names = draw(registries())
    draft = Draft(
        {draw(st.sampled_from(("registry.yaml", "registry.yml", "registry.json"))): registry}
    )
    article_keys = draw(st.lists(keys(), min_size=1, max_size=3, unique=True))
    earlier: dict[str, str] = {}
    for article_key in article_keys:
        article = draw(articles(article_key, names, earlier))
        for claim in article["claims"]:
            earlier[f"{article_key}#{claim['key']}"] = claim["claimant"]
        folder = draw(st.sampled_from(("articles/", "articles/2022/")))
        suffix = draw(st.sampled_from((".yaml", ".yml", ".json")))
        draft.data[f"{folder}{article_key}{suffix}"] = article
    for path in draft.data:
        draft.styles[path] = draw(_styles(path))
    return draft


def _styles(path: str) -> st.SearchStrategy[dict[str, Any]]:
    if path.endswith(".json"):
        return st.fixed_dictionaries(
            {"ensure_ascii": st.booleans(), "indent": st.sampled_from((None, 1, 2))}
        )
    return st.fixed_dictionaries(
        {"default_flow_style": st.sampled_from((False, None)), "width": st.sampled_from((80, 4096))}
    )
