import time

import pytest

from chat.knowledge import answer, find_codes, triage

ENABLE_HINT = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "Ollama")


def test_generic_code_answer_has_the_facts():
    text = answer("my scanner shows p0420")
    assert "P0420" in text
    assert "Catalyst System Efficiency Below Threshold (Bank 1)" in text
    assert "Powertrain" in text
    assert "generic (SAE J2012)" in text
    assert "auxiliary emission controls" in text
    assert "What to check first" in text
    assert "exhaust for leaks" in text
    assert "clear the code only once the cause is fixed" in text


@pytest.mark.parametrize(
    ("code", "expected_check"),
    [
        ("P0300", "spark plugs"),
        ("P0304", "ignition coil"),
        ("P0171", "vacuum hoses"),
        ("P0455", "fuel cap"),
        ("P0128", "thermostat"),
        ("P0101", "MAF"),
        ("P0700", "transmission fluid"),
        ("U0100", "battery tested"),
        ("C0032", "tone ring"),
        ("P0113", "connector"),
        ("P202A", "AdBlue"),
        ("P2048", "ISO 22241"),
        ("P20CB", "turbo outlet"),
        ("P243A", "regenerate"),
        ("P0A27", "orange cables"),
        ("P0A14", "vibration"),
        ("C0021", "vacuum hose"),
        ("C0010", "ABS-capable scan tool"),
        ("C0031", "tone ring"),
        ("P250F", "dipstick"),
        ("P2269", "water separator"),
        ("P3401", "deactivation solenoids"),
        ("P219A", "balance test"),
        ("B00D0", "airbag"),
        ("P0A3E", "orange cables"),  # a generator inverter is high voltage, not the alternator
        ("P0A00", "orange cables"),
        ("P2675", "connector"),  # an air cleaner inlet, not an ABS valve
        ("C0049", "MIN and MAX"),
        ("P2203", "control unit"),  # a NOx sensor, not a switching O2 sensor
        ("P2BAF", "AdBlue"),
    ],
)
def test_checks_follow_the_kind_of_fault(code, expected_check):
    assert expected_check in answer(f"What does {code} mean?")


def test_manufacturer_specific_code_is_not_guessed():
    text = answer("P1456 came up")
    assert "P1456" in text
    assert "manufacturer-specific" in text
    assert "check the maker's service information" in text
    assert "Evaporative" not in text


def test_manufacturer_specific_code_names_the_make_from_the_profile():
    text = answer("P1456", vehicle={"make": "Honda"})
    assert "Honda's own definition applies" in text


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("P20EE", ["refractometer", "NOx sensor", "countdown"]),
        ("P2BAD", ["inducement", "NOx sensor"]),
        ("P0AA6", ["insulation resistance", "orange cables", "towed"]),
        ("P250F", ["dipstick", "No: stop driving"]),
        ("C0035", ["axle stands", "red brake warning light"]),
    ],
)
def test_common_new_codes_have_full_details(code, expected):
    text = answer(f"What does {code} mean?")
    assert "**Most likely causes**" in text and "**Typical cost:**" in text
    for fact in expected:
        assert fact in text, fact


def test_active_engine_mount_codes_are_not_hybrid_faults():
    text = answer("P0A15", vehicle={"make": "Honda", "model": "Odyssey"})
    assert "orange cables" not in text and "mount" in text
    assert triage(text, reply=True).level == "ok"


def test_a_gm_vehicle_gets_gms_meaning_first():
    text = answer("ABS light and code C0035", vehicle={"make": "chevrolet", "model": "Silverado"})
    assert "### C0035: Left Front Wheel Speed Sensor Circuit (GM)" in text
    assert "Meaning on a Chevrolet" in text
    assert "SAE meaning, used by other makers:** Right Front Wheel Speed Sensor Supply" in text
    assert "tone ring" in text
    # GM's meaning is on file even where the current SAE meaning isn't.
    assert "Left Rear Wheel Speed Sensor Circuit (GM)" in answer("C0045", vehicle={"make": "GMC"})


def test_maker_note_is_in_the_answer():
    text = answer("ABS light, code C0035", vehicle={"make": "Ford"})
    assert "Right Front Wheel Speed Sensor Supply" in text
    assert "GM vehicles" in text and "Left Front Wheel Speed Sensor Circuit" in text


def test_unknown_generic_code_says_so():
    assert "no generic meaning on file" in answer("P2FFF")


def test_several_codes_each_get_a_section_in_order():
    text = answer("codes: P0171,P0174 and U0100")
    assert text.index("### P0171") < text.index("### P0174") < text.index("### U0100")


