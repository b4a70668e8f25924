"""Safety triage: spot the situations where the right answer starts with "stop" or "careful".

Keyword rules, not understanding: each rule looks at one sentence at a time, so "the brake light
bulb is out. Also the car pulls left" can't borrow words across sentences. Rules prefer missing a
vague mention over crying wolf on routine questions ("what oil should I use"), because a warning
shown on every message stops being read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LEVELS = ("ok", "caution", "stop")


@dataclass(frozen=True)
class Hazard:
    key: str
    title: str
    level: str  # "caution" | "stop"
    advice: str

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "title": self.title, "level": self.level, "advice": self.advice}


@dataclass(frozen=True)
class SafetyVerdict:
    level: str  # "ok" | "caution" | "stop"
    hazards: tuple[Hazard, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "hazards": [hazard.as_dict() for hazard in self.hazards]}


HAZARDS = {
    hazard.key: hazard
    for hazard in (
        Hazard(
            "brakes",
            "Brake failure",
            "stop",
            "Slow down with the gears and the parking brake applied gently, pump the pedal, and "
            "stop where it is safe. Don't drive it again until the brakes are inspected: tow it.",
        ),
        Hazard(
            "steering",
            "Steering problem",
            "stop",
            "Keep both hands on the wheel, slow down gradually and pull over where it is safe. "
            "Don't drive it until the steering has been inspected: tow it.",
        ),
        Hazard(
            "fuel_leak",
            "Fuel leak or fuel smell",
            "stop",
            "Turn the engine off, get everyone out and keep flames and cigarettes away. Don't "
            "restart it until the leak is found: fuel near a hot exhaust can catch fire.",
        ),
        Hazard(
            "fire",
            "Smoke, fire or sparks",
            "stop",
            "Pull over, switch off the engine, get everyone out and well away, and call the "
            "emergency services if you see flames. Don't open the hood: fresh air feeds a fire.",
        ),
        Hazard(
            "overheating",
            "Engine overheating",
            "stop",
            "Pull over and switch the engine off before it warps the head or blows the gasket. "
            "Let it cool for at least 30 minutes; never open the radiator cap while it is hot.",
        ),
        Hazard(
            "flashing_mil",
            "Flashing check-engine light / severe misfire",
            "stop",
            "A flashing check-engine light means a misfire bad enough to overheat and ruin the "
            "catalytic converter. Ease off, stop somewhere safe, and drive only gently to a "
            "workshop or have it towed.",
        ),
        Hazard(
            "oil_pressure",
            "Low oil pressure",
            "stop",
            "Pull over and switch the engine off now: without oil pressure an engine is wrecked "
            "within minutes. Check the oil level once it has cooled; don't restart it if the level "
            "is low or the light stays on.",
        ),
        Hazard(
            "tyre",
            "Tyre failure or loose wheel",
            "stop",
            "Hold the wheel firmly, ease off the accelerator without braking hard, and pull over "
            "somewhere safe. Don't drive on a flat tyre or a wobbling wheel: fit the spare or call "
            "for help.",
        ),
        Hazard(
            "brake_warning",
            "Brake or ABS warning light",
            "caution",
            "A red brake warning light can mean low brake fluid or a hydraulic fault: check the "
            "fluid level and the pedal feel before driving. An ABS light alone means normal brakes "
            "still work but ABS may not, so get it checked soon.",
        ),
        Hazard(
            "brake_fault",
            "Brake fault",
            "caution",
            "Pulling to one side under braking, a hot smell or heat from one wheel, or a juddering "
            "pedal point to a brake fault such as a sticking caliper. Drive gently and only as far "
            "as a workshop, leaving extra distance; if the pedal goes soft or the car won't stop "
            "straight, stop and have it towed.",
        ),
        Hazard(
            "stalling",
            "Engine cutting out while driving",
            "caution",
            "If the engine dies while you're moving, the steering and brakes get heavy but still "
            "work: hold the wheel firmly, press the brake harder, put the hazard lights on and "
            "coast to a safe place. A car that stalls in traffic isn't safe to use until it's "
            "fixed.",
        ),
        Hazard(
            "burning_smell",
            "Burning smell",
            "caution",
            "Pull over and look for smoke, leaks or one very hot wheel. Usual causes are a "
            "slipping clutch, a dragging brake, oil dripping on the exhaust or melting wiring.",
        ),
        Hazard(
            "exhaust_fumes",
            "Exhaust fumes in the cabin",
            "caution",
            "Exhaust in the cabin can carry carbon monoxide: open the windows, never idle in a "
            "closed garage, and have the exhaust checked for leaks soon.",
        ),
        Hazard(
            "airbag",
            "Airbag (SRS) system",
            "caution",
            "Before touching any airbag part, disconnect the battery and wait at least 10 minutes "
            "(or as long as the manual says). Never probe airbag connectors with a test light or "
            "meter: it can fire the airbag. An airbag light means they may not deploy in a crash.",
        ),
        Hazard(
            "high_voltage",
            "Hybrid / EV high voltage",
            "caution",
            "The orange cables and the battery pack carry lethal voltage. Don't cut, unplug or "
            "probe them; high-voltage work is for a trained technician with insulated gloves.",
        ),
        Hazard(
            "brake_work",
            "Working on the brakes",
            "caution",
            "Brakes are safety-critical: support the car on axle stands, not the jack, and do one "
            "side at a time so the other shows how it goes back together. Keep brake fluid off "
            "the paint and out of your eyes, pump the pedal until it is firm before moving, and "
            "test the brakes at walking pace before the road. If in any doubt, have a mechanic "
            "check your work.",
        ),
        Hazard(
            "fuel_work",
            "Working on the fuel system",
            "caution",
            "Fuel systems hold pressure and fuel vapour ignites easily: work outdoors, relieve the "
            "pressure the way the manual says, disconnect the battery, keep sparks, flames and "
            "work lamps with hot bulbs away, catch spills, and have a fire extinguisher to hand. "
            "Check for leaks with the ignition on before starting the engine.",
        ),
        Hazard(
            "jacking",
            "Working under the car",
            "caution",
            "Never get under a car held up by a jack alone. Put it on jack stands on solid, level "
            "ground, chock the wheels and give it a firm shake before you go under.",
        ),
        Hazard(
            "radiator_cap",
            "Hot radiator cap",
            "caution",
            "Never open the radiator or coolant cap on a hot engine: the coolant is under pressure "
            "and sprays out scalding. Wait until it is cool, then open it slowly under a rag.",
        ),
        Hazard(
            "jump_start",
            "Jump-starting",
            "caution",
            "Red to + on both batteries, black to - on the good battery, and the last black clamp "
            "to bare metal on the dead car, away from its battery. Reversed polarity or a spark at "
            "the battery can make it explode.",
        ),
    )
}

_BRAKES = r"(?:brakes?|breaks?)"  # "breaks" is the usual misspelling
_FUEL = r"(?:gas|gasoline|petrol|fuel|diesel)"
_TYRE = r"(?:tyres?|tires?)"
_ENGINE_BAY = (
    r"(?:hood|bonnet|engine bay|engine compartment|engine|dash|dashboard|vents?|wiring|radiator)"
)
_NEAR = r"[^.!?]{0,40}"  # within the same clause


_HV_CAR = (
    r"(?:hybrids?|evs?|bevs?|phevs?|electric (?:car|vehicle)s?|prius|tesla|leaf|ioniq|zoe|e-?golf"
    r"|mach-?e|polestar|taycan)"
)
_HV_PART = r"(?:batter(?:y|ies)|inverter|cables?|wiring|motor|contactors?|service plug|pack)"
_HV_WORK = (
    r"(?:replac\w*|repair\w*|fix\w*|work(?:ing)? on|remov\w*|disconnect\w*|open\w*|rebuild\w*)"
)

_PROCEDURES = (
    "airbag",
    "high_voltage",
    "brake_work",
    "fuel_work",
    "jacking",
    "radiator_cap",
    "jump_start",
)
_STOP_ADVISED = Hazard(
    "stop_advised",
    "Stop driving",
    "stop",
    "The answer advises not to drive the car: have it checked or towed before using it again.",
)
_STOP_DIRECTIVE = re.compile(
    r"\b(?:stop driving|do(?:n't| not) drive (?:it|the car)|have (?:it|the car) towed"
    r"|get (?:it|the car) towed|tow it|pull over (?:now|immediately|right away))\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\b(?:if|unless|in case|should|whenever|when|otherwise)\b", re.I)


def _rule(
    key: str, *alternatives: str, unless: str | None = None
) -> tuple[str, re.Pattern[str], re.Pattern[str] | None]:
    """One hazard's patterns, and a pattern that cancels a match in the same sentence."""
    pattern = re.compile("|".join(alternatives), re.IGNORECASE)
    return key, pattern, re.compile(unless, re.IGNORECASE) if unless else None


