import json
import re

import pytest

from chat.knowledge.guides import (
    GUIDES_DIR,
    Guide,
    GuideDataError,
    all_guides,
    load_guides,
    search_guides,
)

GUIDE_FILES = sorted(GUIDES_DIR.glob("*.json"))
FIELDS = {
    "id": str,
    "title": str,
    "category": str,
    "aliases": list,
    "symptoms": list,
    "causes": list,
    "checks": list,
    "diy": str,
    "professional": str,
    "tools": list,
    "cost": list,
    "cost_note": str,
    "safety": list,
    "severity": str,
    "drive": str,
}
LIST_SIZES = {
    "aliases": (4, 10),
    "symptoms": (2, 5),
    "causes": (3, 6),
    "checks": (3, 7),
    "tools": (0, 6),
    "safety": (0, 3),
}
# Topics where a guide without a safety note would be a dangerous omission.
HAZARD_WORDS = ("brake", "steer", "overheat", "fuel", "smoke", "fire", "battery", "coolant")
HAZARD_CATEGORIES = {"brakes", "steering_suspension", "overheating", "smoke"}


def _entries(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_guide_files_exist():
    names = {path.name for path in GUIDE_FILES}
    assert {
        "starting.json",
        "battery_charging.json",
        "overheating.json",
        "brakes.json",
        "steering_suspension.json",
        "vibration.json",
        "transmission.json",
        "leaks.json",
        "smells.json",
        "smoke.json",
    } <= names


@pytest.mark.parametrize("path", GUIDE_FILES, ids=lambda path: path.name)
def test_guide_file_matches_schema(path):
    entries = _entries(path)
    assert isinstance(entries, list) and entries
    for guide in entries:
        where = f"{path.name}: {guide.get('id')}"
        assert set(guide) == set(FIELDS), where
        for name, kind in FIELDS.items():
            assert isinstance(guide[name], kind), f"{where}: {name}"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", guide["id"]), where
        for name, (fewest, most) in LIST_SIZES.items():
            assert fewest <= len(guide[name]) <= most, f"{where}: {name} has {len(guide[name])}"
            assert all(isinstance(item, str) and item.strip() for item in guide[name]), where
        for name in ("title", "category", "diy", "professional", "cost_note"):
            assert guide[name].strip(), f"{where}: {name}"
        low, high = guide["cost"]
        assert type(low) is int and type(high) is int and 0 <= low <= high, where
        assert guide["severity"] in {"low", "moderate", "high", "severe"}, where
        assert guide["drive"] in {"yes", "caution", "no"}, where


@pytest.mark.parametrize("path", GUIDE_FILES, ids=lambda path: path.name)
def test_guide_file_holds_one_category(path):
    assert len({guide["category"] for guide in _entries(path)}) == 1


def test_guide_ids_are_unique_across_files():
    ids = [guide["id"] for path in GUIDE_FILES for guide in _entries(path)]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("path", GUIDE_FILES, ids=lambda path: path.name)
def test_hazardous_topics_carry_safety_notes(path):
    for guide in _entries(path):
        hazardous = guide["category"] in HAZARD_CATEGORIES or any(
            word in guide["id"] for word in HAZARD_WORDS
        )
        if hazardous:
            assert guide["safety"], f"{path.name}: {guide['id']} needs a safety note"


def test_all_guides_loads_every_entry_as_written():
    raw = {guide["id"]: guide for path in GUIDE_FILES for guide in _entries(path)}
    guides = all_guides()
    assert len(guides) == len(raw)
    for guide in guides:
        assert isinstance(guide, Guide)
        assert isinstance(guide.aliases, tuple) and isinstance(guide.cost, tuple)
        assert guide.as_dict() == raw[guide.id]
    assert all_guides() is guides


def _write(folder, name, entries):
    (folder / name).write_text(json.dumps(entries), encoding="utf-8")


def _valid_entry(guide_id="test-guide"):
    entry = all_guides()[0].as_dict()
    entry["id"] = guide_id
    return entry


def test_load_guides_names_file_and_id_of_a_bad_entry(tmp_path):
    bad = _valid_entry("bad-severity") | {"severity": "catastrophic"}
    _write(tmp_path, "broken.json", [_valid_entry(), bad])
    with pytest.raises(GuideDataError, match=r"broken\.json, guide 'bad-severity'.*severity"):
        load_guides(tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cost": [500, 100]}, "cost"),
        ({"cost": [10.5, 100]}, "cost"),
        ({"drive": "maybe"}, "drive"),
        ({"aliases": "just one string"}, "aliases"),
        ({"title": ""}, "title"),
        ({"id": "Not Kebab"}, "kebab"),
        ({"colour": "red"}, "unknown fields"),
    ],
)
def test_load_guides_rejects_bad_fields(tmp_path, change, message):
    _write(tmp_path, "broken.json", [_valid_entry() | change])
    with pytest.raises(GuideDataError, match=message):
        load_guides(tmp_path)


