"""Offline answers about symptoms and maintenance, composed from the repair guides."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chat.knowledge.codes import DRIVE_VERDICTS
from chat.knowledge.guides import Guide, search_guides
from chat.knowledge.maintenance import due_around, schedule

# A second guide is worth naming when it scores at least this share of the best one.
RELATED_SHARE = 0.6
# A one-word question ("overheating") can only score low; a longer one that scores this low has
# merely brushed a car word ("how to lose weight fast"), and a guide would mislead. Scores grow a
# little with every guide added (rarer words weigh more), so this moves with the collection.
CONFIDENT_SCORE = 5.5
# Buying advice shares words with repair guides ("a diesel or a petrol?") but isn't a fault:
# buying a whole car, or weighing one fuel or drivetrain against another. Words of a mistake or
# a part ("I put petrol in my diesel", "should I buy a new battery") keep it a repair question.
_CAR = (
    r"(?:cars?|diesels?|petrol|gas(?:oline)?|hybrids?|electric(?: cars?)?|evs?|suvs?|trucks?"
    r"|vans?|hatchbacks?)"
)
_BUYING = re.compile(
    r"\b(?:should i (?:buy|get|choose|go for) (?:an? |the )?(?:new |used |second[- ]hand )?"
    rf"{_CAR}\b|which (?:car|model) (?:should|to)\b|(?:best|good|reliable) {_CAR}\b"
    rf"|{_CAR} (?:or|vs\.?|versus) (?:an? )?{_CAR}\b)",
    re.IGNORECASE,
)
_MISHAP = re.compile(
    r"\b(?:put|filled|fill(?:ed)? up|wrong|mistake|accident\w*|misfuel\w*)\b", re.I
)
_MAINTENANCE = re.compile(
    r"\b(service|servicing|maintenance|schedule|due|interval|how often|when should i (?:change|"
    r"replace))\b",
    re.IGNORECASE,
)
_VAGUE_WORDS = 6


def guide_answer(message: str, *, vehicle_name: str = "") -> tuple[str, Guide] | None:
    """A structured answer from the best-matching guide, or None when no guide fits."""
    if _BUYING.search(message) and not _MISHAP.search(message):
        return None
    results = search_guides(message, limit=3)
    if not results:
        return None
    if len(re.findall(r"[A-Za-z']{3,}", message)) > 1 and results[0][1] < CONFIDENT_SCORE:
        return None
    (guide, best), *others = results
    related = [g for g, score in others if score >= best * RELATED_SHARE]
    parts = [_guide_section(guide, vehicle_name)]
    if related:
        parts.append(
            "**Could also be:** " + "; ".join(f"{g.title.rstrip('.')}" for g in related) + "."
        )
    if len(re.findall(r"[A-Za-z']+", message)) <= _VAGUE_WORDS or not vehicle_name:
        parts.append(_clarifying_questions(guide, vehicle_name))
    return "\n\n".join(parts), guide


def _guide_section(guide: Guide, vehicle_name: str) -> str:
    heading = f"### {guide.title}"
    lead = f"For your **{vehicle_name}**, here is" if vehicle_name else "Here is"
    lines = [
        heading,
        f"{lead} how a mechanic would work through this.",
        f"**Safe to keep driving?** {DRIVE_VERDICTS[guide.drive]} (severity: {guide.severity})",
    ]
    if guide.safety:
        lines.append("**Safety first**\n\n" + "\n".join(f"- {note}" for note in guide.safety))
    lines.append("**Most likely causes** (most likely first)\n\n" + _numbered(guide.causes))
    lines.append("**Step-by-step checks**\n\n" + _numbered(guide.checks))
    lines.append(f"**Do it yourself:** {guide.diy}")
    lines.append(f"**When to see a professional:** {guide.professional}")
    if guide.tools:
        lines.append("**Tools:** " + ", ".join(guide.tools) + ".")
    low, high = guide.cost
    if high:
        lines.append(
            f"**Typical cost:** ${low:,}–${high:,}. {guide.cost_note} "
            "Prices vary by region and vehicle."
        )
    return "\n\n".join(lines)


def _clarifying_questions(guide: Guide, vehicle_name: str) -> str:
    questions = []
    if not vehicle_name:
        questions.append("What is the make, model, year and engine, and roughly the mileage?")
    questions.append(
        "When exactly does it happen (cold start, idle, accelerating, braking, turning, at a "
        "certain speed), and has it got worse?"
    )
    if guide.category != "warning lights":
        questions.append("Are any warning lights on, or trouble codes stored (an OBD-II reader)?")
    return "**To narrow it down, tell me:**\n\n" + _numbered(questions[:2])


def is_maintenance_question(message: str) -> bool:
    return bool(_MAINTENANCE.search(message))


def maintenance_answer(mileage: int | None, vehicle_name: str = "") -> str:
    """What is typically due around ``mileage`` (miles), or the whole schedule without one."""
    confirm = (
        "*Typical intervals: confirm them against the service schedule in your owner's manual, "
        "which is what the warranty follows.*"
    )
    if mileage is None:
        rows = [f"- **{item.item}:** {item.range}" for item in schedule()]
        ask = "Tell me the mileage (or set it in the vehicle profile) and I'll list what is due."
        return "\n\n".join(["### Typical maintenance schedule", "\n".join(rows), ask, confirm])
    soon, by_time = due_around(mileage)
    who = f"your **{vehicle_name}**" if vehicle_name else "your car"
    parts = [f"### Maintenance due around {mileage:,} miles", f"For {who}:"]
    if soon:
        parts.append(
            "\n".join(
                f"- **{due.item.item}** — at {due.next_due_miles:,} miles "
                f"({due.item.range}){' · DIY-friendly' if due.item.diy else ''}"
                for due in soon
            )
        )
    else:
        parts.append("Nothing mileage-based falls due in the next 5,000 miles.")
    parts.append(
        "**Due by time, whatever the mileage:**\n\n"
        + "\n".join(f"- **{due.item.item}:** {due.item.range}" for due in by_time)
    )
    parts.append("*If your odometer reads kilometres, divide by 1.6 to compare.*")
    parts.append(confirm)
    return "\n\n".join(parts)


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))
