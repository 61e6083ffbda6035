"""Controlled vocabularies used in fact files.

Each enum here is one SKOS concept scheme in ``ontology/codelists.ttl``; the value is the
concept's local name (``vehicle-bombing`` is ``.../vocab/event-type/vehicle-bombing``).
A test keeps the two in step, so the JSON Schema offers editors exactly the published concepts.
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """What kind of event happened."""

    ATTACK = "attack"
    ARMED_ASSAULT = "armed-assault"
    ARMED_CLASH = "armed-clash"
    VEHICLE_BOMBING = "vehicle-bombing"
    EXPLOSION = "explosion"
    PRISON_ESCAPE = "prison-escape"
    ESCAPE_ATTEMPT = "escape-attempt"
    AIR_ILLUMINATION = "air-illumination"
    OVERFLIGHT = "overflight"
    AIR_STRIKE = "air-strike"
    REINFORCEMENT = "reinforcement"
    CORDON = "cordon"
    RETAKING_CONTROL = "retaking-control"
    TERRITORIAL_DEFEAT = "territorial-defeat"
    WAR = "war"
    DISPLACEMENT = "displacement"
    PROTEST = "protest"
    PROTEST_CRACKDOWN = "protest-crackdown"


class Measure(StrEnum):
    """What an observation counts."""

    DETAINEES = "detainees"
    NATIONALITIES = "nationalities"
    ESCAPEES = "escapees"
    DEATHS = "deaths"
    INJURED = "injured"
    MINORS_DETAINED = "minors-detained"
    DISPLACED = "displaced"
    RECAPTURED = "recaptured"
    ATTACKERS = "attackers"
    CAPACITY = "capacity"


class Qualifier(StrEnum):
    """How precise a printed figure is."""

    EXACT = "exact"
    APPROXIMATELY = "approximately"
    NEARLY = "nearly"
    AT_LEAST = "at-least"
    MORE_THAN = "more-than"
    AT_MOST = "at-most"
    LESS_THAN = "less-than"
    RANGE = "range"
    UNKNOWN_NON_ZERO = "unknown-non-zero"
    UNKNOWN = "unknown"


class Stance(StrEnum):
    """The claimant's position toward what the claim says."""

    AFFIRMS = "affirms"
    DENIES = "denies"
    REFRAMES = "reframes"
    HEDGES = "hedges"


class Certainty(StrEnum):
    """How firmly the claimant states it (GRaSP factuality)."""

    CERTAIN = "certain"
    PROBABLE = "probable"
    POSSIBLE = "possible"
    UNCERTAIN = "uncertain"


class ClaimStatus(StrEnum):
    """Where a claim stands once other parties' positions are known."""

    REPORTED = "reported"
    CORROBORATED = "corroborated"
    UNCONFIRMED = "unconfirmed"
    DISPUTED = "disputed"
    DENIED = "denied"
    SUPERSEDED = "superseded"
    RETRACTED = "retracted"


class OrganizationKind(StrEnum):
    """What sort of organization an entity is."""

    ARMED_GROUP = "armed-group"
    STATE_ARMED_FORCE = "state-armed-force"
    SECURITY_UNIT = "security-unit"
    DE_FACTO_AUTHORITY = "de-facto-authority"
    GOVERNMENT = "government"
    MONITORING_NGO = "monitoring-ngo"
    NGO = "ngo"
    INTERGOVERNMENTAL = "intergovernmental-organization"
    INTERNATIONAL_COALITION = "international-coalition"
    MEDIA = "media"
    NEWS_AGENCY = "news-agency"


class FacilityType(StrEnum):
    """What a facility is used as."""

    PRISON = "prison"
    DETENTION_CENTRE = "detention-centre"
    CAMP = "camp"
    SCHOOL = "school"
    BUILDING = "building"


class PlaceKind(StrEnum):
    """Where a place sits among administrative and geographic divisions."""

    COUNTRY = "country"
    ADMIN_REGION = "admin-region"
    DISTRICT = "district"
    CITY = "city"
    NEIGHBOURHOOD = "neighbourhood"
    VILLAGE = "village"
    REGION = "region"


class Role(StrEnum):
    """The part an agent plays in an event, or holds in an organization."""

    ATTACKER = "attacker"
    TARGET = "target"
    GUARD = "guard"
    DEFENDER = "defender"
    AIR_SUPPORT = "air-support"
    REINFORCEMENT = "reinforcement"
    WINNER = "winner"
    LOSER = "loser"
    CUSTODIAN = "custodian"
    VICTIM = "victim"
    SPOKESPERSON = "spokesperson"
    COMMANDER = "commander"
    MEMBER = "member"


class Relation(StrEnum):
    """Sourced, time-bound relations between entities that an article may assert."""

    GUARDED_BY = "guarded-by"
    CONTROLLED_BY = "controlled-by"
    CUSTODY_OF = "custody-of"
    SUPPORTED_BY = "supported-by"
    DOMINATED_BY = "dominated-by"
    PART_OF = "part-of"
    OPPOSES = "opposes"


class Precision(StrEnum):
    """How precise a date is."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class ResolutionStatus(StrEnum):
    """How sure the editors are about which real-world entity a mention denotes."""

    RESOLVED = "resolved"
    CANDIDATE = "candidate"
    UNRESOLVED = "unresolved"


CODE_LISTS: dict[str, type[StrEnum]] = {
    "event-type": EventType,
    "measure": Measure,
    "qualifier": Qualifier,
    "stance": Stance,
    "certainty": Certainty,
    "claim-status": ClaimStatus,
    "organization-kind": OrganizationKind,
    "facility-type": FacilityType,
    "place-kind": PlaceKind,
    "role": Role,
    "relation": Relation,
    "precision": Precision,
    "resolution-status": ResolutionStatus,
}
"""Scheme name (the IRI segment under ``vocab/``) → the enum of its concepts."""
