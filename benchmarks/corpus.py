"""Deterministic synthetic corpora of fact files, for benchmarks and tests.

``generate_corpus(root, articles, seed=0)`` writes a collection folder, ``registry.yaml`` and
``articles/<shard>/<key>.yaml`` (at most 1,000 files per shard), that loads and conforms to the
shapes. The same arguments give byte-identical files.

Everything in it is invented except the countries, which must be real ISO 3166 codes: the
organizations, persons, places, facilities and events, every figure and every quote. Wikidata
identifiers of invented entities lie above Q9000000000, where no real item is yet.

The entity pools grow slowly with the corpus (about 70 entities for 60 articles, 2,600 for
100,000). Articles are in English, French or Arabic, and report incidents, tolls,
facility populations, territorial control, displacement and protests, with claims by reporters,
NGOs, officials and armed groups; about one claim in ten confirms, denies, reframes or
supersedes a claim of an earlier article.

YAML is written with string formatting, strings quoted as JSON (valid YAML), because
``yaml.dump`` is far too slow for 100,000 articles.

Command line::

    python benchmarks/corpus.py OUT_DIR --articles 1000 [--seed 0] [--measure]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

SHARD_SIZE = 1000
FIRST_DAY = date(2015, 1, 1).toordinal()
LAST_DAY = date(2024, 12, 31).toordinal()
EVENTS_FROM = date(2012, 1, 1).toordinal()
HISTORY_WINDOW = 3000
"""How many earlier claims a reaction may answer: the recent news cycle, not all of history."""

# -- word lists --------------------------------------------------------------------------------
# Names are built from syllables with an Arabic counterpart, so that every invented name has
# a Latin and an Arabic form.

STARTS = [
    ("Ham", "حم"), ("Kar", "كر"), ("Sab", "صب"), ("Mar", "مر"), ("Zar", "زر"), ("Bak", "بك"),
    ("Dar", "در"), ("Fal", "فل"), ("Jab", "جب"), ("Kas", "قص"), ("Nab", "نب"), ("Qar", "قر"),
    ("Raf", "رف"), ("Sal", "سل"), ("Tar", "طر"), ("Wad", "ود"), ("Sham", "شم"), ("Khal", "خل"),
    ("Haw", "حو"), ("Mas", "مص"), ("Dab", "دب"), ("Lat", "لط"), ("Naj", "نج"), ("Ghar", "غر"),
    ("Har", "هر"), ("Bus", "بص"), ("Yab", "يب"), ("Zub", "زب"), ("Suk", "سك"), ("Tab", "تب"),
]  # fmt: skip
MIDDLES = [("a", "ا"), ("u", "و"), ("ar", "ار"), ("im", "يم"), ("al", "ال")]
ENDS = [
    ("ash", "اش"), ("iya", "ية"), ("un", "ون"), ("an", "ان"), ("ra", "رة"), ("ib", "يب"),
    ("ur", "ور"), ("in", "ين"), ("aba", "بة"), ("ida", "يدة"), ("uk", "وك"), ("ir", "ير"),
    ("am", "ام"), ("aq", "اق"), ("iz", "يز"), ("ut", "وت"),
]  # fmt: skip
PREFIXES = [
    ("", ""), ("", ""), ("", ""), ("Tal ", "تل "), ("Deir ", "دير "), ("Ain ", "عين "),
    ("Ras al-", "رأس ال"), ("Kafr ", "كفر "), ("Bir ", "بئر "), ("Jisr ", "جسر "),
    ("Khan ", "خان "), ("Abu ", "أبو "),
]  # fmt: skip
FIRST_NAMES = [
    ("Ahmad", "أحمد"), ("Mohammed", "محمد"), ("Omar", "عمر"), ("Khaled", "خالد"),
    ("Hassan", "حسن"), ("Ali", "علي"), ("Youssef", "يوسف"), ("Ibrahim", "إبراهيم"),
    ("Mahmoud", "محمود"), ("Samir", "سمير"), ("Fatima", "فاطمة"), ("Layla", "ليلى"),
    ("Nour", "نور"), ("Rania", "رانيا"), ("Salma", "سلمى"), ("Hussein", "حسين"),
    ("Karim", "كريم"), ("Tariq", "طارق"), ("Walid", "وليد"), ("Ziad", "زياد"),
    ("Amina", "أمينة"), ("Yasmin", "ياسمين"), ("Farid", "فريد"), ("Jamal", "جمال"),
    ("Nabil", "نبيل"), ("Bilal", "بلال"), ("Mustafa", "مصطفى"), ("Adnan", "عدنان"),
]  # fmt: skip


class CountryRow(NamedTuple):
    """A real country: its names, demonym and rough centre (the only real entities)."""

    iso: str
    key: str
    en: str
    fr: str
    fr_of: str
    """"Of" the country in French: "de la Syrie", "du Mali"."""
    ar: str
    demonym: str
    lat: float
    lon: float


COUNTRY_ROWS = [
    ("SY", "syria", "Syria", "Syrie", "de la Syrie", "سوريا", "Syrian", 35.0, 38.5),
    ("IQ", "iraq", "Iraq", "Irak", "de l'Irak", "العراق", "Iraqi", 33.0, 43.7),
    ("ML", "mali", "Mali", "Mali", "du Mali", "مالي", "Malian", 17.0, -4.0),
    ("NG", "nigeria", "Nigeria", "Nigeria", "du Nigeria", "نيجيريا", "Nigerian", 9.5, 8.0),
    ("YE", "yemen", "Yemen", "Yémen", "du Yémen", "اليمن", "Yemeni", 15.5, 47.5),
    ("LY", "libya", "Libya", "Libye", "de la Libye", "ليبيا", "Libyan", 27.0, 17.0),
    ("SO", "somalia", "Somalia", "Somalie", "de la Somalie", "الصومال", "Somali", 5.5, 46.0),
    ("AF", "afghanistan", "Afghanistan", "Afghanistan", "de l'Afghanistan", "أفغانستان",
     "Afghan", 34.0, 66.0),
    ("LB", "lebanon", "Lebanon", "Liban", "du Liban", "لبنان", "Lebanese", 33.9, 35.8),
    ("SD", "sudan", "Sudan", "Soudan", "du Soudan", "السودان", "Sudanese", 15.0, 30.0),
    ("TR", "turkey", "Turkey", "Turquie", "de la Turquie", "تركيا", "Turkish", 39.0, 35.0),
    ("JO", "jordan", "Jordan", "Jordanie", "de la Jordanie", "الأردن", "Jordanian", 31.2, 36.5),
    ("NE", "niger", "Niger", "Niger", "du Niger", "النيجر", "Nigerien", 16.0, 8.0),
    ("TD", "chad", "Chad", "Tchad", "du Tchad", "تشاد", "Chadian", 15.0, 19.0),
    ("BF", "burkina-faso", "Burkina Faso", "Burkina Faso", "du Burkina Faso", "بوركينا فاسو",
     "Burkinabe", 12.3, -1.5),
]  # fmt: skip
COUNTRIES = [CountryRow(*row) for row in COUNTRY_ROWS]
FOREIGN_NATIONALITIES = [
    ("Tunisian", "TN"), ("Moroccan", "MA"), ("French", "FR"), ("German", "DE"),
    ("British", "GB"), ("Belgian", "BE"), ("Russian", "RU"), ("Egyptian", "EG"),
    ("Algerian", "DZ"), ("Dutch", "NL"), ("Swedish", "SE"), ("Pakistani", "PK"),
]  # fmt: skip

FACILITY_NAMES = {  # type: [(en, fr, ar)], {p} is the place's name
    "prison": [
        ("{p} Central Prison", "prison centrale de {p}", "سجن {p} المركزي"),
        ("{p} prison", "prison de {p}", "سجن {p}"),
        ("{p} Women's Prison", "prison pour femmes de {p}", "سجن النساء في {p}"),
        ("{p} Military Prison", "prison militaire de {p}", "سجن {p} العسكري"),
    ],
    "detention-centre": [
        ("{p} detention centre", "centre de détention de {p}", "مركز احتجاز {p}"),
        ("{p} juvenile centre", "centre pour mineurs de {p}", "مركز الأحداث في {p}"),
    ],
    "camp": [
        ("{p} camp", "camp de {p}", "مخيم {p}"),
        ("{p} displacement camp", "camp de déplacés de {p}", "مخيم {p} للنازحين"),
    ],
    "school": [
        ("{p} Industrial School", "école industrielle de {p}", "المدرسة الصناعية في {p}"),
        ("{p} secondary school", "lycée de {p}", "ثانوية {p}"),
    ],
    "building": [
        ("{p} National Hospital", "hôpital national de {p}", "مستشفى {p} الوطني"),
        ("{p} Hospital", "hôpital de {p}", "مستشفى {p}"),
        ("{p} security headquarters", "siège de la sécurité de {p}", "مقر الأمن في {p}"),
    ],
}
FACILITY_TYPES = (
    ["prison"] * 7 + ["detention-centre"] * 3 + ["camp"] * 5 + ["school"] * 2 + ["building"] * 3
)

ARMED_GROUP_NAMES = [
    ("{n} Liberation Front", "Front de libération de {n}", "جبهة تحرير {n}"),
    ("Army of {n}", "Armée de {n}", "جيش {n}"),
    ("{n} Martyrs Brigade", "Brigade des martyrs de {n}", "لواء شهداء {n}"),
    ("Islamic Movement of {n}", "Mouvement islamique de {n}", "الحركة الإسلامية في {n}"),
    ("{n} Defence Units", "Unités de défense de {n}", "وحدات حماية {n}"),
    ("Popular Resistance of {n}", "Résistance populaire de {n}", "المقاومة الشعبية في {n}"),
    ("{n} Revolutionary Council", "Conseil révolutionnaire de {n}", "المجلس الثوري في {n}"),
]
NGO_NAMES = [
    ("{n} Observatory for Human Rights", "Observatoire {n} des droits de l'homme",
     "مرصد {n} لحقوق الإنسان", "monitoring-ngo"),
    ("{n} Center for Documenting Violations", "Centre {n} de documentation des violations",
     "مركز {n} لتوثيق الانتهاكات", "monitoring-ngo"),
    ("{n} Network for Human Rights", "Réseau {n} pour les droits humains",
     "شبكة {n} لحقوق الإنسان", "monitoring-ngo"),
    ("{n} Relief Committee", "Comité de secours {n}", "لجنة إغاثة {n}", "ngo"),
    ("Doctors of {n}", "Médecins de {n}", "أطباء {n}", "ngo"),
    ("{n} Association of Detainees' Families", "Association {n} des familles de détenus",
     "رابطة {n} لعائلات المعتقلين", "ngo"),
]  # fmt: skip
AGENCIES = [
    ("Levant Press Agency", "Agence de presse du Levant", "وكالة أنباء المشرق", "LPA", "APL"),
    ("Mediterranean News Agency", "Agence méditerranéenne de presse", "وكالة الأنباء المتوسطية",
     "MNA", "AMP"),
    ("Sahel Information Agency", "Agence sahélienne d'information", "وكالة أنباء الساحل", "SIA",
     "ASI"),
    ("Tigris News Agency", "Agence de presse du Tigre", "وكالة أنباء دجلة", "TNA", ""),
    ("Gulf Wire Service", "Service de dépêches du Golfe", "خدمة أخبار الخليج", "GWS", ""),
    ("Crescent Press", "Presse du Croissant", "صحافة الهلال", "", ""),
    ("Atlas Press Agency", "Agence de presse Atlas", "وكالة أطلس للأنباء", "APA", ""),
    ("Horn of Africa News", "Nouvelles de la Corne de l'Afrique", "أخبار القرن الأفريقي", "HAN",
     ""),
    ("Nile Press Agency", "Agence de presse du Nil", "وكالة أنباء النيل", "NPA", "APN"),
    ("Euphrates Agency", "Agence de l'Euphrate", "وكالة الفرات", "", ""),
    ("Desert News Service", "Service d'information du désert", "خدمة أخبار الصحراء", "DNS", ""),
    ("Oasis Wire", "Dépêche de l'Oasis", "برقية الواحة", "", ""),
]  # fmt: skip
IGOS = [
    ("League of Nations for Relief", "Ligue des nations pour le secours",
     "عصبة الأمم للإغاثة", "LNR", "LNS"),
    ("Office for Humanitarian Coordination", "Bureau de coordination humanitaire",
     "مكتب التنسيق الإنساني", "OHC", "BCH"),
    ("Children's Relief Fund", "Fonds de secours pour l'enfance", "صندوق إغاثة الأطفال", "CRF",
     "FSE"),
    ("Refugee Protection Agency", "Agence de protection des réfugiés", "وكالة حماية اللاجئين",
     "RPA", "APR"),
    ("Regional Health Organization", "Organisation régionale de la santé",
     "منظمة الصحة الإقليمية", "RHO", "ORS"),
]  # fmt: skip
PORTFOLIOS = [
    ("Interior", "de l'Intérieur", "الداخلية"),
    ("Defence", "de la Défense", "الدفاع"),
    ("Health", "de la Santé", "الصحة"),
    ("Justice", "de la Justice", "العدل"),
]
PUBLISHER_NAMES = {
    "en": ["The {n} Herald", "{n} Times", "The {n} Observer", "{n} Daily News", "{n} Tribune"],
    "fr": ["Le Journal de {n}", "La Gazette de {n}", "L'Écho de {n}", "Le Courrier de {n}"],
    "ar": ["Al-{n}"],
}
PUBLISHER_LANGUAGES = ["en"] * 9 + ["fr"] * 7 + ["ar"] * 4

MEASURE_WORDS = {
    "en": {
        "deaths": "people killed", "injured": "people injured", "escapees": "prisoners escaped",
        "displaced": "people displaced", "detainees": "detainees", "minors-detained": "minors held",
        "recaptured": "escapees recaptured", "attackers": "attackers", "capacity": "places",
        "nationalities": "nationalities",
    },
    "fr": {
        "deaths": "morts", "injured": "blessés", "escapees": "évadés", "displaced": "déplacés",
        "detainees": "détenus", "minors-detained": "mineurs détenus", "recaptured": "évadés repris",
        "attackers": "assaillants", "capacity": "places", "nationalities": "nationalités",
    },
    "ar": {
        "deaths": "قتيلاً", "injured": "جريحاً", "escapees": "سجيناً فاراً", "displaced": "نازحاً",
        "detainees": "معتقلاً", "minors-detained": "قاصراً محتجزاً",
        "recaptured": "فاراً أعيد اعتقالهم", "attackers": "مهاجماً", "capacity": "مكاناً",
        "nationalities": "جنسية",
    },
}  # fmt: skip
ARABIC_PLURALS = {  # after "a number of", with no figure
    "deaths": "القتلى", "injured": "الجرحى", "escapees": "السجناء الفارين",
    "displaced": "النازحين", "detainees": "المعتقلين", "minors-detained": "القاصرين المحتجزين",
    "recaptured": "الفارين المعاد اعتقالهم", "attackers": "المهاجمين", "capacity": "الأماكن",
    "nationalities": "الجنسيات",
}  # fmt: skip
QUALIFIER_WORDS = {
    "en": {
        "exact": ["{n}"], "approximately": ["about {n}", "some {n}", "around {n}"],
        "nearly": ["nearly {n}", "almost {n}"], "at-least": ["at least {n}"],
        "more-than": ["more than {n}", "over {n}"], "at-most": ["up to {n}", "at most {n}"],
        "less-than": ["fewer than {n}"], "range": ["between {lo} and {hi}", "{lo} to {hi}"],
        "unknown-non-zero": ["a number of", "several"], "unknown": ["an unknown number of"],
    },
    "fr": {
        "exact": ["{n}"], "approximately": ["environ {n}", "quelque {n}"],
        "nearly": ["près de {n}", "presque {n}"], "at-least": ["au moins {n}"],
        "more-than": ["plus de {n}"], "at-most": ["jusqu'à {n}"], "less-than": ["moins de {n}"],
        "range": ["entre {lo} et {hi}"], "unknown-non-zero": ["plusieurs", "un certain nombre de"],
        "unknown": ["un nombre inconnu de"],
    },
    "ar": {
        "exact": ["{n}"], "approximately": ["نحو {n}", "حوالي {n}"], "nearly": ["قرابة {n}"],
        "at-least": ["ما لا يقل عن {n}"], "more-than": ["أكثر من {n}"],
        "at-most": ["ما يصل إلى {n}"], "less-than": ["أقل من {n}"], "range": ["بين {lo} و{hi}"],
        "unknown-non-zero": ["عدد من"], "unknown": ["عدد غير معروف من"],
    },
}  # fmt: skip
QUALIFIERS = (
    ["exact"] * 30 + ["approximately"] * 20 + ["at-least"] * 14 + ["more-than"] * 8
    + ["nearly"] * 5 + ["at-most"] * 4 + ["less-than"] * 3 + ["range"] * 7
    + ["unknown-non-zero"] * 6 + ["unknown"] * 3
)  # fmt: skip
MEASURE_RANGES = {
    "deaths": (1, 400), "injured": (1, 600), "escapees": (2, 900), "displaced": (200, 250000),
    "detainees": (60, 14000), "minors-detained": (10, 1200), "recaptured": (1, 300),
    "attackers": (4, 250), "capacity": (200, 6000), "nationalities": (2, 60),
}  # fmt: skip
EVENT_PHRASES = {  # event type: (en, fr, ar), {w} is where it happened
    "attack": ("attack on {w}", "attaque contre {w}", "هجوم على {w}"),
    "armed-assault": ("assault on {w}", "assaut contre {w}", "اقتحام {w}"),
    "armed-clash": ("clashes near {w}", "affrontements près de {w}", "اشتباكات قرب {w}"),
    "vehicle-bombing": ("car bombing at {w}", "attentat à la voiture piégée à {w}",
                        "تفجير سيارة مفخخة في {w}"),
    "explosion": ("explosion at {w}", "explosion à {w}", "انفجار في {w}"),
    "prison-escape": ("escape from {w}", "évasion de {w}", "فرار من {w}"),
    "escape-attempt": ("escape attempt at {w}", "tentative d'évasion à {w}", "محاولة فرار من {w}"),
    "air-illumination": ("flares dropped over {w}", "fusées éclairantes au-dessus de {w}",
                         "قنابل مضيئة فوق {w}"),
    "overflight": ("aircraft flying over {w}", "survol de {w}", "تحليق طائرات فوق {w}"),
    "air-strike": ("air strike on {w}", "frappe aérienne sur {w}", "غارة جوية على {w}"),
    "reinforcement": ("reinforcements sent to {w}", "renforts envoyés à {w}", "تعزيزات إلى {w}"),
    "cordon": ("cordon around {w}", "bouclage autour de {w}", "طوق حول {w}"),
    "retaking-control": ("retaking of {w}", "reprise de {w}", "استعادة السيطرة على {w}"),
    "territorial-defeat": ("defeat at {w}", "défaite à {w}", "هزيمة في {w}"),
    "war": ("war in {w}", "guerre en {w}", "الحرب في {w}"),
    "displacement": ("displacement from {w}", "déplacement de population depuis {w}",
                     "نزوح من {w}"),
    "protest": ("protest in {w}", "manifestation à {w}", "احتجاج في {w}"),
    "protest-crackdown": ("crackdown on protesters in {w}", "répression des manifestants à {w}",
                          "قمع المحتجين في {w}"),
}  # fmt: skip
REFRAMINGS = {
    "prison-escape": "escape-attempt", "escape-attempt": "prison-escape",
    "attack": "armed-clash", "armed-assault": "armed-clash", "armed-clash": "attack",
    "vehicle-bombing": "explosion", "explosion": "vehicle-bombing", "air-strike": "explosion",
    "protest-crackdown": "armed-clash", "protest": "protest-crackdown",
    "retaking-control": "armed-clash", "territorial-defeat": "armed-clash",
    "displacement": "displacement", "war": "war", "reinforcement": "cordon",
}  # fmt: skip
ACCORDING_TO = {"en": ", according to {x}", "fr": ", selon {x}", "ar": "، بحسب {x}"}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "ar": ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"],
}
YESTERDAY = {"en": "yesterday", "fr": "hier", "ar": "أمس"}
POPULATIONS = [
    ("civilians", "civils", "مدنيين"), ("fighters", "combattants", "مقاتلين"),
    ("guards", "gardiens", "حراس"), ("women and children", "femmes et enfants", "نساء وأطفال"),
    ("prisoners", "prisonniers", "سجناء"), ("foreign fighters", "combattants étrangers",
    "مقاتلين أجانب"), ("members of the security forces", "membres des forces de sécurité",
    "عناصر من قوات الأمن"),
]  # fmt: skip
SCOPES = [
    ("prisons under its control", "prisons sous son contrôle", "السجون الخاضعة لسيطرتها"),
    ("camps in the region", "camps de la région", "مخيمات المنطقة"),
    ("since the start of the year", "depuis le début de l'année", "منذ بداية العام"),
]
PLACE_DETAILS = [
    ("at the main gate", "à l'entrée principale", "عند البوابة الرئيسية"),
    ("near the northern wall", "près du mur nord", "قرب الجدار الشمالي"),
    ("in the market", "dans le marché", "في السوق"),
    ("on the main road", "sur la route principale", "على الطريق الرئيسي"),
]
DESCRIPTORS = [
    ("gunmen", "hommes armés", "مسلحون"),
    ("sleeper cells", "cellules dormantes", "خلايا نائمة"),
    ("fighters of the group", "combattants du groupe", "مقاتلو التنظيم"),
    ("suicide attackers", "kamikazes", "انتحاريون"),
]
GENERIC_FORMS = {  # registry table: a form that names an entity of it without its name
    "organizations": ("the group", "le groupe", "التنظيم"),
    "facilities": ("the facility", "l'établissement", "المنشأة"),
    "places": ("the area", "la zone", "المنطقة"),
    "persons": ("the spokesman", "le porte-parole", "المتحدث"),
}
LOCAL_KEYS = (
    "the-attack", "prisoner-escape", "displacement", "the-protest", "crackdown",
    "reinforcements", "cordon", "retaking", "unidentified-gunmen", "protesters",
)  # fmt: skip
"""Keys of article-scoped entities; no registry key may take them."""
LOCAL_GUNMEN = ("Unidentified gunmen", "hommes armés non identifiés", "مسلحون مجهولون")
LOCAL_PROTESTERS = ("Protesters (not named)", "manifestants (non nommés)", "محتجون")
RELATION_WORDS = {
    "controlled-by": ("is controlled by", "est contrôlé par", "تحت سيطرة"),
    "guarded-by": ("is guarded by", "est gardé par", "يحرسه"),
    "custody-of": ("holds members of", "détient des membres de", "تحتجز عناصر من"),
    "supported-by": ("is supported by", "est soutenu par", "يحظى بدعم"),
    "opposes": ("is fighting", "combat", "يقاتل"),
    "dominated-by": ("is dominated by", "est dominé par", "يهيمن عليه"),
}
DENIAL = {
    "en": "{x} denied any role in the {p}",
    "fr": "{x} a démenti toute implication : {p}",
    "ar": "نفى {x} أي علاقة بـ{p}",
}
SINCE = {"en": "since {y}", "fr": "depuis {y}", "ar": "منذ {y}"}
ON_WEEKDAY = {"en": "on {d}", "fr": "{d}", "ar": "يوم {d}"}
UPDATED = {"en": " (updated)", "fr": " (mis à jour)", "ar": " (محدث)"}
STORIES = (
    ["attack"] * 25 + ["facility"] * 18 + ["follow_up"] * 18 + ["control"] * 9
    + ["displacement"] * 9 + ["escape"] * 9 + ["protest"] * 5 + ["background"] * 7
)  # fmt: skip
SECTIONS = ("world", "middle-east", "africa", "news", "international")
LANGUAGE_INDEX = {"en": 0, "fr": 1, "ar": 2}
FRENCH_STOPWORDS = {"de", "des", "du", "la", "le", "les", "pour", "l", "d", "et"}


def quote(text: str) -> str:
    """A YAML string: JSON's double-quoted form, which YAML reads as the same text."""
    return json.dumps(text, ensure_ascii=False)