def test_load_guides_rejects_a_missing_field(tmp_path):
    entry = _valid_entry("no-cost")
    del entry["cost"]
    _write(tmp_path, "broken.json", [entry])
    with pytest.raises(GuideDataError, match=r"'no-cost'.*missing fields \['cost'\]"):
        load_guides(tmp_path)


def test_load_guides_rejects_duplicate_ids_across_files(tmp_path):
    _write(tmp_path, "a.json", [_valid_entry("same-id")])
    _write(tmp_path, "b.json", [_valid_entry("same-id")])
    with pytest.raises(GuideDataError, match=r"b\.json: duplicate guide id 'same-id'.*a\.json"):
        load_guides(tmp_path)


def test_load_guides_rejects_invalid_json(tmp_path):
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(GuideDataError, match=r"broken\.json: not valid JSON"):
        load_guides(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("car clicks when i turn the key", "starting-clicks-no-start"),
        ("adblue warning says no start in 300 miles", "light-adblue-def"),
        ("engine ticking noise", "engine-ticking-noise"),
        ("put petrol in a diesel car", "misfuelling-wrong-fuel"),
        ("i filled my gas car with diesel", "misfuelling-wrong-fuel"),
        ("car was flooded", "flood-damaged-car"),
        ("drove through deep water and now it won't start", "flood-damaged-car"),
        ("car bounces a lot over bumps", "bouncy-ride-worn-shocks"),
        ("car hard to start when hot", "hard-to-start-when-hot"),
        ("car won't start but lights work", "starting-clicks-no-start"),
        ("ran out of gas and now it won't start", "starting-cranks-no-start"),
        ("car won't accelerate past 40", "light-reduced-power-limp-mode"),
        ("key stuck in ignition", "shifter-stuck-in-park"),
        ("rpm jumping up and down at idle", "vibration-rough-idle"),
        ("exhaust is loud all of a sudden", "exhaust-suddenly-loud"),
        ("my catalytic converter was stolen", "exhaust-suddenly-loud"),
        ("car jerks when accelerating", "jerking-hesitation-accelerating"),
        ("hesitation when accelerating from a stop", "jerking-hesitation-accelerating"),
        ("gear shifter stuck in park", "shifter-stuck-in-park"),
        ("sunroof leaks water", "water-leak-into-cabin"),
        ("wet carpet on passenger side", "water-leak-into-cabin"),
        ("fuel gauge not working", "fuel-gauge-not-working"),
        ("what does 5W-30 mean", "engine-oil-grades"),
        ("is it okay to mix coolant colors", "coolant-types-mixing"),
        ("whining noise when accelerating", "whining-noise-accelerating"),
        ("dashboard lights flickering", "dashboard-lights-flickering"),
        ("radio turns off by itself", "electrical-radio-infotainment-resets"),
        ("radio stops working", "electrical-radio-infotainment-resets"),
        ("check engine light after getting gas", "light-check-engine-steady"),
        ("car pulls to the right", "steering-pulls-driving"),
        ("car idles rough when cold", "vibration-rough-idle"),
        ("add blue light came on in my transit", "light-adblue-def"),
        ("DEF light came on in my ram 2500", "light-adblue-def"),
        ("my golf has the EPC light on and no power", "light-epc"),
        ("epc lite on audi a4", "light-epc"),
        ("just a rapid clicking noise and it won't start", "starting-clicks-no-start"),
        ("engine turns over but wont start", "starting-cranks-no-start"),
        ("it cranks and cranks but never fires", "starting-cranks-no-start"),
        ("turn the key and absolutely nothing, dash is dead", "starting-no-crank-dead"),
        ("car starts then dies after 2 seconds", "starting-starts-then-dies"),
        ("it starts and then stalls straight away", "starting-starts-then-dies"),
        ("slow to crank on frosty mornings", "starting-slow-crank-cold"),
        ("battery keeps dying overnight", "battery-keeps-going-flat"),
        ("flat battery every morning even though it's new", "battery-keeps-going-flat"),
        ("battery light came on while driving", "battery-warning-light-charging"),
        ("i think my alternater is not charging", "battery-warning-light-charging"),
        ("how do i jump start my car safely", "battery-jump-start-safely"),
        ("which order do jumper cables go on", "battery-jump-start-safely"),
        ("temperature gauge is in the red", "overheating-engine"),
        ("my engine is overheating", "overheating-engine"),
        ("coolant keeps disappearing but no leak", "overheating-coolant-loss-no-leak"),
        ("overheeting in trafic", "overheating-in-traffic-fan"),
        ("radiator fan doesnt come on", "overheating-in-traffic-fan"),
        ("brakes squeek", "brakes-squealing"),
        ("squealing noise every time I brake", "brakes-squealing"),
        ("grinding noise from front wheels when braking", "brakes-grinding"),
        ("metal on metal sound from my breaks", "brakes-grinding"),
        ("brake pedal goes to the floor", "brakes-soft-pedal"),
        ("spongy brake pedal", "brakes-soft-pedal"),
        ("brak pedal sinks", "brakes-soft-pedal"),
        ("car pulls to the left when I brake", "brakes-pulling"),
        ("steering wheel shakes when braking", "brakes-vibration-pulsing"),
        ("i think my rotors are warped", "brakes-vibration-pulsing"),
        ("one wheel is really hot after driving and the car pulls", "brakes-sticking-caliper"),
        ("clunking over speed bumps", "suspension-clunk-bumps"),
        ("knocking noise from the front when going over potholes", "suspension-clunk-bumps"),
        ("power steering whines when I turn", "steering-whine-turning"),
        ("car drifts to the right on straight roads", "steering-pulls-driving"),
        ("steering feels loose and vague", "steering-loose-wandering"),
        ("clicking noise when turning sharp", "steering-cv-joint-clicking"),
        ("cv joint clicking", "steering-cv-joint-clicking"),
        ("humming noise that gets louder the faster I go", "steering-wheel-bearing-hum"),
        ("droning from the wheel at motorway speed", "steering-wheel-bearing-hum"),
        ("my tyres hum louder with speed", "steering-wheel-bearing-hum"),
        ("steering suddenly went heavy", "steering-heavy"),
        ("car shakes at 70 mph", "vibration-highway-speed"),
        ("steering wheel wobbles on the highway", "vibration-highway-speed"),
        ("engine shakes at idle at traffic lights", "vibration-rough-idle"),
        ("vibration only when accelerating", "vibration-accelerating"),
        ("tranny slipping", "transmission-automatic-slipping"),
        ("automatic gearbox slips and revs flare", "transmission-automatic-slipping"),
        ("gear changes are harsh and jerky", "transmission-harsh-shifts"),
        ("takes a few seconds to go into reverse", "transmission-delayed-engagement"),
        ("clutch slipping going up hills", "transmission-clutch-slipping"),
        ("gears crunch when I change into second", "transmission-grinding-gears"),
        ("red fluid under car", "leak-red-fluid"),
        ("green puddle under the front of the car", "leak-coolant"),
        ("black oil spot on my driveway", "leak-engine-oil"),
        ("water dripping under the car after using the a/c", "leak-clear-water"),
        ("blue liquid leaking near front wheel", "leak-blue-washer-fluid"),
        ("brake fluid leaking near the tyre", "leak-brake-fluid"),
        ("petrol dripping from under the car", "leak-fuel"),
        ("smells like maple syrup", "smell-sweet-coolant"),
        ("burning oil smell after driving", "smell-burning-oil"),
        ("smell of burning rubber after going up a hill", "smell-burning-rubber-clutch-brakes"),
        ("car smells like rotten eggs", "smell-rotten-egg"),
        ("strong smell of gas inside the car", "smell-raw-fuel"),
        ("musty smell when I turn the aircon on", "smell-musty-vents"),
        ("white smoke out the exhaust", "smoke-white-exhaust"),
        ("exaust smokin white", "smoke-white-exhaust"),
        ("blue smoke from tailpipe on startup", "smoke-blue-exhaust"),
        ("black smoke when accelerating", "smoke-black-exhaust"),
        ("steam coming from under the bonnet", "smoke-under-bonnet"),
        ("smoke coming out from under the hood", "smoke-under-bonnet"),
        (
            "Hi, I have a 2015 Ford Focus and since yesterday there's a grinding noise from the "
            "front when I brake",
            "brakes-grinding",
        ),
        (
            "my wife's Nissan has been leaking a green liquid onto our driveway for a week",
            "leak-coolant",
        ),
    ],
)
def test_search_finds_the_guide(text, expected):
    found = [guide.id for guide, _ in search_guides(text)]
    assert expected in found, found


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("smoke from under the hood", "smoke from under the bonnet"),
        ("tire hums louder with speed", "tyre hums louder with speed"),
        ("gas leak under the car", "petrol leak under the car"),
        ("squeaky brakes", "squealing brakes"),
        ("tranny slipping", "transmission slipping"),
    ],
)
def test_search_treats_uk_us_and_slang_words_alike(first, second):
    assert search_guides(first)[0][0] == search_guides(second)[0][0]


@pytest.mark.parametrize(
    "text",
    [
        "what's the capital of France",
        "recipe for chocolate cake",
        "who won the football match last night",
        "how do I reset my email password",
        "how do I bake a cake",
        "tell me a joke",
        "write a poem about the sea",
        "how tall is mount everest",
        "best pizza place near me",
        "translate hello into spanish",
        "can you help me with my maths homework",
        "what's the weather tomorrow",
        "my cat is sick",
        "the stock market fell today",
        "",
        "   ",
        "!!!",
    ],
)
def test_search_returns_nothing_for_unrelated_text(text):
    assert search_guides(text) == []


def test_search_ranks_best_first_within_the_limit():
    results = search_guides("brake pedal soft and grinding noise", limit=5)
    assert 1 < len(results) <= 5
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert len(search_guides("brake pedal soft and grinding noise", limit=1)) == 1
    assert search_guides("brake pedal soft", limit=0) == []
