"""The offline mechanic: composes a Markdown answer from the embedded knowledge alone.

It answers what it can answer well (trouble codes, VINs, safety) and says plainly when a
question needs a language model. Follow-ups like "what about the second one?" resolve against
the codes the user listed earlier, so a short conversation about several codes works offline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from chat.knowledge.checks import advice_for, is_high_voltage
from chat.knowledge.codes import (
    DRIVE_VERDICTS,
    CodeDetails,
    CodeInfo,
    MakerUsage,
    find_codes,
    lookup_code,
    maker_usages,
)
from chat.knowledge.safety import SafetyVerdict, triage
from chat.knowledge.topics import guide_answer, is_maintenance_question, maintenance_answer
from chat.knowledge.vin import InvalidVin, VinInfo, decode_vin, find_vins

ENABLE_MODEL = (
    "To get full answers to questions like this, enable a language model: set `OPENAI_API_KEY` "
    "(OpenAI) or `OPENAI_BASE_URL` (any OpenAI-compatible server such as Ollama, vLLM, llama.cpp "
    "or LM Studio)."
)
SERVICE_SCHEDULE_GUIDE = "maintenance-service-schedule"
_FROM_GUIDES = (
    "*From the offline mechanic's repair guides. For a back-and-forth diagnosis of your exact "
    "case, enable a language model (set `OPENAI_API_KEY` or `OPENAI_BASE_URL`).*"
)
_BEYOND_TABLES = (
    "*I answered from the code and VIN tables; for the rest of your question a language model "
    "can help (set `OPENAI_API_KEY` or `OPENAI_BASE_URL`).*"
)
# A scan tool can dump dozens of codes; past this many the answer stops being scannable.
MAX_CODES = 6
MAX_VINS = 3
_RECHECK = (
    "**After the repair:** clear the code only once the cause is fixed, then drive a full warm-up "
    "cycle and scan again to confirm it stays gone. Clearing it first just hides the evidence."
)

# "the second one", "2nd code", "the last"; a bare "first" ("first of all...") is not a pick.
_ORDINAL_WORDS = {
    "first": 0, "1st": 0, "former": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
    "fourth": 3, "4th": 3, "fifth": 4, "5th": 4, "last": -1, "latter": -1, "other": None,
}  # fmt: skip
_ORDINAL = re.compile(
    r"\b(?:the\s+(first|1st|former|second|2nd|third|3rd|fourth|4th|fifth|5th|last|latter|other)\b"
    r"|(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|other)\s+(?:one|code|dtc)\b)",
    re.IGNORECASE,
)
# Phrases that point back at the codes already discussed. A bare "it" is not enough: "it makes a
# noise when I turn" starts a new topic.
_REFERENCE = re.compile(
    r"\b(?:the codes?|that code|this code|those codes|these codes|them|both|more about|again"
    r"|what causes?|(?:how|can) (?:do |can )?i fix|how to fix|what does (?:it|that|this) mean"
    r"|is it (?:safe|serious|bad|urgent|expensive)|can i (?:still )?drive)\b",
    re.IGNORECASE,
)
_THANKS = re.compile(r"^\s*(?:thanks|thank you|thx|cheers|great|ok|okay|perfect)\b[\s!.]*$", re.I)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening))\b[\s!.,]*$", re.I)
# 17 characters that would be a VIN but for I, O or Q: almost always a misread 1 or 0.
_NEAR_VIN = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[IOQioq])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{17}(?![A-Za-z0-9])"
)


def answer(
    message: str,
    *,
    history: Sequence[tuple[str, str]] = (),
    vehicle: Mapping[str, Any] | None = None,
) -> str:
    """A Markdown answer to ``message``. ``history`` is earlier (role, text) pairs, oldest first."""
    message = message or ""
    verdict = triage(message)
    parts = [_safety_warning(verdict)] if verdict.level != "ok" else []
    vehicle_name, make = _describe_vehicle(vehicle)

    codes, vins = find_codes(message), find_vins(message)
    follow_up = None
    if not codes and not vins:
        codes, follow_up = _codes_from_history(message, history)
    if not codes and not vins:
        topic = _topic_section(message, vehicle_name, vehicle)
        if topic:
            parts += [topic, _FROM_GUIDES]
        else:
            parts.append(_offline_section(message, verdict, vehicle_name, history))
        return "\n\n".join(parts)

    if vehicle_name:
        parts.append(f"For your **{vehicle_name}**:")
    if follow_up:
        parts.append(follow_up)
    parts.extend(_code_section(lookup_code(code), make) for code in codes[:MAX_CODES])
    if len(codes) > MAX_CODES:
        parts.append(f"…and {_join(codes[MAX_CODES:])}: ask about them a few at a time.")
    if codes:
        parts.append(_RECHECK)
    parts.extend(_vin_section(decode_vin(vin), vehicle) for vin in vins[:MAX_VINS])
    if _asks_more_than_lookups(message, codes + vins):
        parts.append(_BEYOND_TABLES)
    return "\n\n".join(parts)


def _topic_section(
    message: str, vehicle_name: str, vehicle: Mapping[str, Any] | None
) -> str | None:
    """A maintenance schedule or a symptom guide that fits the message, if any does."""
    if _THANKS.match(message) or _GREETING.match(message) or not message.strip():
        return None
    found = guide_answer(message, vehicle_name=vehicle_name)
    # "What service is due?" is answered from the schedule (at the profile's mileage when known);
    # a question about one job ("how often is brake fluid changed?") from that job's guide.
    general = found is None or found[1].id == SERVICE_SCHEDULE_GUIDE
    if is_maintenance_question(message) and general:
        return maintenance_answer(_mileage(vehicle), vehicle_name)
    return found[0] if found else None


def _mileage(vehicle: Mapping[str, Any] | None) -> int | None:
    digits = str((vehicle or {}).get("mileage") or "").replace(",", "").strip()
    return int(digits) if digits.isdigit() else None


def _asks_more_than_lookups(message: str, lookups: Sequence[str]) -> bool:
    """A real question around the codes ("is it safe to drive with P0420 for a month?")."""
    for lookup in lookups:
        message = re.sub(lookup, " ", message, flags=re.IGNORECASE)
    return "?" in message and len(re.findall(r"[A-Za-z']+", message)) > 8


def _safety_warning(verdict: SafetyVerdict) -> str:
    if verdict.level == "stop":
        lead = "**Stop driving.** This sounds unsafe to continue with:"
    else:
        lead = "**Take care.** Before you go further:"
    advice = [f"- **{hazard.title}:** {hazard.advice}" for hazard in verdict.hazards]
    return lead + "\n\n" + "\n".join(advice)


def _code_section(info: CodeInfo, make: str) -> str:
    usage = maker_usages().get(info.code) if info.generic else None
    brand = usage.brand(make) if usage else None
    if brand:
        return _maker_code_section(info, usage, brand)
    if not info.generic:
        title = f"### {info.code}: manufacturer-specific code"
    else:
        title = f"### {info.code}: {info.meaning or 'no generic meaning on file'}"
    facts = [
        f"- **System:** {info.system}",
        f"- **Type:** {info.scope}",
        f"- **Area:** {info.subsystem}",
    ]
    if not info.generic:
        whose = f"{make}'s own definition applies" if make else "its meaning differs by make"
        facts.append(f"- **Meaning:** set by the maker, not SAE ({whose}), so I won't guess at it.")
    elif not info.meaning:
        facts.append(
            "- **Meaning:** the number is in SAE's generic range, but its meaning isn't in my "
            "table (it may be a recent addition to the standard, or unassigned); look it up in "
            "the service information for your vehicle."
        )
    if info.note:
        facts.append(f"- **Note:** {info.note}")
    hint = _location_hint(info.meaning or "")
    if hint:
        facts.append(f"- **Good to know:** {hint}")
    if info.details is not None:
        return _detailed_code_section(title, facts, info.details, is_high_voltage(info))
    advice = advice_for(info)
    facts.append(f"- **How urgent:** {advice.urgency}")
    checks = [f"{n}. {check}" for n, check in enumerate(advice.checks, start=1)]
    return "\n\n".join([title, "\n".join(facts), "**What to check first**", "\n".join(checks)])


def _maker_code_section(info: CodeInfo, usage: MakerUsage, brand: str) -> str:
    """A generic number the owner's maker uses its own way: the maker's meaning leads."""
    as_used = replace(info, meaning=usage.meaning, details=None, note=None)
    advice = advice_for(as_used)
    facts = [
        f"- **System:** {info.system}",
        f"- **Meaning on a {brand}:** {usage.meaning} ({usage.maker} uses this generic number "
        "its own way)",
        f"- **SAE meaning, used by other makers:** {info.meaning or 'not in my table'}",
        f"- **How urgent:** {advice.urgency}",
    ]
    checks = [f"{n}. {check}" for n, check in enumerate(advice.checks, start=1)]
    return "\n\n".join(
        [
            f"### {info.code}: {usage.meaning} ({usage.maker})",
            "\n".join(facts),
            "**What to check first**",
            "\n".join(checks),
        ]
    )


def _detailed_code_section(
    title: str, facts: list[str], details: CodeDetails, high_voltage: bool = False
) -> str:
    facts = [
        *facts,
        f"- **Severity:** {details.severity}",
        f"- **Safe to keep driving?** {DRIVE_VERDICTS[details.drive]} {details.drive_note}",
    ]
    causes = [f"{n}. {cause}" for n, cause in enumerate(details.causes, start=1)]
    checks = [f"{n}. {check}" for n, check in enumerate(details.checks, start=1)]
    low, high = details.cost
    if details.drive == "no":
        who = "Have it towed to a workshop rather than driving it there."
    elif high_voltage:
        who = (
            "Beyond the checks above, this is work for a hybrid-qualified shop: the high-voltage "
            "system can kill, even with the car switched off."
        )
    else:
        who = (
            "The checks above suit a careful owner with basic tools; if they don't find it, a "
            "shop with a good scan tool can test the circuit and component properly."
        )
    return "\n\n".join(
        [
            title,
            "\n".join(facts),
            "**Most likely causes** (most likely first)",
            "\n".join(causes),
            "**What to check first**",
            "\n".join(checks),
            f"**DIY or shop:** {who}",
            f"**Typical cost:** ${low:,}–${high:,}. {details.cost_note} "
            "Prices vary by region and vehicle.",
        ]
    )


def _location_hint(meaning: str) -> str:
    """Decode "Bank 2 Sensor 1" and "Cylinder 4", which trip up most people reading a code."""
    hints = []
    if re.search(r"Cylinder \d+", meaning):
        hints.append(
            "cylinder numbering is the maker's (cylinder 1 is usually at the timing belt or "
            "chain end)"
        )
    if "Bank 1" in meaning:
        hints.append("bank 1 is the side of the engine with cylinder 1")
    if "Bank 2" in meaning:
        hints.append("bank 2 is the side opposite cylinder 1 (V engines only)")
    if "Sensor 1" in meaning:
        hints.append("sensor 1 sits before the catalytic converter")
    if re.search(r"Sensor [23]\b", meaning):
        hints.append("sensor 2 and 3 sit after it")
    if not hints:
        return ""
    text = "; ".join(hints)
    return text[0].upper() + text[1:] + "."


def _vin_section(info: VinInfo, vehicle: Mapping[str, Any] | None) -> str:
    lines = [f"- **Manufacturer:** {info.manufacturer}"]
    lines.append(f"- **Built in:** {info.country} ({info.region})")
    lines.append(f"- **Model year:** {_years_text(info.model_years, vehicle)}")
    if info.check_digit_valid:
        lines.append("- **Check digit:** valid")
    else:
        lines.append("- **Check digit:** does not match (a warning, not an error)")
    lines += [f"- **{label}:** {value}" for label, value in info.details.items()]
    lines.append(f"- **Structure:** WMI `{info.wmi}` · VDS `{info.vds}` · VIS `{info.vis}`")
    warnings = [f"> **Warning:** {warning}" for warning in info.warnings]
    return "\n\n".join([f"### VIN {info.vin}", "\n".join(lines), *warnings])


def _years_text(years: Sequence[int], vehicle: Mapping[str, Any] | None) -> str:
    if not years:
        return "unknown"
    if len(years) == 1:
        return str(years[0])
    listed = " or ".join(str(year) for year in years)
    profile_year = str((vehicle or {}).get("year") or "").strip()
    if profile_year.isdigit() and int(profile_year) in years:
        return f"{profile_year}, matching your profile (the code could also mean {listed})"
    return f"{listed} (the 10th character repeats every 30 years)"


def _offline_section(
    message: str,
    verdict: SafetyVerdict,
    vehicle_name: str,
    history: Sequence[tuple[str, str]],
) -> str:
    if _THANKS.match(message):
        return "You're welcome. Send another trouble code or VIN any time."
    intro = (
        "I'm the offline mechanic. Without a language model I can explain **OBD-II trouble "
        "codes** (the P, B, C and U codes a scanner reads), decode **VINs** and flag safety "
        "issues, but I can't reliably diagnose a free-form description."
    )
    if not message.strip() or _GREETING.match(message):
        return "\n\n".join(
            ["Hi! " + intro, "Send me a trouble code or a VIN to start.", ENABLE_MODEL]
        )

    parts = []
    if verdict.level == "ok":
        parts.append("**Safety check:** nothing in your message points to an immediate hazard.")
    near_vins = _NEAR_VIN.findall(message)
    if near_vins:
        parts.append(
            f"`{near_vins[0].upper()}` looks like a VIN, but VINs never contain I, O or Q: check "
            "for a 1 or 0 read as a letter and send it again."
        )
    parts.append(intro)

    questions = []
    if not vehicle_name:
        questions.append("What is the make, model, year and engine?")
    questions.append(
        "When does it happen (cold start, idle, accelerating, braking, turning, at a certain "
        "speed), and are any warning lights on or trouble codes stored? A cheap OBD-II reader "
        "shows the codes."
    )
    parts.append("**To narrow it down:**")
    parts.append("\n".join(f"{n}. {q}" for n, q in enumerate(questions, start=1)))

    earlier = _latest_code_list(history)
    if earlier:
        parts.append(
            f"Earlier you mentioned {_join(earlier)}: ask about "
            + ('"the first one" or "the second one"' if len(earlier) > 1 else "it")
            + " for details."
        )
    parts.append(ENABLE_MODEL)
    return "\n\n".join(parts)


def _codes_from_history(
    message: str, history: Sequence[tuple[str, str]]
) -> tuple[list[str], str | None]:
    """The codes a message without codes refers to, and a line saying which ones they are."""
    pick = _ORDINAL.search(message)
    if pick:
        # An ordinal picks from a list, so skip later single-code follow-ups ("more on P0171").
        codes = _latest_code_list(history, at_least=2) or _latest_code_list(history)
        if not codes:
            return [], None
        index = _ORDINAL_WORDS[(pick.group(1) or pick.group(2)).lower()]
        if index is None:
            code = _other_code(codes, history)
        elif index < len(codes):
            code = codes[index]
        else:
            return [], None
        return [code], f"*Following up on **{code}** from your earlier list ({_join(codes)}).*"
    codes = _latest_code_list(history)
    if codes and _REFERENCE.search(message):
        return codes, f"*Following up on {_join(codes)} from earlier.*"
    return [], None


def _latest_code_list(history: Sequence[tuple[str, str]], *, at_least: int = 1) -> list[str]:
    """Codes from the newest user message that has enough; failing that, the newest reply's."""
    for wanted in ("user", "assistant"):
        for role, text in reversed(history):
            if role == wanted:
                codes = find_codes(text)
                if len(codes) >= at_least:
                    return codes
    return []