def slug(text: str) -> str:
    """A key-shaped slug of ``text``: ASCII lower-case words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def initials(text: str, *, french: bool = False) -> str:
    """An acronym: the initials of the significant words."""
    words = re.split(r"[\s'’-]+", text)
    if french:
        return "".join(w[0].upper() for w in words if w and w.lower() not in FRENCH_STOPWORDS)
    return "".join(w[0] for w in words if w[:1].isupper())


def in_french(name: str) -> str:
    """A French transliteration of an invented Arabic name (``sh`` → ``ch``, ``u`` → ``ou``)."""
    return name.replace("sh", "ch").replace("Sh", "Ch").replace("u", "ou")


def format_number(number: int, language: str) -> str:
    """A figure as printed: ``3,500`` in English, ``3 500`` in French, ``3500`` in Arabic."""
    if language == "en":
        return f"{number:,}"
    if language == "fr":
        return f"{number:,}".replace(",", " ")
    return str(number)


# -- entities ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Entity:
    """One registry entity, and what the generator needs to know to write about it."""

    key: str
    table: str
    labels: dict[str, str]
    role: str
    """The part it plays in stories: city, prison, armed-group, ngo, publisher…"""
    fields: list[tuple[str, str]] = field(default_factory=list)
    """Fields written before the names, already formatted: ``("kind", "armed-group")``."""
    aliases: dict[str, list[str]] = field(default_factory=dict)
    misspellings: dict[str, list[str]] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    memberships: list[tuple[Entity, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    """Names that denote this entity only, so articles may use them as references."""
    country: str = ""
    language: str = "en"
    base: tuple[str, str, str] = ("", "", "")
    """A place's bare name (en, fr, ar), without "Governorate" and the like."""
    location: Entity | None = None
    day: int = 0
    """A registry event's date (proleptic Gregorian ordinal)."""
    event_type: str = ""
    parties: tuple[Entity, ...] = ()
    """A registry event's attacker and target; a coalition's enemy."""

    def label(self, language: str) -> str:
        """The label in ``language``, or else the English one, or else any."""
        return (
            self.labels.get(language) or self.labels.get("en") or next(iter(self.labels.values()))
        )


