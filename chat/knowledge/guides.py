"""Symptom guides: what a noise, smell, leak or feel means, what to check and what it costs.

Guides live in ``data/guides/*.json``, one file per topic. They are loaded and validated once; a bad
entry fails loudly with its file and id, because a guide skipped in silence is an answer missing
without anyone knowing. Search ranks guides with BM25F over an in-memory inverted index and copes
with misspellings and with UK and US car words.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

GUIDES_DIR = Path(__file__).parent / "data" / "guides"

SEVERITIES = ("low", "moderate", "high", "severe")
DRIVE_VERDICTS = ("yes", "caution", "no")

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class GuideDataError(ValueError):
    """A guide file that does not match the schema."""


@dataclass(frozen=True)
class Guide:
    id: str
    title: str
    category: str
    aliases: tuple[str, ...]
    symptoms: tuple[str, ...]
    causes: tuple[str, ...]
    checks: tuple[str, ...]
    diy: str
    professional: str
    tools: tuple[str, ...]
    cost: tuple[int, int]
    cost_note: str
    safety: tuple[str, ...]
    severity: str
    drive: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, field for field as in the data files."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(self).items()
        }


_FIELD_NAMES = frozenset(field.name for field in fields(Guide))
_TEXT_FIELDS = ("id", "title", "category", "diy", "professional", "cost_note")
_LIST_FIELDS = ("aliases", "symptoms", "causes", "checks", "tools", "safety")


@cache
def all_guides() -> tuple[Guide, ...]:
    """Every shipped guide, read and validated on first use."""
    return load_guides(GUIDES_DIR)


def load_guides(folder: Path) -> tuple[Guide, ...]:
    """Read and validate every ``*.json`` guide file in ``folder``; raise ``GuideDataError``."""
    guides: list[Guide] = []
    first_seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        for guide in _read_guide_file(path):
            if guide.id in first_seen:
                raise GuideDataError(
                    f"{path.name}: duplicate guide id {guide.id!r} (already in "
                    f"{first_seen[guide.id]})"
                )
            first_seen[guide.id] = path.name
            guides.append(guide)
    return tuple(guides)


def _read_guide_file(path: Path) -> list[Guide]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise GuideDataError(f"{path.name}: not valid JSON ({error})") from error
    if not isinstance(entries, list):
        raise GuideDataError(f"{path.name}: expected a JSON list of guides")
    return [_parse_guide(entry, path.name, position) for position, entry in enumerate(entries)]


def _parse_guide(entry: Any, file_name: str, position: int) -> Guide:
    where = f"{file_name}, guide #{position}"
    if not isinstance(entry, dict):
        raise GuideDataError(f"{where}: expected an object")
    if isinstance(entry.get("id"), str):
        where = f"{file_name}, guide {entry['id']!r}"

    def fail(problem: str) -> GuideDataError:
        return GuideDataError(f"{where}: {problem}")

    missing, unknown = _FIELD_NAMES - entry.keys(), entry.keys() - _FIELD_NAMES
    if missing or unknown:
        raise fail(f"missing fields {sorted(missing)}, unknown fields {sorted(unknown)}")
    for name in _TEXT_FIELDS:
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise fail(f"{name!r} must be a non-empty string")
    for name in _LIST_FIELDS:
        value = entry[name]
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise fail(f"{name!r} must be a list of non-empty strings")
    if not _ID.fullmatch(entry["id"]):
        raise fail("'id' must be kebab-case: lower-case letters and digits joined by '-'")
    cost = entry["cost"]
    if not (
        isinstance(cost, list)
        and len(cost) == 2
        and all(type(amount) is int for amount in cost)
        and 0 <= cost[0] <= cost[1]
    ):
        raise fail(f"'cost' must be [low, high] whole dollars with 0 <= low <= high, not {cost!r}")
    if entry["severity"] not in SEVERITIES:
        raise fail(f"'severity' must be one of {SEVERITIES}, not {entry['severity']!r}")
    if entry["drive"] not in DRIVE_VERDICTS:
        raise fail(f"'drive' must be one of {DRIVE_VERDICTS}, not {entry['drive']!r}")
    return Guide(
        **{
            name: tuple(value) if isinstance(value, list) else value
            for name, value in entry.items()
        }
    )


# --- Search -----------------------------------------------------------------------------------

# People describe a fault in their own words, which are closest to the title and aliases.
_FIELD_WEIGHTS = {"title": 3.0, "aliases": 3.0, "symptoms": 1.5, "causes": 1.0}
_TOPIC_FIELDS = ("title", "aliases")
_K1, _B = 1.2, 0.75
# Scores are BM25F scaled by the share of the question's words a guide matches. One telling word
# ("overheating", "smoke") scores 3.5-5, a description of a fault 9-30, and questions about other
# things almost always under 2.5 (a car word in them, as in "play some music", can still match).
MIN_SCORE = 3.0
# Below this similarity a "correction" is more often a different word ("night" -> "light").
_TYPO_CUTOFF = 0.8

_STOP_WORDS = frozenset(
    """
    a about after again all also am an and any are as at be because been before being both but by
    can could did do does doing dont doesnt down during each few for from further get gets getting
    got had has have having he her here hers him his how i id if im in into is isnt it its ive just
    me more most my myself no nor not now of off on once only or other our out over own please
    same she should so some such than that thats the their them then there these they this those
    through to too under until up very was wasnt we were what whats when where which while who
    whom why will with wont would you your yours keep keeps kind sort really lot lots bit thing
    things something anything problem problems issue issues help hi hello thanks car cars vehicle
    vehicles happen happens happening mean means tell know think seems like go goes going gone come
    comes coming make makes making made onto since every last night today yesterday day days week
    time times
    """.split()  # noqa: SIM905 - a long word list reads better as text
)

# Canonical word: the other ways people say it. Both sides are stemmed, so one form is enough.
_SYNONYMS = {
    "tyre": ("tire",),
    "bonnet": ("hood",),
    "fuel": ("gas", "gasoline", "petrol"),
    "boot": ("trunk",),
    "windscreen": ("windshield",),
    "cel": ("mil",),
    "ac": ("aircon", "airco"),
    "transmission": ("tranny", "trans", "gearbox", "tranmission", "transmision"),
    "squeal": ("squeak", "squeaky", "squeek", "squeel", "screech"),
    "brake": ("break",),  # "breaks" is the usual misspelling, and nobody means the other one here
    "vibration": ("shake", "shaky", "shudder", "judder", "wobble", "wobbly", "vibrate", "shimmy"),
    "coolant": ("antifreeze",),
    "exhaust": ("tailpipe", "muffler", "silencer"),
    "engine": ("motor",),
    "smell": ("stink", "odour", "odor", "stench", "smelly"),
    "noise": ("sound", "noisy"),
    "leak": ("drip", "puddle"),
    "fluid": ("liquid",),
    "clunk": ("clonk", "thud", "thunk"),
    "dead": ("flat",),
    "sulphur": ("sulfur",),
    "mould": ("mold", "mouldy", "moldy", "mildew"),
    "temperature": ("temp",),
    "highway": ("motorway", "freeway", "interstate"),
    "spongy": ("mushy", "squishy"),
    "accelerate": ("acceleration",),
    "disc": ("disk", "rotor"),
    "kerb": ("curb",),
    "dashboard": ("dash",),
    "rev": ("rpm",),
    "die": ("died", "dying"),
}
# Phrases that must become one token before the text is split into words.
_PHRASES = (
    (re.compile(r"\ba/c\b"), " ac "),
    (re.compile(r"\bair[ -]?con(?:dition(?:ing|er)?)?\b"), " ac "),
    (re.compile(r"\b(?:check engine|engine management|engine)(?: warning)? light\b"), " cel "),
    (re.compile(r"\bcheck engine\b"), " cel "),
    (re.compile(r"\bad+[ -]?blue\b|\bdiesel exhaust fluid\b"), " adblue "),
    # "Turns over" means the starter spins the engine; alone, "turn" would suggest steering.
    (re.compile(r"\bturn(?:s|ing|ed)? over\b"), " crank "),
)
_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """Light stemming: plurals, -ing, -ed and a final e, so brake/brakes/braking meet."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and not (suffix == "ed" and stem[-1] == "e"):
            # "slipping" -> "slip", but "stalled" keeps its double l like "stall" does.
            if stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]
            word = stem
            break
    return word[:-1] if len(word) >= 4 and word.endswith("e") else word


