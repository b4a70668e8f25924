import pytest

from chat.knowledge import SafetyVerdict, triage
from chat.knowledge.safety import HAZARDS


@pytest.mark.parametrize(
    ("text", "level", "key"),
    [
        # Brakes
        ("My brakes went to the floor on the way home", "stop", "brakes"),
        ("My brake pedal goes to the floor", "stop", "brakes"),
        ("the pedal sinks when I hold it at a red light", "stop", "brakes"),
        ("brake pedal feels spongy since yesterday", "stop", "brakes"),
        ("grinding metal noise when I brake", "stop", "brakes"),
        ("my breaks are grinding really loud", "stop", "brakes"),
        ("I have no brakes!", "stop", "brakes"),
        ("the pedal goes all the way down before the car slows", "stop", "brakes"),
        ("brakes feel soft after the fluid change", "stop", "brakes"),
        ("there's a puddle by the wheel, I think brake fluid is leaking", "stop", "brakes"),
        # Steering
        ("I lost power steering on the motorway", "stop", "steering"),
        ("the steering went heavy all of a sudden", "stop", "steering"),
        ("steering feels loose and the car wanders", "stop", "steering"),
        # Fuel
        ("I smell gas in the cabin", "stop", "fuel_leak"),
        ("it smells like petrol after I park", "stop", "fuel_leak"),
        ("there's a fuel leak under the car", "stop", "fuel_leak"),
        ("diesel dripping from the tank", "stop", "fuel_leak"),
        # Fire and smoke
        ("smoke coming from under the hood", "stop", "fire"),
        ("my car caught fire last night", "stop", "fire"),
        ("I saw sparks under the car when I went over a bump", "stop", "fire"),
        ("my ev battery is smoking", "stop", "fire"),
        ("the hybrid battery is hissing and hot", "stop", "fire"),
        ("the car battery looks swollen", "stop", "fire"),
        ("smoke coming from the battery", "stop", "fire"),
        # Overheating
        ("temp guage in the red and the heater blows cold", "stop", "overheating"),
        ("steam from the hood at a traffic light", "stop", "overheating"),
        ("the engine is overheating in traffic", "stop", "overheating"),
        ("coolant is boiling in the reservoir", "stop", "overheating"),
        ("engine temp is in the red", "stop", "overheating"),
        # Check-engine light
        ("check engine light is flashing", "stop", "flashing_mil"),
        ("my CEL is blinking and the car shakes", "stop", "flashing_mil"),
        ("it has a severe misfire when I accelerate", "stop", "flashing_mil"),
        # Oil pressure
        ("oil light came on while driving", "stop", "oil_pressure"),
        ("oil pressure light flickers at idle", "stop", "oil_pressure"),
        ("gauge shows low oil pressure when warm", "stop", "oil_pressure"),
        ("oil pressure warning came on at idle", "stop", "oil_pressure"),
        # Tyres and wheels
        ("my tire blew on the highway", "stop", "tyre"),
        ("I have a flat tyre", "stop", "tyre"),
        ("the front wheel wobbles at 50 mph", "stop", "tyre"),
        # Caution-level work
        ("I need to replace the airbag in my steering wheel", "caution", "airbag"),
        ("SRS light is on after I changed the seat", "caution", "airbag"),
        ("how do I disconnect the orange cables on my prius", "caution", "high_voltage"),
        ("can I replace the hybrid battery myself", "caution", "high_voltage"),
        ("I'm going to get under the car with a floor jack", "caution", "jacking"),
        ("is it ok to work under it on a jack", "caution", "jacking"),
        ("can I open the radiator cap to add coolant", "caution", "radiator_cap"),
        ("how do I jump start my car", "caution", "jump_start"),
        ("my neighbour offered to give me a jump", "caution", "jump_start"),
        ("the ABS light is on", "caution", "brake_warning"),
        ("there's a burning smell after a long drive", "caution", "burning_smell"),
        ("P0AA6 isolation fault on my Leaf", "caution", "high_voltage"),
        ("car pulls hard to one side when braking and smells hot", "caution", "brake_fault"),
        ("my car pulls right when I brake", "caution", "brake_fault"),
        ("the front left wheel is very hot after driving", "caution", "brake_fault"),
        ("pulls to the right under hard braking", "caution", "brake_fault"),
        ("veers left when braking", "caution", "brake_fault"),
        ("I have a hot wheel after driving", "caution", "brake_fault"),
        ("brake pedal judders when I stop", "caution", "brake_fault"),
        ("the steering wheel shakes when braking", "caution", "brake_fault"),
        ("doing brakes this weekend", "caution", "brake_work"),
        ("U0100 and the car stalled on the highway", "caution", "stalling"),
        ("the engine cuts out while driving", "caution", "stalling"),
        ("while driving it just died", "caution", "stalling"),
        ("doing a brake job on my civic", "caution", "brake_work"),
        ("changing the brakes on my truck", "caution", "brake_work"),
        ("change the gas filter", "caution", "fuel_work"),
        ("replacing injectors on my diesel", "caution", "fuel_work"),
        ("insulation resistance warning on my ioniq", "caution", "high_voltage"),
        ("my prius was flooded", "caution", "high_voltage"),
        ("flooded electric car in the garage", "caution", "high_voltage"),
        ("my Tesla drove through deep water", "caution", "high_voltage"),
        ("my Leaf sat in water overnight", "caution", "high_voltage"),
        ("water got into my EV", "caution", "high_voltage"),
        ("how do I change my brake pads", "caution", "brake_work"),
        ("changing brake pads myself this weekend", "caution", "brake_work"),
        ("how to bleed brakes on my own", "caution", "brake_work"),
        ("I want to replace the fuel filter", "caution", "fuel_work"),
        ("replacing the fuel pump in my truck", "caution", "fuel_work"),
    ],
)
def test_hazards(text, level, key):
    verdict = triage(text)
    assert verdict.level == level
    assert key in [hazard.key for hazard in verdict.hazards]