class NameBook:
    """Every key and name in use, so that a name an article uses denotes exactly one entity."""

    def __init__(self) -> None:
        self.owner: dict[str, str] = {}

    def reserve(self, *names: str) -> None:
        """Keep names (country names, local keys) from ever naming a registry entity."""
        for name in names:
            self.owner[name.casefold()] = ""

    def new_key(self, text: str) -> str:
        base = slug(text) or "entity"
        key, number = base, 1
        while key in self.owner:
            number += 1
            key = f"{base}-{number}"
        self.owner[key] = key
        return key

    def labels_free(self, labels: dict[str, str]) -> bool:
        return all(name.casefold() not in self.owner for name in labels.values())

    def add_labels(self, entity: Entity) -> None:
        for name in dict.fromkeys(entity.labels.values()):
            self.owner[name.casefold()] = entity.key
            entity.names.append(name)

    def add_name(self, entity: Entity, language: str, name: str, *, misspelt: bool = False) -> None:
        """Give ``entity`` an alias (or a misspelling), unless some entity already has the name."""
        if not name or name.casefold() in self.owner:
            return
        self.owner[name.casefold()] = entity.key
        (entity.misspellings if misspelt else entity.aliases).setdefault(language, []).append(name)
        entity.names.append(name)


@dataclass
class Pools:
    """The registry's entities, by the part they play in articles."""

    countries: list[Entity] = field(default_factory=list)
    regions: list[Entity] = field(default_factory=list)
    cities: list[Entity] = field(default_factory=list)
    localities: list[Entity] = field(default_factory=list)
    facilities: list[Entity] = field(default_factory=list)
    governments: list[Entity] = field(default_factory=list)
    ministries: list[Entity] = field(default_factory=list)
    state_forces: list[Entity] = field(default_factory=list)
    armed_groups: list[Entity] = field(default_factory=list)
    authorities: list[Entity] = field(default_factory=list)
    security_units: list[Entity] = field(default_factory=list)
    igos: list[Entity] = field(default_factory=list)
    coalitions: list[Entity] = field(default_factory=list)
    ngos: list[Entity] = field(default_factory=list)
    agencies: list[Entity] = field(default_factory=list)
    publishers: list[Entity] = field(default_factory=list)
    persons: list[Entity] = field(default_factory=list)
    wars: list[Entity] = field(default_factory=list)
    events: list[Entity] = field(default_factory=list)
    """Dated incidents, in date order."""
    all: list[Entity] = field(default_factory=list)