def _other_code(codes: list[str], history: Sequence[tuple[str, str]]) -> str:
    """ "The other one": whichever code of the list the last follow-up was not about."""
    if len(codes) < 2:
        return codes[0]
    for role, text in reversed(history):
        if role != "user":
            continue
        named = find_codes(text)
        if named == codes:
            break  # back at the list itself: nothing was singled out since
        if len(named) == 1 and named[0] in codes:
            focus = named[0]
        else:
            pick = _ORDINAL.search(text)
            index = _ORDINAL_WORDS.get((pick.group(1) or pick.group(2)).lower()) if pick else None
            if index is None or index >= len(codes):
                continue
            focus = codes[index]
        return next(code for code in codes if code != focus)
    return codes[1]


def _describe_vehicle(vehicle: Mapping[str, Any] | None) -> tuple[str, str]:
    """ "2012 Honda Civic 1.8 (120,000 on the odometer)" and the make, from whatever is known."""
    if not vehicle:
        return "", ""

    def field(key: str) -> str:
        value = vehicle.get(key)
        return str(value).strip() if value not in (None, "") else ""

    year, make = field("year"), field("make")
    if field("vin") and not (year and make):
        try:
            decoded = decode_vin(field("vin"))
        except InvalidVin:
            decoded = None
        if decoded and not make and not decoded.manufacturer.startswith("Unknown"):
            make = decoded.manufacturer
        if decoded and not year and len(decoded.model_years) == 1:
            year = str(decoded.model_years[0])
    if not (make or field("model")):
        return "", make  # "your 2012" or "your 1.8" alone reads oddly and adds nothing
    name = " ".join(part for part in (year, make, field("model"), field("engine")) if part)
    mileage = field("mileage")
    if name and mileage:
        digits = mileage.replace(",", "")
        shown = f"{int(digits):,}" if digits.isdigit() else mileage
        name += f" ({shown} on the odometer)"
    return name, make


def _join(items: Sequence[str]) -> str:
    items = [f"**{item}**" for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