def test_long_code_dumps_are_capped():
    codes = ["P0171", "P0174", "P0300", "P0301", "P0302", "P0303", "P0304", "P0420"]
    text = answer(" ".join(codes))
    assert text.count("### P") == 6
    assert "**P0304** and **P0420**: ask about them" in text


def test_question_beyond_the_tables_is_flagged():
    text = answer("Is it safe to keep driving with P0420 for another month or two?")
    assert "### P0420" in text
    assert "for the rest of your question a language model can help" in text
    assert "for the rest of your question" not in answer("what does P0420 mean?")


def test_vin_answer():
    text = answer("What can you tell me about 1HGCM82633A004352?")
    assert "Honda" in text
    assert "United States" in text
    assert "2003" in text
    assert "valid" in text


def test_vin_with_failed_check_digit_is_a_warning():
    text = answer("vin WVWZZZ1JZXW000001")
    assert "Volkswagen" in text
    assert "Germany" in text
    assert "warning, not an error" in text
    assert "normal for many VINs built outside North America" in text


def test_vin_years_use_the_profile_to_pick_one():
    text = answer("WBA3A5C51CF256651", vehicle={"year": "2012"})
    assert "2012, matching your profile" in text


def test_almost_vin_with_an_o_is_pointed_out():
    assert "never contain I, O or Q" in answer("my vin 1HGCM82633AOO4352")


def test_emergency_starts_with_stop_driving():
    text = answer("my brakes went to the floor and I have P0420")
    assert text.startswith("**Stop driving.**")
    assert "tow it" in text
    assert "P0420" in text


def test_caution_starts_with_a_warning():
    text = answer("How do I jump start my car?")
    assert text.startswith("**Take care.**")
    assert "polarity" in text


def test_follow_up_ordinal_resolves_against_history():
    history = [("user", "I have P0300 and P0171"), ("assistant", answer("I have P0300 and P0171"))]
    text = answer("what about the second one?", history=history)
    assert "### P0171: System Too Lean (Bank 1)" in text
    assert "### P0300" not in text

    first = answer("and the first code?", history=history)
    assert "### P0300" in first and "### P0171" not in first

    last = answer("tell me about the last one", history=history)
    assert "### P0171" in last


def test_the_other_one_is_the_code_not_discussed_last():
    history = [
        ("user", "P0300 and P0171"),
        ("assistant", "..."),
        ("user", "tell me about the second one"),
        ("assistant", "..."),
    ]
    text = answer("ok, and the other one?", history=history)
    assert "### P0300" in text and "### P0171" not in text


def test_the_other_one_after_naming_one_code_explicitly():
    history = [
        ("user", "P0300 and P0171"),
        ("assistant", "..."),
        ("user", "tell me more about P0171"),
        ("assistant", "..."),
    ]
    text = answer("and the other one?", history=history)
    assert "### P0300" in text and "### P0171" not in text
    assert "### P0171" in answer("and the second code?", history=history)


def test_the_other_one_with_a_single_code_is_that_code():
    history = [("user", "P0128"), ("assistant", "..."), ("user", "the first one?")]
    assert "### P0128" in answer("and the other one?", history=history)


def test_follow_up_uses_the_most_recent_code_list():
    history = [
        ("user", "P0420"),
        ("assistant", "..."),
        ("user", "now I also get P0442 and P0455"),
        ("assistant", "..."),
    ]
    assert "### P0455" in answer("the second one?", history=history)


def test_explicit_code_in_a_follow_up_wins_over_history():
    history = [("user", "P0300 and P0171"), ("assistant", "...")]
    text = answer("tell me more about P0171", history=history)
    assert "### P0171" in text and "### P0300" not in text


def test_reference_to_the_codes_repeats_them():
    history = [("user", "I got P0128"), ("assistant", "...")]
    text = answer("is it safe to drive?", history=history)
    assert "### P0128" in text


def test_ordinal_beyond_the_list_falls_back_honestly():
    history = [("user", "P0128"), ("assistant", "...")]
    text = answer("what about the third one?", history=history)
    assert "### P" not in text
    assert "OPENAI_API_KEY" in text


def test_vehicle_profile_is_used():
    vehicle = {"year": 2012, "make": "Honda", "model": "Civic", "engine": "1.8", "mileage": 120000}
    text = answer("P0420", vehicle=vehicle)
    assert "For your **2012 Honda Civic 1.8 (120,000 on the odometer)**" in text