class PoolBuilder:
    """Invents the registry's entities, in pools that grow slowly with the corpus."""

    def __init__(self, articles: int, rng: random.Random) -> None:
        self.rng = rng
        # Pools grow with the 0.6th power of the corpus (400 at 100,000 articles, giving a
        # few thousand entities), so that small corpora get small registries.
        self.scale = max(articles, 1) ** 0.6 / 2.5
        self.country_count = min(len(COUNTRIES), 2 + int(max(articles, 1) ** 0.25))
        self.agency_count = min(len(AGENCIES), 2 + int(max(articles, 1) ** 0.2))
        self.pools = Pools()
        self.book = NameBook()
        self.book.reserve(*LOCAL_KEYS)
        for country in COUNTRIES:
            self.book.reserve(country.iso, country.en, country.fr, country.ar, country.demonym)
        for demonym, iso in FOREIGN_NATIONALITIES:
            self.book.reserve(demonym, iso)
        self.country_rows = {row.iso: row for row in COUNTRIES}

    def build(self) -> Pools:
        self.add_countries()
        self.add_places()
        self.add_facilities()
        self.add_state_organizations()
        self.add_other_organizations()
        self.add_media()
        self.add_persons()
        self.add_events()
        self.pools.events.sort(key=lambda event: event.day)
        return self.pools

    # -- helpers ---------------------------------------------------------------------------
    def size(self, base: int, per_scale: float) -> int:
        return base + int(per_scale * self.scale)

    def add(self, pool: list[Entity], table: str, labels: dict[str, str], role: str) -> Entity:
        entity = Entity(self.book.new_key(labels.get("en") or next(iter(labels.values()))), table,
                        labels, role)  # fmt: skip
        self.book.add_labels(entity)
        pool.append(entity)
        self.pools.all.append(entity)
        return entity

    def fresh(self, make: Callable[..., dict[str, str]], *args: object) -> dict[str, str]:
        """Labels from ``make(*args)`` that no entity has yet (numbered as a last resort)."""
        for _ in range(40):
            labels = make(*args)
            if self.book.labels_free(labels):
                return labels
        number = len(self.pools.all)
        return {language: f"{text} {number}" for language, text in make(*args).items()}

    def name_root(self) -> tuple[str, str]:
        rng = self.rng
        start, end = rng.choice(STARTS), rng.choice(ENDS)
        if rng.random() < 0.3:
            middle = rng.choice(MIDDLES)
            return start[0] + middle[0] + end[0], start[1] + middle[1] + end[1]
        return start[0] + end[0], start[1] + end[1]

    def place_name(self) -> tuple[str, str, str]:
        prefix = self.rng.choice(PREFIXES)
        latin, arabic = self.name_root()
        return prefix[0] + latin, in_french(prefix[0] + latin), prefix[1] + arabic

    def wikidata(self, entity: Entity, share: float) -> None:
        if self.rng.random() < share:  # invented: above any real item
            entity.fields.append(("wikidata", f"Q9{self.rng.randrange(10**9, 10**10)}"))

    def coordinates(self, entity: Entity) -> None:
        row = self.country_rows[entity.country]
        lat = round(row.lat + self.rng.uniform(-2.5, 2.5), 3)
        lon = round(row.lon + self.rng.uniform(-2.5, 2.5), 3)
        entity.fields.append(("coordinates", f"{{lat: {lat}, lon: {lon}}}"))

    def variants(self, entity: Entity, name: str) -> None:
        """A transliteration variant as an alias, a swap of two letters as a misspelling."""
        rng = self.rng
        if rng.random() < 0.5:
            self.book.add_name(entity, "en", name.replace("a", "e", 1))
        if rng.random() < 0.2 and len(name) > 4:
            cut = rng.randrange(1, len(name) - 2)
            swapped = name[:cut] + name[cut + 1] + name[cut] + name[cut + 2 :]
            self.book.add_name(entity, "en", swapped, misspelt=True)

    # -- places ----------------------------------------------------------------------------
    def add_countries(self) -> None:
        for row in COUNTRIES[: self.country_count]:
            labels = {"en": row.en, "fr": row.fr, "ar": row.ar}
            country = Entity(row.key, "countries", labels, "country", country=row.iso)
            country.fields.append(("iso", row.iso))
            if row.iso == "SY":  # the only identifiers confirmed in the project's notes
                country.fields += [("wikidata", "Q858"), ("geonames", quote("163843"))]
            self.book.owner[row.key] = row.key
            self.pools.countries.append(country)
            self.pools.all.append(country)
            country.names += [*labels.values(), row.iso]  # ISO codes resolve with no entry

    def new_place(
        self, pool: list[Entity], role: str, template: tuple[str, str, str], parent: Entity
    ) -> Entity:
        """A place with a fresh invented name, which ``template`` words in each language."""
        for attempt in range(41):
            base = self.place_name()
            if attempt == 40:
                base = (f"{base[0]} {attempt}", f"{base[1]} {attempt}", f"{base[2]} {attempt}")
            labels = {lang: template[i].format(base[i]) for lang, i in LANGUAGE_INDEX.items()}
            if self.book.labels_free(labels):
                break
        place = self.add(pool, "places", labels, role)
        kind = "region" if role == "natural-region" else role
        place.fields += [("kind", kind), ("contained_in", parent.key)]
        place.base, place.country, place.location = base, parent.country, parent
        return place

    def add_places(self) -> None:
        rng, pools = self.rng, self.pools
        for _ in range(self.size(3, 0.25)):
            country = rng.choice(pools.countries)
            template = ("{} Governorate", "gouvernorat de {}", "محافظة {}")
            region = self.new_place(pools.regions, "admin-region", template, country)
            number = sum(1 for r in pools.regions if r.country == region.country)
            region.fields.append(("geonames_admin1", f"{region.country}.{number % 100:02d}"))
            self.book.add_name(region, "en", f"{region.base[0]} province")
            self.book.add_name(region, "fr", f"province de {region.base[1]}")
            self.wikidata(region, 0.2)
        admin_regions = list(pools.regions)
        for _ in range(self.size(1, 0.05)):
            template = rng.choice((("{} Desert", "désert de {}", "بادية {}"),
                                   ("{} Valley", "vallée de {}", "وادي {}")))  # fmt: skip
            self.new_place(pools.regions, "natural-region", template, rng.choice(pools.countries))
        for _ in range(self.size(3, 0.8)):
            city = self.new_place(
                pools.cities, "city", ("{}", "{}", "{}"), rng.choice(admin_regions)
            )
            if rng.random() < 0.8:
                self.coordinates(city)
            self.variants(city, city.base[0])
            self.wikidata(city, 0.2)
        districts: list[Entity] = []
        for _ in range(self.size(2, 1.2)):
            role = rng.choice(("neighbourhood", "neighbourhood", "village", "village", "district"))
            if role == "neighbourhood":
                parent = rng.choice(pools.cities)
            elif role == "village" and districts and rng.random() < 0.5:
                parent = rng.choice(districts)
            else:
                parent = rng.choice(admin_regions)
            place = self.new_place(pools.localities, role, ("{}", "{}", "{}"), parent)
            if role == "district":
                districts.append(place)
            if rng.random() < 0.5:
                self.coordinates(place)
            if rng.random() < 0.15:
                place.description["en"] = f"{role.capitalize()} of {parent.label('en')}."
            self.variants(place, place.base[0])

    def facility_labels(self, kind: str, base: tuple[str, str, str]) -> dict[str, str]:
        template = self.rng.choice(FACILITY_NAMES[kind])
        return {lang: template[i].format(p=base[i]) for lang, i in LANGUAGE_INDEX.items()}

    def add_facilities(self) -> None:
        rng, pools = self.rng, self.pools
        sites = pools.cities + pools.localities
        for _ in range(self.size(3, 0.9)):
            main = (
                rng.choice(pools.facilities) if pools.facilities and rng.random() < 0.05 else None
            )
            if main is not None:  # an annex: same type and site as the main facility
                kind, site = main.role, main.location
                labels = {
                    "en": f"{main.label('en')} annex",
                    "fr": f"annexe de la {main.label('fr')}",
                    "ar": f"ملحق {main.label('ar')}",
                }
                if site is None or not self.book.labels_free(labels):
                    continue
            else:
                kind = rng.choice(FACILITY_TYPES)
                site = rng.choice(sites) if rng.random() < 0.95 else rng.choice(pools.regions)
                labels = self.fresh(self.facility_labels, kind, site.base)
            facility = self.add(pools.facilities, "facilities", labels, kind)
            facility.fields += [("type", kind), ("located_in", site.key)]
            if main is not None:
                facility.fields.append(("part_of", main.key))
            facility.country, facility.location, facility.base = site.country, site, site.base
            if kind == "prison":
                self.book.add_name(facility, "en", f"{site.base[0]} jail")
                self.book.add_name(facility, "fr", f"prison d'{site.base[1]}")
            if rng.random() < 0.1:
                description = f"A {kind.replace('-', ' ')} in {site.label('en')}."
                facility.description["en"] = description
            self.wikidata(facility, 0.1)

    # -- organizations ---------------------------------------------------------------------
    def organization(
        self, pool: list[Entity], labels: dict[str, str], kind: str, role: str, country: str = ""
    ) -> Entity:
        organization = self.add(pool, "organizations", labels, role)
        organization.fields.append(("kind", kind))
        organization.country = country or self.rng.choice(self.pools.countries).country
        self.book.add_name(organization, "en", initials(labels["en"]))
        if "fr" in labels:
            self.book.add_name(organization, "fr", initials(labels["fr"], french=True))
        self.wikidata(organization, 0.15)
        return organization

    def add_state_organizations(self) -> None:
        """Each country's government and armed forces, ministries and security units."""
        rng, pools, book = self.rng, self.pools, self.book
        for country in pools.countries:
            row = self.country_rows[country.country]
            labels = {"en": f"Government of {row.en}", "fr": f"gouvernement {row.fr_of}",
                      "ar": f"حكومة {row.ar}"}  # fmt: skip
            government = self.organization(pools.governments, labels, "government", "government",
                                           row.iso)  # fmt: skip
            government.description["en"] = f"The government of {row.en}."
            labels = {"en": f"{row.demonym} Armed Forces", "fr": f"forces armées {row.fr_of}",
                      "ar": f"جيش {row.ar}"}  # fmt: skip
            force = self.organization(pools.state_forces, labels, "state-armed-force",
                                      "state-force", row.iso)  # fmt: skip
            book.add_name(force, "en", f"{row.demonym} army")
            book.add_name(force, "fr", f"armée {row.fr_of}")
        for _ in range(self.size(1, 0.2)):
            government = rng.choice(pools.governments)
            row = self.country_rows[government.country]
            portfolio = rng.choice(PORTFOLIOS)
            labels = {"en": f"{row.demonym} Ministry of {portfolio[0]}",
                      "fr": f"ministère {portfolio[1]} {row.fr_of}",
                      "ar": f"وزارة {portfolio[2]} في {row.ar}"}  # fmt: skip
            if book.labels_free(labels):
                ministry = self.organization(pools.ministries, labels, "government", "ministry",
                                             row.iso)  # fmt: skip
                ministry.fields.append(("part_of", government.key))
        admin_regions = [r for r in pools.regions if r.role == "admin-region"]
        for _ in range(self.size(1, 0.05)):
            region = rng.choice(admin_regions)
            labels = {"en": f"Autonomous Administration of {region.base[0]}",
                      "fr": f"administration autonome de {region.base[1]}",
                      "ar": f"الإدارة الذاتية في {region.base[2]}"}  # fmt: skip
            if book.labels_free(labels):
                self.organization(pools.authorities, labels, "de-facto-authority", "authority",
                                  region.country)  # fmt: skip
        for _ in range(self.size(1, 0.25)):
            if rng.random() < 0.15:  # a guard force the sources never name
                guarded = rng.choice(pools.facilities)
                labels = {"en": f"Security forces guarding {guarded.label('en')}",
                          "fr": f"forces de sécurité gardant la {guarded.label('fr')}"}  # fmt: skip
                if book.labels_free(labels):
                    unit = self.organization(pools.security_units, labels, "security-unit",
                                             "security-unit", guarded.country)  # fmt: skip
                    unit.fields.append(("resolution", "unresolved"))
                    unit.location = guarded
                continue
            region = rng.choice(admin_regions)
            labels = {"en": f"{region.base[0]} Internal Security Forces",
                      "fr": f"forces de sécurité intérieure de {region.base[1]}",
                      "ar": f"قوى الأمن الداخلي في {region.base[2]}"}  # fmt: skip
            if not book.labels_free(labels):
                continue
            unit = self.organization(pools.security_units, labels, "security-unit",
                                     "security-unit", region.country)  # fmt: skip
            parents = [o for o in pools.state_forces + pools.authorities
                       if o.country == region.country]  # fmt: skip
            if parents:
                unit.fields.append(("part_of", rng.choice(parents).key))

    def group_labels(self, template: tuple[str, ...]) -> dict[str, str]:
        latin, arabic = self.name_root()
        return {
            "en": template[0].format(n=latin),
            "fr": template[1].format(n=in_french(latin)),
            "ar": template[2].format(n=arabic),
        }

    def add_other_organizations(self) -> None:
        """Armed groups, intergovernmental organizations, coalitions and NGOs."""
        rng, pools, book = self.rng, self.pools, self.book
        for _ in range(self.size(2, 0.45)):
            labels = self.fresh(self.group_labels, rng.choice(ARMED_GROUP_NAMES))
            group = self.organization(pools.armed_groups, labels, "armed-group", "armed-group")
            if rng.random() < 0.3:
                row = self.country_rows[group.country]
                group.description["en"] = f"Armed group active in {row.en}."
            if rng.random() < 0.05:
                group.fields.append(("resolution", "candidate"))
        for number in range(self.size(1, 0.08)):
            if number < len(IGOS):
                en, fr, ar, acronym, fr_acronym = IGOS[number]
            else:
                region = rng.choice(pools.regions)
                en = f"{region.base[0]} Humanitarian Mission"
                fr = f"mission humanitaire de {region.base[1]}"
                ar, acronym, fr_acronym = f"البعثة الإنسانية في {region.base[2]}", "", ""
            labels = {"en": en, "fr": fr, "ar": ar}
            if not book.labels_free(labels):
                continue
            igo = self.organization(pools.igos, labels, "intergovernmental-organization", "igo")
            book.add_name(igo, "en", acronym)
            book.add_name(igo, "fr", fr_acronym)
            if pools.igos[0] is not igo:
                igo.fields.append(("part_of", pools.igos[0].key))
        for number in range(self.size(1, 0.03)):
            enemy = pools.armed_groups[number % len(pools.armed_groups)]
            labels = {"en": f"Coalition against the {enemy.label('en')}",
                      "fr": f"coalition contre le {enemy.label('fr')}"}  # fmt: skip
            if book.labels_free(labels):
                coalition = self.organization(pools.coalitions, labels,
                                              "international-coalition", "coalition")  # fmt: skip
                coalition.parties = (enemy,)
        for _ in range(self.size(2, 0.3)):
            template = rng.choice(NGO_NAMES)
            labels = self.fresh(self.group_labels, template)
            ngo = self.organization(pools.ngos, labels, template[3], "ngo")
            if rng.random() < 0.3:
                ngo.description["en"] = "Group that documents casualties and detentions."

    def publisher_labels(self, language: str) -> dict[str, str]:
        latin, arabic = self.name_root()
        name = self.rng.choice(PUBLISHER_NAMES[language]).format(n=latin)
        if language == "ar":
            return {"ar": f"صحيفة {arabic}", "en": name}
        return {language: name, "en": name} if self.rng.random() < 0.5 else {language: name}

    def add_media(self) -> None:
        rng, pools, book = self.rng, self.pools, self.book
        for en, fr, ar, acronym, fr_acronym in AGENCIES[: self.agency_count]:
            agency = self.add(pools.agencies, "organizations", {"en": en, "fr": fr, "ar": ar},
                              "agency")  # fmt: skip
            agency.fields.append(("kind", "news-agency"))
            book.add_name(agency, "en", acronym)
            book.add_name(agency, "fr", fr_acronym)
        for _ in range(self.size(3, 0.25)):
            language = rng.choice(PUBLISHER_LANGUAGES)
            labels = self.fresh(self.publisher_labels, language)
            publisher = self.add(pools.publishers, "organizations", labels, "publisher")
            publisher.fields.append(("kind", "media"))
            publisher.language = language
            if rng.random() < 0.4:
                written_in = {"en": "English", "fr": "French", "ar": "Arabic"}[language]
                publisher.description["en"] = f"{written_in}-language daily newspaper."

    # -- persons and events ----------------------------------------------------------------
    def person_labels(self) -> dict[str, str]:
        first, family = self.rng.choice(FIRST_NAMES), self.name_root()
        return {"en": f"{first[0]} al-{family[0]}i", "ar": f"{first[1]} ال{family[1]}ي"}

    def add_persons(self) -> None:
        """Spokespersons and commanders, each a member of one or two organizations."""
        rng, pools, book = self.rng, self.pools, self.book
        named_units = [unit for unit in pools.security_units if unit.location is None]
        speaking = (
            pools.armed_groups + pools.ngos + pools.ministries + pools.authorities + named_units
            + pools.igos + pools.state_forces
        )  # fmt: skip
        for _ in range(self.size(3, 1.2)):
            person = self.add(pools.persons, "persons", self.fresh(self.person_labels), "person")
            book.add_name(person, "fr", in_french(person.labels["en"]))
            if rng.random() < 0.25:
                book.add_name(
                    person, "en", person.labels["en"].replace(" al-", " el-"), misspelt=True
                )
            for organization in dict.fromkeys(
                rng.sample(speaking, 1 if rng.random() < 0.85 else 2)
            ):
                commands = organization.role in ("armed-group", "state-force", "security-unit")
                role = rng.choice(("commander", "spokesperson")) if commands else "spokesperson"
                person.memberships.append((organization, role if rng.random() < 0.9 else "member"))
            person.country = person.memberships[0][0].country

    def add_events(self) -> None:
        """Wars, then dated incidents with the attacker and target the articles will name."""
        rng, pools, book = self.rng, self.pools, self.book
        for country in pools.countries[: self.size(1, 0.05)]:
            row = self.country_rows[country.country]
            labels = {
                "en": f"War in {row.en}",
                "fr": f"guerre {row.fr_of}",
                "ar": f"الحرب في {row.ar}",
            }
            war = self.add(pools.wars, "events", labels, "war")
            war.day = date(rng.randrange(2011, 2015), 1, 1).toordinal()
            war.location, war.country, war.event_type = country, country.country, "war"
            book.add_name(war, "en", f"{row.en} conflict")
        kinds = ["attack"] * 4 + ["armed-clash"] * 2 + ["prison-escape", "air-strike", "protest"]
        kinds += ["displacement", "territorial-defeat"]
        for _ in range(self.size(2, 0.4)):
            kind = rng.choice(kinds)
            where = rng.choice(
                pools.facilities if kind in ("attack", "prison-escape") else pools.cities
            )
            day = rng.randrange(EVENTS_FROM, LAST_DAY - 30)
            year = date.fromordinal(day).year
            phrases = [
                p.format(w=where.label(lang))
                for p, lang in zip(EVENT_PHRASES[kind], LANGUAGE_INDEX, strict=True)
            ]
            labels = {
                lang: f"{p[0].upper()}{p[1:]} ({year})"
                for p, lang in zip(phrases, LANGUAGE_INDEX, strict=True)
            }
            if not book.labels_free(labels):
                continue
            event = self.add(pools.events, "events", labels, "incident")
            event.day, event.event_type, event.location = day, kind, where
            event.country = where.country
            defenders = [o for o in pools.security_units + pools.state_forces
                         if o.country == where.country]  # fmt: skip
            event.parties = (
                rng.choice(pools.armed_groups),
                rng.choice(defenders or pools.state_forces),
            )
            book.add_name(event, "en", phrases[0][0].upper() + phrases[0][1:])