_RULES = (
    # Brakes: the plural or the pedal, so "brake light went out" never reads as brake failure.
    _rule(
        "brakes",
        r"\bno (?:brakes|breaks)\b",
        r"\bbrake failure\b",
        r"\blost (?:my |the |all )?(?:brakes|breaks)\b",
        r"\b(?:brakes|breaks)\s+(?:have\s+|has\s+|just\s+|completely\s+|suddenly\s+)?"
        r"(?:fail\w*|gave out|went out|stopped working|quit|not working|(?:are|is) gone"
        r"|(?:are|were)(?:n't| not) working|(?:do|did)(?:n't| not) work)",
        rf"\b{_BRAKES}\b{_NEAR}\bto the floor\b",
        rf"\b(?:soft|spongy|mushy|squishy)\s+{_BRAKES}\b",
        rf"\b{_BRAKES}(?:\s+pedal)?\s+(?:is|are|feels?|got|getting|went|seems?|has gone)\s+"
        r"(?:\w+\s+)?(?:soft|spongy|mushy|squishy)\b",
        rf"\b(?:grind\w*|metal[- ](?:on|to)[- ]metal|scrap(?:e|es|ing))\b{_NEAR}"
        rf"\b(?:{_BRAKES}|braking|when i (?:brake|stop)|stopping)\b",
        rf"\b(?:{_BRAKES}|braking)\b{_NEAR}\b(?:grind\w*|metal[- ](?:on|to)[- ]metal)",
        r"\bbrake fluid\b[^.!?]{0,30}\b(?:leak\w*|dripping|puddle|empty)\b",
        r"\bleak\w*\s+brake fluid\b",
    ),
    _rule(
        "brakes",
        r"(?<!clutch )(?<!gas )(?<!accelerator )\bpedal\b[^.!?]{0,30}"
        r"\b(?:sinks?|sinking|sank|goes down|went down|spongy|soft|mushy|squishy"
        r"|to the floor|all the way down)\b",
        unless=r"\bclutch\b|\baccelerat|\bthrottle\b|\bgas\b|\bfloored\b",
    ),
    _rule(
        "steering",
        r"\b(?:lost|losing|lose|no)\s+(?:all\s+)?(?:the\s+|my\s+)?(?:power\s+)?steering\b",
        r"\b(?:can't|cannot|couldn't|can not)\s+steer\b",
        r"\bhard to steer\b",
    ),
    # A steering lock that won't release with the key is the anti-theft lock, not a fault.
    _rule(
        "steering",
        r"\bsteering\b[^.!?]{0,30}\b(?:locked|locks up|locking up|seized|failed|went out"
        r"|gave out|is gone|heavy|stiff|hard to turn|loose|sloppy|not responding|unresponsive)\b",
        unless=r"\b(?:key|ignition)\b",
    ),
    _rule(
        "fuel_leak",
        rf"\b(?:smell\w*|stinks?|stinking|reeks?|odou?r)\s+(?:\w+\s+){{0,3}}?(?:raw\s+)?{_FUEL}\b",
        rf"\b(?:raw\s+)?{_FUEL}\s+(?:smell|odou?r|fumes|stench)\b",
    ),
    # EVAP "leaks" are vapour-system faults, not fuel on the ground.
    _rule(
        "fuel_leak",
        rf"\b{_FUEL}(?:\s+(?:tank|line|filter|pump|rail))?\s+(?:is\s+|was\s+)?"
        r"(?:leak\w*|dripping|drips|pouring|spraying|puddl\w*)\b",
        rf"\bleak\w*\s+(?:\w+\s+){{0,2}}?{_FUEL}\b",
        rf"\bpuddle of {_FUEL}\b",
        unless=r"\bevap|\bemission|\bvapou?r|\bleak test",
    ),
    _rule("fire", r"\b(?:on fire|caught fire|catch(?:es|ing)? fire|in flames|flames?)\b"),
    # Exhaust smoke and the EVAP smoke test are diagnostics, not fire.
    _rule(
        "fire",
        rf"\bsmok\w*\b{_NEAR}\b{_ENGINE_BAY}\b",
        rf"\b{_ENGINE_BAY}\b[^.!?]{{0,30}}\bsmok(?:e|es|ing)\b",
        unless=r"\bexhaust\b|\btail ?pipe\b|\bmuffler\b|\bsmoke (?:test|machine)\b",
    ),
    _rule("fire", r"\bspark(?:s|ing)\b(?!\s*plugs?)", unless=r"\bspark(?:s|ing)? plugs?\b"),
    # A battery (12 V or high-voltage) that smokes, hisses or swells can burn or burst.
    _rule(
        "fire",
        r"\bbatter(?:y|ies)\s+(?:pack\s+)?(?:is|was|looks|started|keeps|just)\s+(?:\w+\s+)?"
        r"(?:hissing|smoking|swollen|swelling|bulging|on fire)\b",
        r"\b(?:smoke|hissing|fumes)\s+(?:is\s+)?(?:coming\s+)?(?:from|out of)\s+(?:the\s+|my\s+)?"
        r"(?:\w+\s+)?batter(?:y|ies)\b",
        r"\b(?:swollen|bulging|smoking|hissing)\s+(?:\w+\s+)?batter(?:y|ies)\b",
    ),
    _rule(
        "burning_smell",
        r"\bburn\w*\s+(?:\w+\s+)?(?:smell|odou?r)\b",
        r"\bsmell\w*\s+(?:\w+\s+){0,2}?burn\w*",
    ),
    _rule(
        "exhaust_fumes",
        r"\b(?:exhaust|fumes)\b[^.!?]{0,30}\b(?:inside|in the cabin|in the car)\b",
        r"\bcarbon monoxide\b",
        # "smells of exhaust" is fumes where the owner is; "a smell from the exhaust" is not.
        r"\bsmell\w*\s+(?!(?:from|out of|at|coming from)\b)(?:\w+\s+){0,2}?exhaust\b",
    ),
    _rule(
        "overheating",
        # An engine that overheats, not advice that a misfire "overheats the catalytic converter".
        r"\bover[- ]?heat\w*+"
        r"(?!\s+(?:and\s+\w+\s+)?(?:the\s+)?(?:catalytic|cat\b|converter|valves?))",
        r"\btemp\w*\s+(?:gauge|guage|gage|needle|light|warning)\b[^.!?]{0,30}"
        r"\b(?:red|high|hot|max\w*|all the way up|pegged|climb\w*|rising|rises|spik\w*|on|up)\b",
        r"\b(?:engine|motor|car|it)\s+(?:is\s+)?(?:running|runs|ran|getting|gets|got)\s+"
        r"(?:very\s+|really\s+|too\s+|super\s+)?hot\b",
        r"\btemp\w*\b[^.!?]{0,25}\b(?:in the red|red zone|maxed|pegged|too high|very high)\b",
        r"\b(?:coolant|antifreeze|radiator)\b[^.!?]{0,30}\bboil\w*",
        r"\bboil(?:ing|ed) over\b",
    ),
    _rule(
        "overheating",
        rf"\bsteam\w*\b{_NEAR}\b{_ENGINE_BAY}\b",
        rf"\b{_ENGINE_BAY}\b[^.!?]{{0,30}}\bsteam",
        unless=r"\bexhaust\b|\btail ?pipe\b",
    ),
    _rule(
        "flashing_mil",
        r"\b(?:check[- ]?engine|engine|service engine soon|engine management|mil|cel)"
        r"\s+(?:warning\s+)?(?:light|lamp|lite)\b[^.!?]{0,25}\b(?:flash\w*|blink\w*)",
        r"\b(?:flash\w*|blink\w*)\s+(?:check[- ]?engine|engine light|cel|mil)\b",
        r"\b(?:cel|mil)\s+(?:is\s+)?(?:flash\w*|blink\w*)",
        r"\b(?:severe|bad|badly|heavy|violent|major)\s+misfir\w*",
        r"\bmisfir\w*\s+(?:badly|severely|violently|really bad)\b",
        r"\b(?:engine|car)\s+(?:is\s+)?(?:shaking|shuddering)\s+(?:violently|badly|really bad)",
    ),
    # "oil change light" and "what oil should I use" never match.
    _rule(
        "oil_pressure",
        r"\boil\s+(?:pressure\s+)?(?:warning\s+)?(?:light|lamp|lite|can light)\b[^.!?]{0,25}"
        r"\b(?:on|lit|flicker\w*|flash\w*|blink\w*|stays on)\b",
        r"\b(?:no|low|lost|losing|zero|dropping)\s+oil\s+pressure\b",
        r"\boil\s+pressure\b(?!\s+(?:sensor|switch|sender))[^.!?]{0,20}"
        r"\b(?:low|dropp\w*|drops|zero|lost|gone|warning)\b",
        r"\bno oil (?:on|in) (?:the )?dipstick\b",
    ),
    _rule(
        "tyre",
        r"\bblow[- ]?outs?\b",
        rf"\bblew\s+(?:a|the|my)\s+(?:\w+\s+){{0,2}}?{_TYRE}",
        rf"\b(?:flat|blown|burst)\s+{_TYRE}",
        rf"\b{_TYRE}\s+(?:is\s+|went\s+|has\s+gone\s+|going\s+)?flat\b",
        r"\b(?:have|got|had|get) a flat\b",
        rf"\b{_TYRE}\b[^.!?]{{0,25}}\b(?:blew|blown|burst|exploded|popped|shredded"
        r"|delaminat\w*|separat\w*|bulg\w*)",
        r"\bbulge\b[^.!?]{0,20}\b(?:tyre|tire|sidewall)",
    ),
    _rule(
        "tyre",
        r"\bwheel\b[^.!?]{0,20}\b(?:wobbl\w*|loose|coming off|came off|fell off)",
        r"\bwobbl\w*\s+(?:\w+\s+)?wheel\b",
        r"\bdeath wobble\b",
        r"\blug\s?nuts?\b[^.!?]{0,20}\b(?:loose|missing|came off|sheared)",
        unless=r"\bsteering wheel\b",
    ),
    _rule(
        "brake_warning",
        r"\b(?:brake|abs)\s+(?:warning\s+)?(?:light|lamp)\b[^.!?]{0,20}"
        r"\b(?:on|lit|stays on|flash\w*)\b",
        unless=r"\bbulbs?\b|\bburn(?:ed|t) out\b|\btail ?lights?\b",
    ),
    _rule(
        "brake_fault",
        r"\b(?:pull\w*|veer\w*|swerv\w*|dart\w*)\b[^.!?]{0,30}\b(?:when|while|under)\s+"
        r"(?:i\s+)?(?:\w+\s+)?(?:brak\w*|stop(?:s|ping)?\b(?!\s+accelerat))",
        rf"\b(?:{_BRAKES}|braking)\b[^.!?]{{0,30}}\b(?:pull\w*|veer\w*|swerv\w*)\s+"
        r"(?:hard\s+)?(?:to\s+)?(?:the\s+)?(?:left|right|one side)",
        r"(?<!steering )\bwheel\s+(?:is|was|feels|gets|got|felt)\s+(?:very\s+|really\s+|super\s+)?"
        r"(?:hot|smok\w*)\b",
        r"\b(?:shak\w*|vibrat\w*|judder\w*|shudder\w*|wobbl\w*)\s+(?:\w+\s+)?(?:when|while|under)\s+"
        r"(?:i\s+)?(?:\w+\s+)?brak\w*",
        r"\bhot\s+wheel\b",
        rf"\bhot\s+{_BRAKES}\b",
        rf"\b{_BRAKES}\b[^.!?]{{0,20}}\b(?:smell\w*|stink\w*)\s+(?:hot|burnt|burning)",
        r"\b(?:brake\s+)?pedal\b[^.!?]{0,20}\b(?:judder\w*|pulsat\w*|vibrat\w*|shak\w*)",
        unless=r"\bwheel ?well\b|\btrailer\b|\boutside\b|\bweather\b"
        r"|\bexhaust\b|\bclutch\b|\bgas pedal\b|\baccelerator\b",
    ),
    _rule(
        "stalling",
        r"\b(?:stall\w*|cut(?:s|ting)? out|died|dies|shut(?:s)? (?:off|down)|turn(?:s|ed)? off)\b"
        r"[^.!?]{0,25}\b(?:while driving|when driving|at speed|on the (?:highway|motorway|freeway"
        r"|interstate)|in traffic|at \d+ ?(?:mph|km/?h)|going \d+|mid[- ]?corner|on a bend)\b",
        r"\b(?:while|when) driving\b[^.!?]{0,25}\b(?:stall\w*|cut(?:s|ting)? out|died|dies"
        r"|shut(?:s)? (?:off|down))\b",
    ),
    # Doing the job oneself, not asking what a part is: "how do I change my brake pads".
    _rule(
        "brake_work",
        rf"\b(?:chang\w*|replac\w*|fit(?:ting)?|install\w*|swap\w*|do(?:ing)?|put(?:ting)? on)"
        rf"\s+(?:\w+\s+){{0,2}}?{_BRAKES}\s+(?:pads?|discs?|rotors?|calipers?|shoes|drums?"
        r"|lines?|hoses?|fluid|master cylinder)\b",
        rf"\bbleed\w*\s+(?:\w+\s+){{0,2}}?{_BRAKES}\b",
        rf"\b{_BRAKES}\s+bleed\w*",
        rf"\b{_BRAKES}\s+(?:pads?|discs?|rotors?|calipers?|shoes|lines?)\s+"
        r"(?:myself|at home|diy)\b",
        rf"\b(?:do|doing|chang\w*|replac\w*)\s+(?:\w+\s+){{0,2}}?{_BRAKES}\b"
        r"(?!\s+(?:light|lamp|switch|sensor))",
        r"\bbrake job\b",
        # "How often should I change brake fluid" asks about the interval, not the job.
        unless=r"\bhow (?:often|much|long)\b|\bwhen (?:should|do|to)\b|\binterval|\bevery\b"
        r"|\bcost|\bprice",
    ),
    _rule(
        "fuel_work",
        rf"\b(?:chang\w*|replac\w*|remov\w*|disconnect\w*|install\w*|swap\w*|fit(?:ting)?)"
        rf"\s+(?:\w+\s+){{0,2}}?(?:in-?line\s+)?{_FUEL}\s+(?:filter|pump|lines?|injectors?|rail"
        r"|tank|sender|sending unit|pressure regulator)\b(?!\s+(?:fuse|relay))",
        r"\b(?:chang\w*|replac\w*|remov\w*|swap\w*)\s+(?:\w+\s+){0,2}?injectors\b",
        r"\b(?:drop\w*|drain\w*)\s+(?:the\s+|my\s+)?(?:fuel|gas|petrol|diesel)\s+tank\b",
        unless=r"\bhow (?:often|much|long)\b|\bwhen (?:should|do|to)\b|\binterval|\bevery\b"
        r"|\bcost|\bprice",
    ),
    _rule("airbag", r"\bair\s?bags?\b", r"\bsrs\b", r"\bclock\s?spring\b", r"\bpretensioners?\b"),
    _rule(
        "high_voltage",
        # "Circuit High Voltage" in a sensor code's name is about a signal, not a hybrid.
        r"(?<!circuit )(?<!sensor )(?<!switch )\bhigh[- ]voltage\b",
        # A hybrid or an EV is only a hazard around its high-voltage parts: "EV range drops in
        # winter" or "which hybrid should I buy" needs no warning.
        rf"\b{_HV_CAR}\b[^.!?]{{0,40}}\b{_HV_PART}\b",
        rf"\b{_HV_WORK}\b[^.!?]{{0,40}}\b{_HV_CAR}\b",
        r"\borange (?:cables?|wires?|wiring|connectors?|leads?)\b",
        r"\btraction battery\b",
        r"\binverter\b",
        # A flooded high-voltage battery can short and catch fire, even days later.
        # "Flooded the engine" is too much fuel at start-up, not water.
        rf"\b{_HV_CAR}\b[^.!?]{{0,40}}\b(?:flood(?!\w*\s+(?:the\s+|my\s+|its\s+)?engine)\w*"
        r"|submerged|under ?water|deep water|sat in water|in a flood)\b",
        rf"\b(?:flood(?!\w*\s+(?:the\s+|my\s+|its\s+)?engine)\w*|submerged|water got into)\b"
        rf"[^.!?]{{0,40}}\b{_HV_CAR}\b",
        # An isolation fault means the high-voltage system may be leaking to the car's body.
        r"\bisolation (?:fault|failure|resistance|warning)\b",
        rf"\b{_HV_CAR}\b[^.!?]{{0,40}}\binsulation (?:fault|failure|resistance|warning)\b",
        rf"\binsulation (?:fault|failure|resistance|warning)\b[^.!?]{{0,40}}\b{_HV_CAR}\b",
        r"\bP0AA6\b",
    ),
    # Going under the car, not a leak or a noise that is merely "under the car".
    _rule(
        "jacking",
        r"\b(?:get|getting|go|going|crawl\w*|work\w*|lie|lying|laying|slide|sliding|climb\w*)"
        r"\s+(?:\w+\s+)?under(?:neath)?\s+(?:the|my|a|his|her|it)\b",
        r"\b(?:jack|axle)\s+stands?\b",
        r"\bfloor jack\b",
        r"\bon\s+(?:a|the)\s+jack\b",
        r"\bjack(?:ed|ing)?\s+(?:it|her|the car|my car|the truck|up)\b",
    ),
    _rule(
        "radiator_cap",
        r"\b(?:radiator|coolant|expansion tank|reservoir|overflow tank|surge tank)\s+caps?\b",
        r"\bopen\w*\s+(?:the\s+)?radiator\b",
    ),
    _rule(
        "jump_start",
        r"\bjump[- ]?start\w*",
        r"\bjumper (?:cables?|leads?)\b",
        r"\bjump leads?\b",
        r"\bbooster cables?\b",
        r"\bjump(?:ed|ing)?\s+(?:it|her|him|the car|my car|the battery|my battery|a car)\b",
        r"\b(?:give|gave|need|needs|needed|get|got)\s+(?:me\s+|her\s+|him\s+|it\s+)?a jump\b",
    ),
)
# Sentences end at . ! ? ; or a line break, but not at the point inside "1.8".
_SENTENCE_END = re.compile(r"(?<!\d)[.!?;]+(?!\d)|\n+")