_CANONICAL = {
    _stem(variant): _stem(canonical)
    for canonical, variants in _SYNONYMS.items()
    for variant in variants
}


def _words(text: str) -> list[str]:
    text = text.lower().replace("'", "").replace("\u2019", "")
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return _WORD.findall(text)


def _pairs(terms: list[str]) -> list[str]:
    return [f"{first} {second}" for first, second in itertools.pairwise(terms)]


def _term(word: str) -> str | None:
    if word in _STOP_WORDS:
        return None
    stem = _stem(word)
    return _CANONICAL.get(stem, stem)


@dataclass(frozen=True)
class _Index:
    guides: tuple[Guide, ...]
    # term, or "term term" for a pair of neighbours in a title or alias -> {guide position:
    # weighted frequency}. Pairs reward a question phrased the way an alias is.
    postings: dict[str, dict[int, float]]
    topical: dict[str, frozenset[int]]  # term -> guides with it in the title or an alias
    lengths: tuple[float, ...]
    average_length: float
    known_words: frozenset[str]
    correctable_words: dict[str, tuple[str, ...]]  # first letter -> words


@cache
def _index() -> _Index:
    guides = all_guides()
    postings: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    topical: dict[str, set[int]] = defaultdict(set)
    lengths: list[float] = []
    seen_words: set[str] = set()
    for position, guide in enumerate(guides):
        length = 0.0
        for field_name, weight in _FIELD_WEIGHTS.items():
            value = getattr(guide, field_name)
            for text in (value,) if isinstance(value, str) else value:
                words = _words(text)
                seen_words.update(words)
                terms = [term for term in map(_term, words) if term]
                for term in terms:
                    postings[term][position] += weight
                length += weight * len(terms)
                if field_name in _TOPIC_FIELDS:
                    for term in terms:
                        topical[term].add(position)
                    for pair in _pairs(terms):
                        postings[pair][position] += weight
        lengths.append(length)
    synonym_words = {
        word for canonical, variants in _SYNONYMS.items() for word in (canonical, *variants)
    }
    by_first_letter: dict[str, list[str]] = defaultdict(list)
    for word in sorted(seen_words - _STOP_WORDS | synonym_words):
        if word.isalpha():
            by_first_letter[word[0]].append(word)
    return _Index(
        guides=guides,
        postings={term: dict(counts) for term, counts in postings.items()},
        topical={term: frozenset(positions) for term, positions in topical.items()},
        lengths=tuple(lengths),
        average_length=sum(lengths) / max(len(lengths), 1),
        known_words=frozenset(seen_words | synonym_words | _STOP_WORDS),
        correctable_words={letter: tuple(words) for letter, words in by_first_letter.items()},
    )