def build_pools(articles: int, rng: random.Random) -> Pools:
    """Every registry entity of a corpus of ``articles`` articles."""
    return PoolBuilder(articles, rng).build()


# -- the registry file -------------------------------------------------------------------------


def texts_yaml(texts: dict[str, str]) -> str:
    return "{" + ", ".join(f"{lang}: {quote(text)}" for lang, text in texts.items()) + "}"


def names_yaml(names: dict[str, list[str]]) -> str:
    groups = (f"{lang}: [{', '.join(quote(n) for n in group)}]" for lang, group in names.items())
    return "{" + ", ".join(groups) + "}"


def registry_yaml(pools: Pools, *, seed: int) -> str:
    """The registry's YAML text."""
    out = [
        f"# Synthetic entity registry (seed {seed}), written by benchmarks/corpus.py.",
        "# Every entity but the countries is invented, and so are their identifiers.",
    ]
    for table in ("organizations", "persons", "places", "countries", "facilities", "events"):
        out.append(f"{table}:")
        for entity in pools.all:
            if entity.table != table:
                continue
            out.append(f"  {entity.key}:")
            out += [f"    {name}: {value}" for name, value in entity.fields]
            out.append(f"    labels: {texts_yaml(entity.labels)}")
            if entity.aliases:
                out.append(f"    aliases: {names_yaml(entity.aliases)}")
            if entity.misspellings:
                out.append(f"    misspellings: {names_yaml(entity.misspellings)}")
            if entity.description:
                out.append(f"    description: {texts_yaml(entity.description)}")
            if entity.memberships:
                out.append("    memberships:")
                out += [
                    f"      - {{organization: {organization.key}, role: {role}}}"
                    for organization, role in entity.memberships
                ]
    return "\n".join(out) + "\n"


# -- articles ----------------------------------------------------------------------------------

Participants = tuple[tuple["Entity | str", str], ...]


@dataclass(frozen=True)
class PastClaim:
    """A claim of an earlier article about a registry entity, which later claims may answer."""

    article: str
    claim: str
    claimant: Entity
    subject: Entity
    measure: str
    event_type: str


class ArticleWriter:
    """Writes a corpus's fact files in order, remembering the claims later ones may answer."""

    def __init__(self, pools: Pools, rng: random.Random, *, articles: int) -> None:
        self.pools = pools
        self.rng = rng
        self.articles = max(articles, 1)
        self.history: list[PastClaim] = []
        self.event_days = [event.day for event in pools.events]
        self.members: dict[str, list[Entity]] = {}
        for person in pools.persons:
            for organization, _ in person.memberships:
                self.members.setdefault(organization.key, []).append(person)
        # NGOs twice: they are the most quoted sources of figures.
        self.sources = pools.ngos * 2 + pools.ministries + pools.igos + pools.authorities
        self.defenders: dict[str, list[Entity]] = {}
        self.guards: dict[str, Entity] = {}
        """The unnamed guard force of a facility, by the facility's key."""
        for unit in pools.security_units + pools.state_forces + pools.authorities:
            if unit.location is not None:
                self.guards[unit.location.key] = unit
            else:
                self.defenders.setdefault(unit.country, []).append(unit)
        self.prisons = [f for f in pools.facilities if f.role in ("prison", "detention-centre")]
        self.camps = [f for f in pools.facilities if f.role == "camp"]
        self.places = pools.cities + pools.localities

    def article(self, number: int) -> tuple[str, str]:
        """The key and YAML text of article ``number`` (articles must be written in order)."""
        draft = Draft(self, number)
        draft.write()
        return draft.key, draft.text()