def triage(text: str, *, reply: bool = False) -> SafetyVerdict:
    """Classify a message (or, with ``reply=True``, an answer) as ok, caution or stop.

    An answer names causes and hazards all the time ("leaking fuel injectors", "if the light
    flashes, stop") without any being present. So a reply is judged by what it tells the owner to
    do: an unconditional "stop driving" / "have it towed", or a risky procedure (airbags, high
    voltage, brake or fuel-system work, jacking, hot radiator caps, jump-starting) that needs its
    precaution.
    """
    sentences = [s for s in _SENTENCE_END.split((text or "").replace("\u2019", "'")) if s.strip()]
    rules = _RULES
    if reply:
        sentences = [s for s in sentences if not _CONDITIONAL.search(s)]
        rules = _REPLY_RULES
    found: list[str] = []
    for key, pattern, unless in rules:
        if key in found:
            continue
        for sentence in sentences:
            if pattern.search(sentence) and not (unless and unless.search(sentence)):
                found.append(key)
                break
    # Most severe first, then in the order of the table so the advice reads from most urgent.
    order = list(HAZARDS)
    hazards = sorted(
        (HAZARDS[key] for key in found),
        key=lambda hazard: (-LEVELS.index(hazard.level), order.index(hazard.key)),
    )
    level = max((hazard.level for hazard in hazards), key=LEVELS.index, default="ok")
    return SafetyVerdict(level=level, hazards=tuple(hazards))


HAZARDS[_STOP_ADVISED.key] = _STOP_ADVISED
_REPLY_RULES = (
    (_STOP_ADVISED.key, _STOP_DIRECTIVE, None),
    *(rule for rule in _RULES if rule[0] in _PROCEDURES),
)