@lru_cache(maxsize=4096)
def _correct(word: str) -> tuple[str, float] | None:
    """The vocabulary word closest to an unknown ``word``, and how close it is."""
    # Typos rarely change the first letter, and insisting on it stops real words drifting into
    # car words ("tall" -> "stall"); it also makes the candidate list short.
    candidates = _index().correctable_words.get(word[0], ())
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=_TYPO_CUTOFF)
    if not matches:
        return None
    return matches[0], difflib.SequenceMatcher(None, word, matches[0]).ratio()


@dataclass(frozen=True)
class _Query:
    terms: dict[str, float]  # weight 1 for a word as typed, less for a corrected one
    pairs: dict[str, float]
    meaningful_words: int  # matched or not: the share matched says how relevant a guide is


def _parse_query(text: str) -> _Query:
    index = _index()
    terms: list[tuple[str, float]] = []
    unmatched: set[str] = set()
    for typed in _words(text):
        if typed in _STOP_WORDS:
            continue
        word, weight = typed, 1.0
        if typed not in index.known_words and len(typed) >= 4 and typed.isalpha():
            correction = _correct(typed)
            if correction is not None:
                # Squared, so one corrected word alone ("bake" -> "brake") stays under MIN_SCORE.
                word, weight = correction[0], correction[1] ** 2
        term = _term(word)
        if term is not None and term in index.postings:
            terms.append((term, weight))
        elif typed.isalpha():  # an unknown year or mileage says nothing about relevance
            unmatched.add(typed)
    weights: dict[str, float] = {}
    for term, weight in terms:
        weights[term] = max(weight, weights.get(term, 0.0))
    pairs: dict[str, float] = {}
    for (first, first_weight), (second, second_weight) in itertools.pairwise(terms):
        pair = f"{first} {second}"
        if pair in index.postings:
            pairs[pair] = min(first_weight, second_weight)
    return _Query(weights, pairs, len(weights) + len(unmatched))


def search_guides(text: str, *, limit: int = 3) -> list[tuple[Guide, float]]:
    """Guides matching a free-text description of a fault, best first, with their scores."""
    if limit <= 0 or not text or not text.strip():
        return []
    index = _index()
    query = _parse_query(text)
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, float] = defaultdict(float)
    on_topic: set[int] = set()
    for term, query_weight in (*query.terms.items(), *query.pairs.items()):
        postings = index.postings[term]
        idf = math.log(1 + (len(index.guides) - len(postings) + 0.5) / (len(postings) + 0.5))
        for position, frequency in postings.items():
            norm = 1 - _B + _B * index.lengths[position] / index.average_length
            scores[position] += (
                query_weight * idf * frequency * (_K1 + 1) / (frequency + _K1 * norm)
            )
        if term in query.terms:
            for position in postings:
                matched[position] += query_weight
            on_topic |= index.topical.get(term, frozenset())
    # A guide whose title and aliases share no word with the question is not about it, however
    # many common words its causes happen to contain.
    ranked = sorted(
        (
            (position, score * matched[position] / query.meaningful_words)
            for position, score in scores.items()
            if position in on_topic
        ),
        key=lambda item: (-item[1], item[0]),
    )
    return [
        (index.guides[position], score) for position, score in ranked[:limit] if score >= MIN_SCORE
    ]