def test_vehicle_profile_with_missing_fields():
    assert "For your **Civic**" in answer(
        "P0420", vehicle={"model": "Civic", "make": "", "year": None}
    )
    assert "For your" not in answer("P0420", vehicle={"make": "", "model": None})
    assert "For your" not in answer("P0420", vehicle={"year": 2012, "mileage": "90000"})


def test_vehicle_profile_vin_fills_in_the_make():
    text = answer("P0420 and P1456", vehicle={"vin": "1HGCM82633A004352"})
    assert "For your **2003 Honda**" in text
    assert "Honda's own definition applies" in text


def test_unknown_question_is_honest_and_helpful():
    text = answer("should I buy a diesel or a petrol hatchback for my commute?")
    assert "offline mechanic" in text
    assert "nothing in your message points to an immediate hazard" in text
    assert "make, model, year and engine" in text
    assert "warning lights" in text
    for hint in ENABLE_HINT:
        assert hint in text


def test_unknown_question_skips_what_the_profile_already_says():
    text = answer("which one do you recommend?", vehicle={"make": "Honda", "model": "Civic"})
    assert "make, model, year and engine" not in text
    assert "When does it happen" in text


def test_unknown_question_with_a_hazard_leads_with_the_warning():
    text = answer("there is smoke coming from under the hood, what is it?")
    assert text.startswith("**Stop driving.**")
    assert "OPENAI_BASE_URL" in text


def test_unknown_question_mentions_earlier_codes():
    history = [("user", "P0300 and P0171"), ("assistant", "...")]
    text = answer("is a dealer or an independent garage better?", history=history)
    assert "Earlier you mentioned **P0300** and **P0171**" in text


def test_greeting_and_empty_message():
    for message in ("", "hi"):
        text = answer(message)
        assert "trouble code or a VIN" in text
        assert "OPENAI_API_KEY" in text


def test_own_replies_never_plant_codes_for_later_follow_ups():
    # Follow-ups fall back to codes in earlier replies, so replies must not name example codes.
    for message in ("", "hi", "my car rattles", "should I buy a diesel?", "P0300"):
        assert find_codes(answer(message)) == find_codes(message)
    history = [("user", "hi"), ("assistant", answer("hi"))]
    assert "### P0" not in answer("tell me about the first one", history=history)


def test_symptoms_are_answered_from_the_guides():
    text = answer("my car makes a clunk when I go over bumps")
    assert text.startswith("### Clunk over bumps")
    assert "Most likely causes" in text and "Step-by-step checks" in text
    assert "Typical cost" in text and "make, model, year and engine" in text
    profiled = answer("it pulls to the left", vehicle={"make": "Honda", "model": "Civic"})
    assert "Honda Civic" in profiled and "make, model, year and engine" not in profiled


@pytest.mark.parametrize(
    "message",
    [
        "should I buy a diesel or a petrol hatchback?",
        "should I get a used hybrid",
        "best car for winter",
        "which is better, diesel or petrol?",
        "gas vs diesel truck",
        "play some music",
        "how to lose weight fast",
    ],
)
def test_questions_that_brush_a_car_word_get_no_guide(message):
    text = answer(message)
    assert "###" not in text and "offline mechanic" in text


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("should I get my brakes checked? they squeal", "### Squealing"),
        ("I put petrol in my diesel, should I get a new fuel pump?", "### Wrong fuel"),
        ("should I buy a new battery or try charging it? Car clicks but won't start", "### Clicks"),
        ("filled my gas car with diesel by mistake", "### Wrong fuel"),
    ],
)
def test_repair_questions_that_sound_like_buying_advice_still_get_their_guide(message, title):
    assert answer(message).startswith(title)


def test_thanks():
    assert answer("thanks!").startswith("You're welcome")


def test_answers_are_markdown_without_html():
    text = answer("P0171 and 1HGCM82633A004352, my brakes went to the floor")
    assert "<" not in text and ">" not in text.replace("> **Warning:**", "")


def test_replies_about_routine_codes_do_not_raise_alarms():
    # The same triage runs on replies; routine advice must not read like an emergency.
    for code in ("P0300", "P0171", "P0172", "P0420", "P0442", "P0128", "P0132", "P0700"):
        assert triage(answer(code), reply=True).level == "ok", code


def test_answers_are_fast():
    answer("P0420")  # loads the table
    start = time.perf_counter()
    for _ in range(50):
        answer("my brakes went to the floor, P0300 and P0171, VIN 1HGCM82633A004352")
    assert (time.perf_counter() - start) / 50 < 0.02