class Draft:
    """One article being written: its metadata, local entities and claims."""

    def __init__(self, writer: ArticleWriter, number: int) -> None:
        self.writer = writer
        self.pools = writer.pools
        self.rng = rng = writer.rng
        self.number = number
        self.publisher = rng.choice(writer.pools.publishers)
        self.agency = rng.choice(writer.pools.agencies) if rng.random() < 0.4 else None
        self.voice = self.agency or self.publisher
        """Who speaks when the article speaks in its own voice."""
        self.language = self.publisher.language
        self.original_language = ""
        if rng.random() < 0.04:  # a translation, as Le Monde's English edition
            self.original_language = self.language if self.language != "en" else "fr"
            self.language = "en"
        self.index = LANGUAGE_INDEX[self.language]
        self.day = FIRST_DAY + number * (LAST_DAY - FIRST_DAY) // writer.articles
        roll = rng.random()
        self.precision = "day" if roll < 0.92 else "month" if roll < 0.98 else "year"
        outlet = self.publisher.key[:30].strip("-")
        self.key = f"{outlet}-{date.fromordinal(self.day).isoformat()}-{number:06d}"
        self.title = ""
        self.local_events: dict[str, dict[str, str]] = {}
        self.local_organizations: dict[str, dict[str, str]] = {}
        self.involved: dict[str, Entity] = {}
        self.claims: list[list[str]] = []
        self.claimant_of: dict[str, Entity] = {}
        self.signatures: set[str] = set()
        self.paragraph = 1
        self.answerable: list[PastClaim] = []

    # -- wording ---------------------------------------------------------------------------
    def ref(self, entity: Entity) -> str:
        """A reference to a registry entity: usually its key, sometimes one of its names."""
        self.involved.setdefault(entity.key, entity)
        if entity.names and self.rng.random() < 0.12:
            return quote(self.rng.choice(entity.names))
        return entity.key

    def words(self, options: tuple[str, str, str]) -> str:
        return options[self.index]

    def lang_text(self, options: tuple[str, str, str]) -> str:
        """A free-text field: in the article's language, sometimes with the English too."""
        if self.language != "en" and self.rng.random() < 0.2:
            return f"{{en: {quote(options[0])}, {self.language}: {quote(self.words(options))}}}"
        return quote(self.words(options))

    def name_of(self, entity: Entity) -> str:
        return entity.label(self.language)

    def phrase(self, event_type: str, where: Entity) -> str:
        """ "attack on Hamash prison", in the article's language."""
        return self.words(EVENT_PHRASES[event_type]).format(w=self.name_of(where))

    def according(self, text: str, claimant: Entity) -> str:
        if claimant is self.voice:
            return text
        return text + ACCORDING_TO[self.language].format(x=self.name_of(claimant))

    # -- dates -----------------------------------------------------------------------------
    def date_text(self, day: int) -> str:
        """A date written as precisely as the article's own publication date."""
        iso = date.fromordinal(day).isoformat()
        return iso if self.precision == "day" else iso[:7] if self.precision == "month" else iso[:4]

    def recent_day(self, most: int = 4) -> int:
        return self.day - self.rng.randint(0, most)

    def event_date(self, day: int, *, until: int = 0) -> str:
        """An event's date, sometimes with its end or its printed wording ("on Thursday")."""
        value = self.date_text(day)
        if self.precision != "day":
            return value
        parts = [f"value: {value}"]
        if until > day:
            parts.append(f"until: {date.fromordinal(until).isoformat()}")
        if self.rng.random() < 0.3:
            if day == self.day - 1:
                expression = YESTERDAY[self.language]
            else:
                weekday = WEEKDAYS[self.language][date.fromordinal(day).weekday()]
                expression = ON_WEEKDAY[self.language].format(d=weekday)
            parts.append(f"expression: {quote(expression)}")
        elif self.rng.random() < 0.02:
            parts.append("precision: month")  # coarser than written, as the format allows
        return value if len(parts) == 1 else "{" + ", ".join(parts) + "}"

    # -- local entities and speakers -------------------------------------------------------
    def local_event(self, key: str, event_type: str, where: Entity) -> str:
        """Declare an event only this article speaks of, and return its key."""
        base, number = key, 1
        while key in self.local_events:
            number += 1
            key = f"{base}-{number}"
        text = self.phrase(event_type, where)
        labels = {self.language: text[0].upper() + text[1:]}
        if self.language != "en" and self.rng.random() < 0.25:
            english = EVENT_PHRASES[event_type][0].format(w=where.label("en"))
            labels["en"] = english[0].upper() + english[1:]
        self.local_events[key] = labels
        return key

    def local_organization(self, key: str, names: tuple[str, str, str]) -> str:
        """Declare a party the article leaves unidentified, and return its key."""
        self.local_organizations.setdefault(key, {self.language: self.words(names)})
        return key

    def speaker(self, organization: Entity) -> Entity:
        """The organization, or one of its spokespersons or commanders."""
        people = self.writer.members.get(organization.key)
        if people and self.rng.random() < 0.3:
            return self.rng.choice(people)
        return organization

    def source(self) -> Entity:
        """A quoted source of figures: an NGO, ministry, UN-style agency or authority."""
        return self.speaker(self.rng.choice(self.writer.sources))

    def defender(self, country: str) -> Entity:
        return self.rng.choice(self.writer.defenders.get(country) or self.pools.state_forces)

    def recent_event(self, types: tuple[str, ...]) -> Entity | None:
        """A registry incident of one of ``types`` from before this article, if any."""
        end = bisect_right(self.writer.event_days, self.day - 1)
        recent = self.pools.events[max(0, end - 25) : end]
        candidates = [event for event in recent if event.event_type in types]
        return self.rng.choice(candidates) if candidates else None

    # -- YAML blocks -----------------------------------------------------------------------
    def event_block(
        self,
        event: str,
        event_type: str,
        *,
        day: int = 0,
        until: int = 0,
        when: str = "",
        where: Entity | None = None,
        participants: Participants = (),
        sub_event_of: str = "",
    ) -> list[str]:
        """An item of ``asserts.events``."""
        rng = self.rng
        lines = [f"        - event: {event}", f"          type: {event_type}"]
        if when or day:
            lines.append(f"          date: {when or self.event_date(day, until=until)}")
        if where is not None:
            at_facility = where.table == "facilities"
            lines.append(f"          {'facility' if at_facility else 'place'}: {self.ref(where)}")
            if at_facility and where.location is not None and rng.random() < 0.1:
                lines.append(f"          place: {self.ref(where.location)}")
        if rng.random() < 0.12:
            lines.append(f"          place_detail: {self.lang_text(rng.choice(PLACE_DETAILS))}")
        if sub_event_of:
            lines.append(f"          sub_event_of: {sub_event_of}")
        if participants:
            lines.append("          participants:")
        for agent, role in participants:
            name = agent if isinstance(agent, str) else self.ref(agent)
            descriptor = ""
            if role == "attacker" and rng.random() < 0.25:
                descriptor = f", descriptor: {self.lang_text(rng.choice(DESCRIPTORS))}"
            lines.append(f"            - {{agent: {name}, role: {role}{descriptor}}}")
        return lines

    def figure(self, measure: str, qualifier: str) -> tuple[list[str], str, str]:
        """A figure's fields, and its wording in the article's language and in English."""
        rng = self.rng
        low, high = MEASURE_RANGES[measure]
        number = int(math.exp(rng.uniform(math.log(low), math.log(high))))
        if number >= 100 and qualifier in ("approximately", "nearly", "more-than", "at-least"):
            magnitude = 10 ** (len(str(number)) - 2)  # printed figures are round
            number = number // magnitude * magnitude
        upper = number + max(1, number // rng.choice((3, 5, 10)))
        fields = []
        if qualifier == "range":
            fields = [f"min: {number}", f"max: {upper}"]
        elif qualifier not in ("unknown", "unknown-non-zero"):
            fields = [f"value: {number}"]
        wordings = []
        for language in (self.language, "en"):
            printed = rng.choice(QUALIFIER_WORDS[language][qualifier]).format(
                n=format_number(number, language),
                lo=format_number(number, language),
                hi=format_number(upper, language),
            )
            words = MEASURE_WORDS[language][measure]
            if language == "ar" and not fields:  # no figure: "عدد من القتلى"
                words = ARABIC_PLURALS[measure]
            wordings.append(f"{printed} {words}")
        return fields, wordings[0], wordings[1]

    def count_block(
        self,
        measure: str,
        about: Entity | str,
        *,
        qualifier: str = "",
        extra: tuple[str, ...] = (),
        breakdown: bool = False,
    ) -> tuple[list[str], str]:
        """An item of ``asserts.counts``, and its raw wording."""
        rng = self.rng
        about_ref = about if isinstance(about, str) else self.ref(about)
        parts: list[tuple[list[str], int]] = []
        if breakdown:
            qualifier = rng.choice(("exact", "at-least", "unknown"))
            parts = self.breakdown_parts(measure, about_ref)
        qualifier = qualifier or rng.choice(QUALIFIERS)
        fields, raw, raw_english = self.figure(measure, qualifier)
        if parts and qualifier != "unknown":  # the total is the sum of the parts
            total = sum(value for _, value in parts)
            fields = [f"value: {total}"]
            printed = QUALIFIER_WORDS[self.language][qualifier][0]
            raw = printed.format(n=format_number(total, self.language))
            raw += f" {MEASURE_WORDS[self.language][measure]}"
        raw_yaml = quote(raw)
        if self.language != "en" and rng.random() < 0.05:  # taken from an English summary
            raw_yaml = f"{{en: {quote(raw_english)}}}"
        lines = [
            f"        - measure: {measure}",
            f"          about: {about_ref}",
            f"          qualifier: {qualifier}",
            *(f"          {text}" for text in fields),
            f"          raw: {raw_yaml}",
            *(f"          {text}" for text in extra),
        ]
        if rng.random() < 0.2:
            lines.append(f"          date: {self.date_text(self.recent_day())}")
        if measure == "nationalities" and rng.random() < 0.6:
            lines.append("          unit: nationality")
        elif rng.random() < 0.03:
            lines.append("          unit: person")
        if parts:
            lines.append("          breakdown:")
            for part, _ in parts:
                lines += part
        return lines, raw

    def breakdown_parts(self, measure: str, about: str) -> list[tuple[list[str], int]]:
        """Two or three exact parts of a figure, by population, armed group or nationality."""
        rng = self.rng
        by = rng.choice(("population", "affiliation", "nationality"))
        populations = rng.sample(POPULATIONS, 3)
        groups = rng.sample(self.pools.armed_groups, min(3, len(self.pools.armed_groups)))
        nationalities = rng.sample(FOREIGN_NATIONALITIES, 3)
        parts = []
        for position in range(rng.randint(2, 3)):
            value = int(math.exp(rng.uniform(0, math.log(MEASURE_RANGES[measure][1] / 3))))
            if by == "population":
                detail = f"population: {self.lang_text(populations[position])}"
                who = self.words(populations[position])
            elif by == "affiliation" and position < len(groups):
                detail = f"affiliation: {self.ref(groups[position])}"
                who = self.name_of(groups[position])
            else:  # a demonym or an ISO code, resolved with no registry entry
                demonym, iso = nationalities[position]
                detail = f"nationality: {quote(demonym if rng.random() < 0.7 else iso)}"
                who = demonym
            raw = f"{format_number(value, self.language)} {MEASURE_WORDS[self.language][measure]}"
            lines = [
                f"            - measure: {measure}",
                f"              about: {about}",
                "              qualifier: exact",
                f"              value: {value}",
                f"              raw: {quote(f'{raw} ({who})')}",
                f"              {detail}",
            ]
            parts.append((lines, value))
        return parts

    def relation_line(self, subject: Entity, relation: str, target: Entity) -> str:
        """An item of ``asserts.relations``."""
        when = ""
        if self.rng.random() < 0.6:
            when = f", date: {self.date_text(self.recent_day(30))}"
        return (
            f"        - {{subject: {self.ref(subject)}, relation: {relation}, "
            f"object: {self.ref(target)}{when}}}"
        )

    def relation_text(self, subject: Entity, relation: str, target: Entity) -> str:
        verb = self.words(RELATION_WORDS[relation])
        return f"{self.name_of(subject)} {verb} {self.name_of(target)}"

    def evidence(self, text: str) -> str:
        """A claim's ``evidence`` value, or "" when the editors recorded none."""
        rng = self.rng
        self.paragraph += rng.randint(0, 2)
        roll = rng.random()
        if roll < 0.17:
            return f" {{paragraph: {self.paragraph}, quote: {quote(text)}}}"
        if roll < 0.25:
            return f" {{quote: {quote(text)}}}"
        if roll < 0.3:
            return f" {{paragraph: {self.paragraph}}}"
        if roll < 0.32:
            self.paragraph += 1
            return (
                f"\n      - {{paragraph: {self.paragraph - 1}, quote: {quote(text)}}}"
                f"\n      - {{paragraph: {self.paragraph}}}"
            )
        return ""

    def claim(
        self,
        hint: str,
        claimant: Entity,
        *,
        text: str,
        events: list[str] | None = None,
        counts: list[str] | None = None,
        relations: list[str] | None = None,
        stance: str = "",
        link: tuple[str, str] | None = None,
        about: Entity | None = None,
        measure: str = "",
        event_type: str = "",
    ) -> str:
        """Add a claim and return its key; "" when it would repeat a claim of this article.

        A claim ``about`` a registry event or facility may be answered by later articles.
        """
        rng = self.rng
        asserted = ["    asserts:"]
        for name, block in (("events", events), ("counts", counts), ("relations", relations)):
            if block:
                asserted += [f"      {name}:", *block]
        signature = f"{claimant.key} {stance}\n" + "\n".join(asserted)
        if signature in self.signatures:  # same claimant, stance and assertions: same claim
            return ""
        self.signatures.add(signature)
        short = claimant.key if len(claimant.key) <= 30 else claimant.key[:31].rsplit("-", 1)[0]
        key, number = f"{short}-{hint}", 1
        while key in self.claimant_of:
            number += 1
            key = f"{short}-{hint}-{number}"
        lines = [f"  - key: {key}", f"    claimant: {self.ref(claimant)}"]
        if not stance and rng.random() < 0.07:
            stance = "hedges"
        if stance:
            lines.append(f"    stance: {stance}")
        roll = rng.random()
        if stance == "hedges" or roll < 0.1:
            lines.append(f"    certainty: {rng.choice(('probable', 'possible', 'uncertain'))}")
        elif roll < 0.13:
            lines.append("    certainty: certain")
        if rng.random() < 0.015:
            lines.append(f"    status: {rng.choice(('unconfirmed', 'disputed', 'retracted'))}")
        if claimant is not self.voice and self.precision == "day" and rng.random() < 0.2:
            lines.append(f"    said_on: {date.fromordinal(self.recent_day(2)).isoformat()}")
        evidence = self.evidence(text)
        if evidence:
            lines.append(f"    evidence:{evidence}")
        if link is not None:
            lines.append(f"    {link[0]}: [{link[1]}]")
        if rng.random() < 0.06:
            self.add_parties(lines, claimant)
        self.claims.append(lines + asserted)
        self.claimant_of[key] = claimant
        if about is not None and about.table in ("events", "facilities"):
            self.answerable.append(PastClaim(self.key, key, claimant, about, measure, event_type))
        return key

    def add_parties(self, lines: list[str], claimant: Entity) -> None:
        """Other parties' positions: ``confirmed_by``, ``not_confirmed_by``, ``denied_by``."""
        parties = list(
            dict.fromkeys(p for p in (self.source(), self.source()) if p is not claimant)
        )
        fields = self.rng.sample(("confirmed_by", "not_confirmed_by", "denied_by"), len(parties))
        for name, party in zip(fields, parties, strict=True):
            lines.append(f"    {name}: [{self.ref(party)}]")

    # -- stories ---------------------------------------------------------------------------
    def write(self) -> None:
        getattr(self, f"story_{self.rng.choice(STORIES)}")()
        history = self.writer.history
        if history and self.rng.random() < 0.13:
            self.answer(self.rng.choice(history[-HISTORY_WINDOW:]))
        history.extend(self.answerable)

    def story_attack(self) -> None:
        """An attack; sometimes a toll, a denial, or an escape during the attack."""
        rng, pools = self.rng, self.pools
        event = None
        if rng.random() < 0.3:
            event = self.recent_event(("attack", "armed-clash", "air-strike"))
        if event is not None and event.location is not None:
            where, event_type, (attacker, target) = event.location, event.event_type, event.parties
            event_key = self.ref(event)
            day = event.day if self.day - event.day < 4 else 0
        else:
            event = None
            where = rng.choice(pools.facilities if rng.random() < 0.7 else self.writer.places)
            event_type = rng.choice(("attack", "attack", "attack", "armed-assault",
                                     "vehicle-bombing", "explosion", "air-strike"))  # fmt: skip
            attacker, target = rng.choice(pools.armed_groups), self.defender(where.country)
            event_key = self.local_event("the-attack", event_type, where)
            day = self.recent_day(3)
        agent: Entity | str = attacker
        if event is None and event_type != "air-strike" and rng.random() < 0.12:
            agent = self.local_organization("unidentified-gunmen", LOCAL_GUNMEN)
        people: Participants = ((agent, "attacker"),)
        if rng.random() < 0.35:
            people += ((target, "target"),)
        phrase = self.phrase(event_type, where)
        self.title = phrase[0].upper() + phrase[1:]
        claimant = self.voice if rng.random() < 0.55 else self.source()
        counts = None
        if rng.random() < 0.25:
            counts, raw = self.count_block("deaths", event_key)
            self.title += f": {raw}"
        first = self.claim(
            "attack", claimant, text=self.according(phrase, claimant),
            events=self.event_block(event_key, event_type, day=day, where=where,
                                    participants=people),
            counts=counts, about=event, event_type=event_type,
        )  # fmt: skip
        if rng.random() < 0.12:
            source = self.source()
            measure = rng.choice(("deaths", "deaths", "injured", "attackers"))
            block, raw = self.count_block(measure, event_key, breakdown=rng.random() < 0.12)
            self.claim(measure, source, text=self.according(raw, source), counts=block,
                       about=event, measure=measure)  # fmt: skip
        if isinstance(agent, Entity) and rng.random() < 0.08:
            denier = self.speaker(agent)
            link = ("denies", first) if first and self.claimant_of[first] is not denier else None
            self.claim(
                "denial", denier, stance="denies", link=link,
                text=DENIAL[self.language].format(x=self.name_of(denier), p=phrase),
                events=self.event_block(event_key, event_type, participants=((agent, "attacker"),)),
            )  # fmt: skip
        elif where.role == "prison" and rng.random() < 0.2:
            escape = self.local_event("prisoner-escape", "prison-escape", where)
            source = self.source()
            block, raw = self.count_block("escapees", escape, qualifier="unknown-non-zero")
            self.claim(
                "escape", source, text=self.according(raw, source), counts=block,
                events=self.event_block(escape, "prison-escape", where=where,
                                        sub_event_of=event_key),
            )  # fmt: skip

    def story_facility(self) -> None:
        """How many a prison or camp holds; sometimes who guards it, or reinforcements."""
        rng, pools = self.rng, self.pools
        facility = rng.choice(self.writer.prisons + self.writer.camps or pools.facilities)
        custodian = self.writer.guards.get(facility.key) or self.defender(facility.country)
        claimant = self.speaker(custodian) if rng.random() < 0.4 else self.source()
        measures = list(dict.fromkeys(rng.sample(
            ("detainees", "detainees", "minors-detained", "nationalities", "capacity"),
            rng.randint(1, 2),
        )))  # fmt: skip
        blocks: list[str] = []
        wordings = []
        for measure in measures:
            if measure != "capacity" and rng.random() < 0.15:  # the custodian's whole system
                scope = (f"scope: {self.lang_text(SCOPES[0])}",)
                block, raw = self.count_block(measure, custodian, extra=scope)
            else:
                extra: tuple[str, ...] = ()
                if claimant is not custodian and rng.random() < 0.4:
                    extra += (f"custodian: {self.ref(custodian)}",)
                if measure == "detainees" and rng.random() < 0.3:
                    extra += (f"affiliation: {self.ref(rng.choice(pools.armed_groups))}",)
                if measure == "detainees" and rng.random() < 0.15:
                    extra += (f"population: {self.lang_text(rng.choice(POPULATIONS))}",)
                broken_down = measure == "detainees" and rng.random() < 0.08
                block, raw = self.count_block(measure, facility, extra=extra,
                                              breakdown=broken_down)  # fmt: skip
            blocks += block
            wordings.append(raw)
        self.title = f"{self.name_of(facility)}: {wordings[0]}"
        self.claim(measures[0], claimant, text=self.according(", ".join(wordings), claimant),
                   counts=blocks, about=facility, measure=measures[0])  # fmt: skip
        if rng.random() < 0.12:
            relation = rng.choice(("guarded-by", "controlled-by", "custody-of"))
            subject, target = facility, custodian
            if relation == "custody-of":
                subject, target = custodian, rng.choice(pools.armed_groups)
            self.claim(relation, self.voice, text=self.relation_text(subject, relation, target),
                       relations=[self.relation_line(subject, relation, target)])  # fmt: skip
        if rng.random() < 0.06:
            event_type, key, role = rng.choice(
                (
                    ("reinforcement", "reinforcements", "reinforcement"),
                    ("cordon", "cordon", "guard"),
                )
            )
            key = self.local_event(key, event_type, facility)
            self.claim(
                event_type, self.voice, text=self.phrase(event_type, facility),
                events=self.event_block(key, event_type, day=self.recent_day(2), where=facility,
                                        participants=((custodian, role),)),
            )  # fmt: skip

    def story_follow_up(self) -> None:
        """A new figure on an incident the registry knows; sometimes a competing one."""
        rng = self.rng
        types = ("attack", "armed-clash", "prison-escape", "air-strike", "displacement", "protest")
        event = self.recent_event(types)
        if event is None:
            self.story_attack()
            return
        measure = {"prison-escape": "escapees", "displacement": "displaced"}.get(
            event.event_type, rng.choice(("deaths", "deaths", "injured"))
        )
        source = self.source()
        breakdown = measure == "deaths" and rng.random() < 0.1
        block, raw = self.count_block(measure, event, breakdown=breakdown)
        first = self.claim(measure, source, text=self.according(raw, source), counts=block,
                           about=event, measure=measure)  # fmt: skip
        self.title = f"{event.label(self.language)}: {raw}"
        other = self.source()
        if first and other is not source and rng.random() < 0.12:
            block, raw = self.count_block(measure, event)
            self.claim(measure, other, text=self.according(raw, other), counts=block,
                       about=event, measure=measure, link=("denies", first))  # fmt: skip

    def story_control(self) -> None:
        """Who took a place or facility from whom; sometimes who backs the winner."""
        rng, pools = self.rng, self.pools
        where = rng.choice(self.writer.places if rng.random() < 0.7 else pools.facilities)
        group, force = rng.choice(pools.armed_groups), self.defender(where.country)
        winner, loser = (group, force) if rng.random() < 0.5 else (force, group)
        event_type = "retaking-control" if rng.random() < 0.7 else "territorial-defeat"
        key = self.local_event("retaking", event_type, where)
        people: Participants = ((winner, "winner"), (loser, "loser"))
        if pools.coalitions and rng.random() < 0.15:
            people += ((rng.choice(pools.coalitions), "air-support"),)
        phrase = self.phrase(event_type, where)
        self.title = phrase[0].upper() + phrase[1:]
        claimant = self.voice if rng.random() < 0.6 else self.speaker(winner)
        relations = None
        if rng.random() < 0.35:
            relations = [self.relation_line(where, "controlled-by", winner)]
        self.claim(
            "control", claimant, text=self.according(phrase, claimant), relations=relations,
            events=self.event_block(key, event_type, day=self.recent_day(2), where=where,
                                    participants=people),
        )  # fmt: skip
        if rng.random() < 0.12:
            relation = rng.choice(("supported-by", "supported-by", "opposes", "dominated-by"))
            backers = pools.coalitions + pools.countries
            target = rng.choice(backers if relation == "supported-by" else pools.armed_groups)
            if target is not winner:
                source = self.source() if rng.random() < 0.4 else self.voice
                text = self.according(self.relation_text(winner, relation, target), source)
                self.claim(relation, source, text=text,
                           relations=[self.relation_line(winner, relation, target)])  # fmt: skip

    def story_displacement(self) -> None:
        """People fleeing a city, counted by a humanitarian agency; sometimes a camp's count."""
        rng, pools = self.rng, self.pools
        where = rng.choice(pools.cities)
        start = self.day - rng.randint(1, 10)
        until = start + rng.randint(1, self.day - start) if rng.random() < 0.4 else 0
        key = self.local_event("displacement", "displacement", where)
        source = self.speaker(rng.choice(pools.igos + pools.ngos))
        extra: tuple[str, ...] = ()
        if rng.random() < 0.3:
            extra += (f"population: {self.lang_text(POPULATIONS[0])}",)
        if rng.random() < 0.2:
            extra += (f"scope: {self.lang_text(SCOPES[2])}",)
        block, raw = self.count_block("displaced", key, extra=extra)
        self.title = f"{self.name_of(where)}: {raw}"
        self.claim(
            "displaced", source, text=self.according(raw, source), counts=block,
            events=self.event_block(key, "displacement", day=start, until=until, where=where),
        )  # fmt: skip
        if self.writer.camps and rng.random() < 0.1:
            camp = rng.choice(self.writer.camps)
            block, raw = self.count_block("displaced", camp)
            self.claim("camp", source, text=raw, counts=block, about=camp, measure="displaced")

    def story_escape(self) -> None:
        """Prisoners escape; the guards may call it an attempt; some are recaptured."""
        rng = self.rng
        prison = rng.choice(self.writer.prisons or self.pools.facilities)
        key = self.local_event("prisoner-escape", "prison-escape", prison)
        claimant = self.voice if rng.random() < 0.4 else self.source()
        block, raw = self.count_block("escapees", key)
        phrase = self.phrase("prison-escape", prison)
        self.title = f"{phrase[0].upper()}{phrase[1:]}: {raw}"
        first = self.claim(
            "escape", claimant, text=self.according(raw, claimant), counts=block,
            events=self.event_block(key, "prison-escape", day=self.recent_day(2), where=prison),
        )  # fmt: skip
        guard = self.writer.guards.get(prison.key) or self.speaker(self.defender(prison.country))
        if first and guard is not claimant and rng.random() < 0.2:
            self.claim(
                "attempt", guard, text=self.phrase("escape-attempt", prison), stance="reframes",
                events=self.event_block(key, "escape-attempt", where=prison),
                link=("reframes", first),
            )  # fmt: skip
        if rng.random() < 0.08:
            ministries = [m for m in self.pools.ministries if m.country == prison.country]
            source = rng.choice(ministries) if ministries else self.source()
            block, raw = self.count_block("recaptured", key)
            self.claim("recaptured", source, text=self.according(raw, source), counts=block)

    def story_protest(self) -> None:
        """A protest and its crackdown; sometimes a toll."""
        rng = self.rng
        city = rng.choice(self.pools.cities)
        protest = self.local_event("the-protest", "protest", city)
        crackdown = self.local_event("crackdown", "protest-crackdown", city)
        protesters = self.local_organization("protesters", LOCAL_PROTESTERS)
        force = self.defender(city.country)
        day = self.recent_day(2)
        phrase = self.phrase("protest-crackdown", city)
        self.title = phrase[0].upper() + phrase[1:]
        events = self.event_block(protest, "protest", day=day, where=city,
                                  participants=((protesters, "victim"),))  # fmt: skip
        crackers: Participants = ((force, "attacker"), (protesters, "target"))
        events += self.event_block(crackdown, "protest-crackdown", day=day, where=city,
                                   participants=crackers)  # fmt: skip
        self.claim("protest", self.voice, text=phrase, events=events)
        if rng.random() < 0.18:
            source = self.source()
            measure = rng.choice(("deaths", "injured"))
            population = (f"population: {self.lang_text(POPULATIONS[0])}",)
            block, raw = self.count_block(measure, crackdown, extra=population)
            self.claim(measure, source, text=self.according(raw, source), counts=block)

    def story_background(self) -> None:
        """The war in a country since its start, and its toll."""
        rng = self.rng
        war = rng.choice(self.pools.wars)
        country = war.location or war
        year = date.fromordinal(war.day).year
        since = SINCE[self.language].format(y=year)
        when = f"{{value: {year}, expression: {quote(since)}}}" if rng.random() < 0.5 else str(year)
        phrase = self.phrase("war", country)
        claimant = self.voice if rng.random() < 0.5 else self.source()
        measure = rng.choice(("deaths", "displaced"))
        qualifier = rng.choice(("nearly", "more-than", "at-least", "approximately"))
        block, raw = self.count_block(measure, war, qualifier=qualifier)
        self.title = f"{phrase[0].upper()}{phrase[1:]}: {raw}"
        together = rng.random() < 0.7  # the toll in the same claim as the war, or sourced apart
        self.claim(
            "war", claimant, text=self.according(f"{phrase} {since}", claimant),
            events=self.event_block(self.ref(war), "war", when=when, where=country),
            counts=block if together else None, about=war,
            measure=measure if together else "", event_type="war",
        )  # fmt: skip
        if not together:
            source = self.source()
            self.claim(measure, source, text=self.according(raw, source), counts=block,
                       about=war, measure=measure)  # fmt: skip

    def answer(self, past: PastClaim) -> None:
        """Confirm, deny, reframe or supersede (an update of one's own figure) an earlier claim."""
        rng = self.rng
        if past.measure:
            relation = rng.choice(("confirms", "confirms", "denies", "denies", "supersedes"))
        elif REFRAMINGS[past.event_type] != past.event_type:
            relation = rng.choice(("confirms", "confirms", "denies", "reframes"))
        else:
            relation = "confirms"
        claimant = past.claimant
        if relation != "supersedes":
            claimant = self.source()
            if claimant is past.claimant:
                claimant = self.voice
            if claimant is past.claimant:
                return
        stance = {"reframes": "reframes", "denies": rng.choice(("denies", ""))}.get(relation, "")
        link = (relation, f"{past.article}#{past.claim}")
        if past.measure:
            block, raw = self.count_block(past.measure, past.subject)
            self.claim(relation, claimant, text=self.according(raw, claimant), counts=block,
                       stance=stance, link=link, about=past.subject,
                       measure=past.measure)  # fmt: skip
            return
        if relation == "denies":
            stance = "denies"
        event_type = REFRAMINGS[past.event_type] if relation == "reframes" else past.event_type
        phrase = self.phrase(event_type, past.subject.location or past.subject)
        self.claim(relation, claimant, text=self.according(phrase, claimant), stance=stance,
                   events=self.event_block(self.ref(past.subject), event_type), link=link,
                   about=past.subject, event_type=event_type)  # fmt: skip

    # -- the file --------------------------------------------------------------------------
    def text(self) -> str:
        """The fact file's YAML text."""
        rng = self.rng
        published = date.fromordinal(self.day)
        out = [
            f"# Synthetic fact file #{self.number}, written by benchmarks/corpus.py.",
            "article:",
            f"  key: {self.key}",
            f"  title: {quote(self.title)}",
            f"  language: {self.language}",
            f"  publisher: {self.ref(self.publisher)}",
        ]
        if self.agency is not None:
            out.append(f"  agency: {self.ref(self.agency)}")
        site = f"https://www.{self.publisher.key.replace('-', '')}.example"
        if rng.random() < 0.9:
            section = rng.choice(SECTIONS)
            out.append(f"  url: {site}/{section}/{published:%Y/%m/%d}/article-{self.number}.html")
        out.append(f"  published: {self.date_text(self.day)}")
        if rng.random() < 0.2:
            out.append(f"  retrieved: {date.fromordinal(self.day + rng.randint(0, 90))}")
        if self.original_language:
            original = f"language: {self.original_language}"
            if rng.random() < 0.5:
                original += f", url: {site}/{self.original_language}/article-{self.number}.html"
            out.append(f"  translation_of: {{{original}}}")
        if self.local_events or self.local_organizations:
            out.append("entities:")
        if self.local_events:
            out.append("  events:")
            out += [f"    {k}: {{labels: {texts_yaml(v)}}}" for k, v in self.local_events.items()]
        if self.local_organizations:
            out.append("  organizations:")
            out += [
                f"    {key}: {{resolution: unresolved, labels: {texts_yaml(labels)}}}"
                for key, labels in self.local_organizations.items()
            ]
        if rng.random() < 0.15:
            out += self.mentions()
        out.append("claims:")
        for lines in self.claims:
            out += lines
        return "\n".join(out) + "\n"

    def mentions(self) -> list[str]:
        """How the article names one or two of the entities it speaks of."""
        rng = self.rng
        involved = list(self.involved.values())
        out = []
        for entity in rng.sample(involved, min(len(involved), rng.randint(1, 2))):
            forms = [entity.label(self.language)]
            aliases = entity.aliases.get(self.language) or entity.aliases.get("en")
            if aliases and rng.random() < 0.4:
                forms.append(rng.choice(aliases))
            generic = GENERIC_FORMS.get(entity.table)
            if generic and rng.random() < 0.2:
                forms.append(self.words(generic))
            out.append(f"  - entity: {entity.key}")
            out.append(f"    forms: [{', '.join(quote(form) for form in dict.fromkeys(forms))}]")
            if ("resolution", "unresolved") in entity.fields:
                out.append("    resolution: unresolved")
            elif rng.random() < 0.1:
                out.append("    resolution: candidate")
        for key, labels in self.local_organizations.items():
            if rng.random() < 0.3:
                out.append(f"  - entity: {key}")
                out.append(f"    forms: [{quote(next(iter(labels.values())))}]")
                out.append("    resolution: unresolved")
        return ["mentions:", *out] if out else []


# -- the corpus --------------------------------------------------------------------------------


def article_path(root: Path, number: int) -> Path:
    """The fact file of article ``number`` in a generated corpus."""
    shard = root / "articles" / f"{number // SHARD_SIZE:03d}"
    found = sorted(shard.glob(f"*-{number:06d}.yaml"))
    if len(found) != 1:
        raise FileNotFoundError(f"no article #{number} in {shard}")
    return found[0]


def generate_corpus(root: Path, articles: int, *, seed: int = 0) -> None:
    """Write a collection of ``articles`` fact files and their registry under ``root``.

    The same arguments always give byte-identical files.

    :raises FileExistsError: when ``root/articles`` already holds files.
    """
    folder = root / "articles"
    if folder.is_dir() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; generate the corpus into a new folder")
    rng = random.Random(seed)
    pools = build_pools(articles, rng)
    root.mkdir(parents=True, exist_ok=True)
    (root / "registry.yaml").write_text(registry_yaml(pools, seed=seed), encoding="utf-8")
    writer = ArticleWriter(pools, rng, articles=articles)
    shard = folder
    for number in range(articles):
        if number % SHARD_SIZE == 0:
            shard = folder / f"{number // SHARD_SIZE:03d}"
            shard.mkdir(parents=True, exist_ok=True)
        key, text = writer.article(number)
        (shard / f"{key}.yaml").write_bytes(text.encode("utf-8"))


COUNT_PATTERN = re.compile(
    r"^(?P<indent> +)- measure: (?P<measure>[a-z-]+)\n(?P=indent)  about: .*\n"
    r"(?P=indent)  qualifier: [a-z-]+\n(?P=indent)  value: (?P<value>\d+)\n"
    r"(?P=indent)  raw: (?P<raw>.*)$",
    re.MULTILINE,
)
QUOTE_PATTERN = re.compile(r'quote: ("(?:[^"\\]|\\.)*")')
TITLE_PATTERN = re.compile(r"^  title: (.*)$", re.MULTILINE)
LANGUAGE_PATTERN = re.compile(r"^  language: ([a-z]+)$", re.MULTILINE)


def touch_article(root: Path, number: int, *, seed: int = 1) -> Path:
    """Edit article ``number`` of a generated corpus so it stays valid, and return its path.

    The first count with a printed value gets another value (its raw wording follows), and the
    first evidence quote is reworded; an article with neither gets a corrected title.
    """
    path = article_path(root, number)
    text = path.read_text(encoding="utf-8")
    rng = random.Random(seed * 1_000_003 + number)
    language_match = LANGUAGE_PATTERN.search(text)
    language = language_match.group(1) if language_match else "en"
    changed = False
    old_number = new_number = ""
    count = COUNT_PATTERN.search(text)
    if count is not None:
        old = int(count["value"])
        new = max(1, old + rng.choice((-1, 1)) * rng.randint(1, max(1, old // 4)))
        new = new if new != old else old + 1
        old_number, new_number = format_number(old, language), format_number(new, language)
        raw = re.sub(rf"(?<!\d){re.escape(old_number)}(?!\d)", new_number, count["raw"], count=1)
        if raw == count["raw"]:
            raw = quote(f"{new_number} {MEASURE_WORDS[language][count['measure']]}")
        replacement = count.group(0).replace(f"value: {old}\n", f"value: {new}\n")
        replacement = replacement[: replacement.rindex("raw: ")] + f"raw: {raw}"
        text = text[: count.start()] + replacement + text[count.end() :]
        changed = True
    evidence = QUOTE_PATTERN.search(text)
    if evidence is not None:
        words = json.loads(evidence.group(1))
        if old_number and re.search(rf"(?<!\d){re.escape(old_number)}(?!\d)", words):
            words = re.sub(rf"(?<!\d){re.escape(old_number)}(?!\d)", new_number, words, count=1)
        else:
            words += UPDATED.get(language, UPDATED["en"])
        text = text[: evidence.start(1)] + quote(words) + text[evidence.end(1) :]
        changed = True
    if not changed:
        title = TITLE_PATTERN.search(text)
        if title is None:
            raise ValueError(f"{path} has no title line; was it written by generate_corpus?")
        corrected = json.loads(title.group(1)) + UPDATED.get(language, UPDATED["en"])
        text = text[: title.start(1)] + quote(corrected) + text[title.end(1) :]
    path.write_bytes(text.encode("utf-8"))
    return path


# -- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusMeasure:
    """How big a corpus is once published."""

    articles: int
    quads: int
    entity_quads: int
    claims: int
    answering_claims: int

    @property
    def quads_per_article(self) -> float:
        """Every quad (registry included) per article."""
        return self.quads / max(self.articles, 1)

    @property
    def article_quads_per_article(self) -> float:
        """Quads of the articles' own graphs per article (the registry left out)."""
        return (self.quads - self.entity_quads) / max(self.articles, 1)


def measure_corpus(root: Path) -> CorpusMeasure:
    """Load and map a corpus (without validating it) and count what it publishes."""
    from kgpub.collection import load_collection
    from kgpub.iris import IriScheme
    from kgpub.mapper import map_collection

    collection = load_collection(root)
    iris = IriScheme()
    mapped = map_collection(collection, iris=iris)
    claims = [claim for source in collection.articles for claim in source.article.claims]
    answering = sum(
        1
        for claim in claims
        if any(
            "#" in r for r in (*claim.confirms, *claim.denies, *claim.reframes, *claim.supersedes)
        )
    )
    return CorpusMeasure(
        articles=len(collection.articles),
        quads=mapped.quad_count(),
        entity_quads=len(mapped.graph(iris.entities_graph)),
        claims=len(claims),
        answering_claims=answering,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic corpus of fact files.")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--articles", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=0, metavar="S")
    parser.add_argument(
        "--measure", action="store_true", help="load and map the corpus, and print its size"
    )
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        generate_corpus(arguments.out_dir, arguments.articles, seed=arguments.seed)
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"wrote {arguments.articles} articles to {arguments.out_dir} in {seconds:.1f} s")
    if arguments.measure:
        started = time.perf_counter()
        measured = measure_corpus(arguments.out_dir)
        seconds = time.perf_counter() - started
        print(
            f"{measured.quads} quads ({measured.entity_quads} in the entity graph) for "
            f"{measured.articles} articles: {measured.quads_per_article:.1f} per article, "
            f"{measured.article_quads_per_article:.1f} without the registry "
            f"(loaded and mapped in {seconds:.1f} s)"
        )
        share = measured.answering_claims / max(measured.claims, 1)
        print(
            f"{measured.claims} claims, {measured.answering_claims} ({share:.1%}) answering a "
            "claim of an earlier article"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