@pytest.mark.parametrize(
    "text",
    [
        "what oil should I use?",
        "P0420",
        "I have P0300 and P0171",
        "my brake light bulb is out",
        "oil change light came on",
        "what spark plugs do I need",
        "the engine won't fire on cylinder 3",
        "blue smoke from the exhaust on startup",
        "the EVAP smoke test found a leak in the fuel tank vent",
        "I pushed the gas pedal to the floor and it hesitates",
        "my steering wheel is locked and the key won't turn",
        "how much is a new clutch?",
        "my gas mileage dropped",
        "the temperature gauge stays low all winter",
        "there's a drip under the car, is it coolant?",
        "what is the best hybrid car to buy",
        "my EV range drops in winter",
        "how do I charge my electric car at home",
        "how often should I change brake fluid",
        "how much do brake pads cost",
        "when should I replace the fuel filter",
        "the car pulls to the left",
        "the steering wheel is hot in the sun",
        "my battery is flat",
        "my house has poor insulation",
        "battery is fine but the AC hisses",
        "battery light on, car hissing",
        "replaced the battery, now there's a hissing from the coolant reservoir",
        "I'm replacing the battery, there was some smoke from the exhaust",
        "a wheel squeaks when it's hot outside",
        "the wheel well gets hot near the exhaust",
        "the truck pulls a trailer when I stop",
        "it pulls right when I stop accelerating",
        "the clutch pedal vibrates",
        "replace fuel pump fuse",
        "spark plug wire insulation failure",
        "hood insulation failure",
        "changed the brake light switch",
        "I think I flooded the engine on my hybrid",
        "engine stalls at idle",
        "car starts then dies",
        "",
    ],
)
def test_ordinary_questions_are_ok(text):
    assert triage(text) == SafetyVerdict(level="ok", hazards=())


def test_level_is_the_most_severe_and_stop_hazards_come_first():
    verdict = triage("I'm jacking it up to look, there's a strong smell of fuel.")
    assert verdict.level == "stop"
    assert [hazard.key for hazard in verdict.hazards] == ["fuel_leak", "jacking"]


def test_rules_look_at_one_sentence_at_a_time():
    # "brake" and "to the floor" are in different sentences: not a brake failure.
    assert triage("My brake light works. I put the mat back on the floor.").level == "ok"


def test_own_advice_reads_as_advice():
    for hazard in HAZARDS.values():
        assert hazard.level in ("caution", "stop")
        assert hazard.advice.endswith(".")
        assert hazard.title


def test_as_dict():
    data = triage("oil light came on").as_dict()
    assert data["level"] == "stop"
    assert data["hazards"][0]["key"] == "oil_pressure"
    assert set(data["hazards"][0]) == {"key", "title", "level", "advice"}


@pytest.mark.parametrize(
    ("reply", "level"),
    [
        ("Stop driving and have it towed to a workshop.", "stop"),
        ("Pull over now and switch the engine off.", "stop"),
        ("If the brake pedal sinks, stop driving and have it towed.", "ok"),
        ("Common causes: clogged or leaking fuel injectors, or poor-quality fuel.", "ok"),
        ("Check the transmission fluid level and condition (colour, burnt smell).", "ok"),
        ("You may smell fuel near the filler neck.", "ok"),
        ("Disconnect the battery and wait 10 minutes before unplugging the airbag.", "caution"),
        ("Put the car on jack stands before you go under it.", "caution"),
    ],
)
def test_replies_are_judged_by_what_they_tell_the_owner(reply, level):
    assert triage(reply, reply=True).level == level
