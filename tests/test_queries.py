"""Each competency question has a query in examples/queries/, and its answer is asserted here."""

from __future__ import annotations

import shutil

import pytest

from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore

from .conftest import EXAMPLES

QUERIES = EXAMPLES / "queries"
Row = dict[str, str]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    root = tmp_path_factory.mktemp("examples") / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".kgpub"))
    settings = load_settings(root, env={})
    summary = build_collection(root, settings)
    assert summary.published, [str(p) for p in summary.problems]
    return EmbeddedStore(settings.store_path(root))


def ask(store: EmbeddedStore, name: str) -> list[Row]:
    (path,) = QUERIES.glob(f"{name}-*.rq")
    solutions = store.query(path.read_text(encoding="utf-8"))
    names = [v.value for v in solutions.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in solutions]


def test_every_competency_question_has_a_query() -> None:
    numbers = sorted(p.name.split("-")[0] for p in QUERIES.glob("*.rq"))
    assert numbers == ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11",
                       "12", "14", "15", "19", "20"]  # fmt: skip


def test_q01_the_seed_mentions_the_organizations_under_their_surface_forms(
    published: EmbeddedStore,
) -> None:
    seed = {r["label"]: r["forms"] for r in ask(published, "01") if "lemonde" in r["article"]}
    assert {"OSDH", "SDF", "FDS"} <= set(
        (
            seed["Syrian Observatory for Human Rights"] + " | " + seed["Syrian Democratic Forces"]
        ).split(" | ")
    )
    assert {"IS", "Daesh", "jihadists"} <= set(seed["Islamic State"].split(" | "))
    assert "Le Monde" in seed and "Agence France-Presse" in seed
    assert any("Kurdish security forces" in label for label in seed)


def test_q02_acronyms_in_every_language_denote_one_entity(published: EmbeddedStore) -> None:
    denotes = {r["name"]: r["entity"].rsplit("/", 1)[-1] for r in ask(published, "02")}
    assert denotes["OSDH"] == denotes["SOHR"] == "sohr"
    assert denotes["FDS"] == denotes["SDF"] == "sdf"
    assert {denotes[n] for n in ("Daesh", "ISIS", "ISIL", "EI")} == {"islamic-state"}
    assert denotes["Ferhad Sahmi"] == "farhad-shami"


def test_q03_the_attack_happened_on_20_january_2022_at_day_precision(
    published: EmbeddedStore,
) -> None:
    attack = [r for r in ask(published, "03") if r["type"] == "attack"]
    assert {(r["date"], r["precision"]) for r in attack} == {("2022-01-20", "day")}


def test_q04_is_attacked_and_the_guards_were_targeted(published: EmbeddedStore) -> None:
    rows = ask(published, "04")
    attackers = {r["party"] for r in rows if r["role"] == "attacker"}
    targets = {r["party"] for r in rows if r["role"] == "target"}
    assert attackers == {"Islamic State"}
    assert any("Kurdish security forces" in t for t in targets)
    assert {"Syrian Observatory for Human Rights", "Syrian Democratic Forces"} <= {
        r["claimant"] for r in rows if r["role"] == "attacker"
    }


def test_q05_the_prison_sits_in_ghwayran_hasakah_the_governorate_and_syria(
    published: EmbeddedStore,
) -> None:
    kinds = [r["kind"] for r in ask(published, "05")]
    assert kinds == ["neighbourhood", "city", "admin-region", "country"]


def test_q06_the_attack_is_made_of_its_sub_events(published: EmbeddedStore) -> None:
    types = {r["type"] for r in ask(published, "06")}
    assert {"vehicle-bombing", "explosion", "armed-assault", "prison-escape",
            "escape-attempt", "air-illumination"} <= types  # fmt: skip


def test_q07_the_escape_is_unconfirmed_by_the_sdf_not_denied(published: EmbeddedStore) -> None:
    rows = ask(published, "07")
    osdh = [r for r in rows if r["type"] == "prison-escape"]
    assert {r["status"] for r in osdh} == {"unconfirmed"}
    assert {r["notConfirmedBy"] for r in osdh} == {"Syrian Democratic Forces"}
    sdf = [r for r in rows if r["type"] == "escape-attempt"]
    assert {r["stance"] for r in sdf} == {"reframes"}


def test_q08_the_number_of_escapees_is_unknown_but_at_least_one(published: EmbeddedStore) -> None:
    (row,) = ask(published, "08")
    assert (row["qualifier"], row["minimum"], row["value"]) == ("unknown-non-zero", "1", "")


def test_q09_osdh_claims_cover_the_bombing_escape_toll_reinforcements_and_flares(
    published: EmbeddedStore,
) -> None:
    asserted = " ".join(r["asserts"] for r in ask(published, "09") if "lemonde" in r["article"])
    for expected in ("vehicle-bombing", "armed-assault", "prison-escape", "deaths",
                     "reinforcement", "cordon", "air-illumination"):  # fmt: skip
        assert expected in asserted


def test_q10_the_sdf_and_its_spokesman_each_have_claims(published: EmbeddedStore) -> None:
    rows = ask(published, "10")
    assert {r["speaker"] for r in rows} == {"Syrian Democratic Forces", "Farhad Shami"}
    assert any("escape-attempt" in r["asserts"] for r in rows)
    assert any("controlledBy" in r["asserts"] for r in rows if r["speaker"] == "Farhad Shami")


def test_q11_only_the_escape_claim_is_unconfirmed_and_reframed(published: EmbeddedStore) -> None:
    rows = ask(published, "11")
    assert {(r["how"], r["party"]) for r in rows} == {
        ("not confirmed by", "Syrian Democratic Forces"),
        ("reframed by", "Syrian Democratic Forces"),
    }
    assert len({r["claim"] for r in rows}) == 1


def test_q12_the_attack_by_is_is_affirmed_by_osdh_and_the_sdf(published: EmbeddedStore) -> None:
    rows = ask(published, "12")
    attacker = [r for r in rows if r["predicate"].endswith("#attacker")]
    assert attacker and attacker[0]["object"].endswith("/islamic-state")
    assert {"Syrian Observatory for Human Rights", "Syrian Democratic Forces"} <= set(
        attacker[0]["by"].split(", ")
    )


def test_q14_about_12000_detainees_are_held_custodian_wide(published: EmbeddedStore) -> None:
    (row,) = ask(published, "14")
    assert (row["value"], row["qualifier"]) == ("12000", "approximately")
    assert "Autonomous Administration" in row["custodian"]
    assert row["scope"]


def test_q15_more_than_50_nationalities_is_an_exclusive_bound(published: EmbeddedStore) -> None:
    (row,) = ask(published, "15")
    assert (row["qualifier"], row["minimum"], row["bound"]) == ("more-than", "51", "50")
    assert row["claimant"] == ask(published, "14")[0]["claimant"]


def test_q19_events_at_the_prison_run_from_the_attack_to_the_retaking(
    published: EmbeddedStore,
) -> None:
    rows = ask(published, "19")
    assert rows[0]["date"] == "2022-01-20"
    assert rows[-1]["type"] == "retaking-control" and rows[-1]["date"] == "2022-01-26"
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_q20_facility_and_custodian_figures_are_never_merged(published: EmbeddedStore) -> None:
    rows = ask(published, "20")
    custodian = {r["value"] for r in rows if r["scopeKind"] == "custodian"}
    facility = {
        r["value"] for r in rows if r["scopeKind"] == "facility" and r["measure"] == "detainees"
    }
    assert custodian == {"12000"}
    assert facility == {"3500"}
    assert any(r["measure"] == "minors-detained" for r in rows)
