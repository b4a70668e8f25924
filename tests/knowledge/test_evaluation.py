"""A held-out evaluation of the offline mechanic: realistic questions and the facts each answer
must contain. Every case is a test; the summary test prints the score.

Each case: (question, vehicle profile or None, history or (), facts that must all appear in the
answer (case-insensitive; a tuple means any one of them), expected safety level of the question).
"""

from __future__ import annotations

import pytest

from chat.knowledge import answer, triage

CIVIC = {"year": 2012, "make": "Honda", "model": "Civic", "engine": "1.8", "mileage": 58000}
GOLF = {"year": 2015, "make": "Volkswagen", "model": "Golf", "mileage": 88500}

CASES = [
    # --- Trouble codes -------------------------------------------------------------------------
    ("My reader says P0420", None, (), ["P0420", "catalyst", "O2 sensor", "$"], "ok"),
    ("p0300 came up today", None, (), ["P0300", "random", "misfire", "spark plug"], "ok"),
    ("P0171 and P0174 together", None, (), ["P0171", "P0174", "lean", "vacuum"], "ok"),
    ("What's P0128?", None, (), ["P0128", "thermostat"], "ok"),
    ("got a P0455 after filling up", None, (), ["P0455", "EVAP", ("fuel cap", "gas cap")], "ok"),
    ("P0101 on my Civic", CIVIC, (), ["P0101", "mass", "MAF", "Honda Civic"], "ok"),
    ("P0335 and the car won't start", None, (), ["P0335", "crankshaft"], "ok"),
    ("P0700 and the gearbox is in limp mode", None, (), ["P0700", "transmission"], "ok"),
    ("U0100 showed up", None, (), ["U0100", "lost communication", "battery"], "ok"),
    ("P1456 on a Honda", None, (), ["P1456", "manufacturer-specific", "service information"], "ok"),
    ("B1000", None, (), ["B1000", "manufacturer-specific", "Body"], "ok"),
    ("What does P0A80 mean?", None, (), ["P0A80", "hybrid", "battery"], "ok"),
    ("P0562 low voltage", None, (), ["P0562", "voltage", ("alternator", "battery")], "ok"),
    ("P0442 small leak", None, (), ["P0442", "EVAP", ("fuel cap", "gas cap")], "ok"),
    ("P0301 misfire cylinder 1", None, (), ["P0301", "cylinder 1", "coil"], "ok"),
    ("P0524 engine oil pressure too low", None, (), ["P0524", "oil pressure", "tow"], "stop"),
    ("P2187 at idle", None, (), ["P2187", "lean", "idle"], "ok"),
    (
        "AdBlue warning and code P20EE on my 2018 Transit",
        None,
        (),
        ["P20EE", "SCR", "NOx sensor", "refractometer"],
        "ok",
    ),
    ("P2463 and P244B on my diesel van", None, (), ["P2463", "P244B", "soot", "regenerat"], "ok"),
    ("van says P2BAD, what now", None, (), ["P2BAD", "NOx", "countdown"], "ok"),
    (
        "my prius threw P0A80 and P0A7F",
        None,
        (),
        ["P0A80", "P0A7F", "Deterioration", "orange", "hybrid-qualified shop"],
        "ok",
    ),
    (
        "P0AA6 isolation fault on my Leaf",
        None,
        (),
        ["P0AA6", "Isolation", "insulation resistance", "towed"],
        "caution",
    ),
    (
        "ABS light with C0035",
        {"make": "Chevrolet", "model": "Silverado"},
        (),
        ["C0035", "Left Front Wheel Speed Sensor Circuit (GM)", "Right Front Wheel Speed Sensor"],
        "ok",
    ),
    ("What does U0111 mean on my hybrid?", None, (), ["U0111", "Battery Energy Control"], "ok"),
    ("P250F came up on my bmw", None, (), ["P250F", "Oil Level", "dipstick"], "ok"),
    ("water in fuel light on my diesel, code P2269", None, (), ["P2269", "water"], "ok"),
    ("my mazda b2300 shows P0340", None, (), ["P0340", "camshaft"], "ok"),
    # --- VINs ----------------------------------------------------------------------------------
    ("Decode 1HGCM82633A004352", None, (), ["Honda", "2003", "check digit"], "ok"),
    ("vin WVWZZZ1JZXW000001", None, (), ["Volkswagen", "Germany", "warning"], "ok"),
    ("What is WBA3A5C51CF256651", None, (), ["BMW", "2012"], "ok"),
    ("my vin is 1HGCM82633AOO4352", None, (), ["never contain I, O or Q"], "ok"),
    ("5YJ3E1EA7KF317000 what year", None, (), ["Tesla", "2019"], "ok"),
    # --- Symptoms ------------------------------------------------------------------------------
    ("car clicks but won't start", None, (), ["battery", "terminal"], "ok"),
    ("adblue countdown says 200 miles to no start", None, (), ["AdBlue", "ISO 22241"], "ok"),
    (
        "EPC light came on and the car has no power",
        None,
        (),
        ["brake light switch", "throttle"],
        "ok",
    ),
    ("grinding noise from the front wheels when braking", None, (), ["pads"], "stop"),
    (
        "sweet smell from the vents and the windows fog up",
        None,
        (),
        ["coolant", "heater core"],
        None,
    ),
    (
        "white smoke out of the exhaust that smells sweet",
        None,
        (),
        ["coolant", "head gasket"],
        None,
    ),
    ("blue smoke when I start it in the morning", None, (), ["oil", ("valve stem", "seals")], "ok"),
    ("black smoke and bad fuel economy", None, (), ["rich", "fuel"], None),
    ("steering wheel shakes at 70 mph", None, (), ["balanc"], "ok"),
    ("my AC is blowing warm air", None, (), ["refrigerant"], "ok"),
    ("clunk from the front over speed bumps", None, (), [("link", "strut", "bush")], "ok"),
    ("whining noise when I turn the steering wheel", None, (), ["power steering"], "ok"),
    ("clicking noise when turning sharply", None, (), ["CV"], "ok"),
    ("humming noise that gets louder with speed", None, (), ["wheel bearing"], "ok"),
    ("automatic transmission slipping between gears", None, (), ["fluid"], "ok"),
    ("red fluid puddle under the car", None, (), ["transmission"], "ok"),
    ("rotten egg smell from the exhaust", None, (), ["catalytic"], "ok"),
    ("tyre pressure light is on", None, (), ["pressure"], "ok"),
    ("battery keeps dying overnight", None, (), [("parasitic", "drain")], "ok"),
    ("heater blows cold air", None, (), ["coolant", "thermostat"], "ok"),
    ("car cranks but won't start", None, (), ["fuel", "spark"], "ok"),
    ("brakes squeak when stopping", None, (), [("wear indicator", "pads")], "ok"),
    # --- Emergencies: the verdict must be "stop" and the answer must say so ------------------
    ("my brake pedal goes to the floor", None, (), ["Stop driving", "tow"], "stop"),
    ("the brakes just failed on the motorway", None, (), ["Stop driving"], "stop"),
    ("steering wheel locked up while driving", None, (), ["Stop driving"], "stop"),
    ("I smell petrol inside the car", None, (), ["Stop driving", "fuel"], "stop"),
    ("fuel is leaking under the car", None, (), ["Stop driving", "fire"], "stop"),
    ("smoke coming from under the hood", None, (), ["Stop driving"], "stop"),
    ("temp gauge in the red and steam from the bonnet", None, (), ["Stop driving", "cool"], "stop"),
    ("check engine light is flashing", None, (), ["Stop driving", "misfire"], "stop"),
    ("oil pressure light came on while driving", None, (), ["Stop driving", "oil"], "stop"),
    ("tyre blew out on the highway", None, (), ["Stop driving"], "stop"),
    ("front wheel is wobbling badly", None, (), ["Stop driving"], "stop"),
    (
        "there are sparks and flames from the engine",
        None,
        (),
        ["Stop driving", "get everyone out"],
        "stop",
    ),  # fmt: skip
    # --- Risky jobs: the precaution must come first ------------------------------------------
    ("how do I replace my steering wheel airbag", None, (), ["disconnect the battery"], "caution"),
    ("changing the hybrid battery on my Prius", None, (), ["high voltage"], "caution"),
    ("I want to change my oil with the car on a jack", None, (), ["stands"], "caution"),
    ("can I open the radiator cap to check coolant while it's hot", None, (), ["cool"], "caution"),
    ("how do I jump start my car", None, (), [("polarity", "positive", "red")], "caution"),
    # --- Maintenance --------------------------------------------------------------------------
    ("what service is due?", CIVIC, (), ["60,000", "spark plugs", "Honda Civic"], "ok"),
    ("what maintenance is coming up", GOLF, (), ["timing belt", "90,000"], "ok"),
    ("how often should I change brake fluid", None, (), ["2 years"], "ok"),
    ("when should I change my oil", None, (), ["5,000"], "ok"),
    ("when do I replace the timing belt", None, (), ["timing belt", "60,000"], "ok"),
    # --- Follow-ups ---------------------------------------------------------------------------
    (
        "what about the second one?",
        None,
        (("user", "I have P0300 and P0171"), ("assistant", "...")),
        ["P0171", "lean"],
        "ok",
    ),
    (
        "is it safe to drive with it?",
        None,
        (("user", "P0420 on my car"), ("assistant", "...")),
        ["P0420", "Safe to keep driving"],
        "ok",
    ),
]


def _missing(text: str, facts) -> list:
    lowered = text.lower()
    missing = []
    for fact in facts:
        options = fact if isinstance(fact, tuple) else (fact,)
        if not any(option.lower() in lowered for option in options):
            missing.append(fact)
    return missing


@pytest.mark.parametrize(
    ("question", "vehicle", "history", "facts", "level"), CASES, ids=[c[0][:40] for c in CASES]
)
def test_offline_answer(question, vehicle, history, facts, level):
    text = answer(question, history=history, vehicle=vehicle)
    assert not _missing(text, facts), text
    if level is not None:
        assert triage(question).level == level


def test_evaluation_score(capsys):
    passed = sum(
        1
        for question, vehicle, history, facts, level in CASES
        if not _missing(answer(question, history=history, vehicle=vehicle), facts)
        and (level is None or triage(question).level == level)
    )
    with capsys.disabled():
        print(f"\noffline evaluation: {passed}/{len(CASES)} questions answered with every fact")
    assert len(CASES) >= 60
    assert passed == len(CASES)
