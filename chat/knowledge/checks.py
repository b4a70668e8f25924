"""What to check first for a trouble code: the cheap, likely causes before the expensive part.

Rules match the code's generic meaning (or, failing that, its structure) and are tried in order,
most specific first. The advice is deliberately general: it is the order a good mechanic works
in, not a model-specific procedure. It never names other code numbers, so a reply about one code
can't be mistaken for a list of codes in a later follow-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.knowledge.codes import CodeInfo


@dataclass(frozen=True)
class Advice:
    topic: str
    urgency: str
    checks: tuple[str, ...]


_DRIVABLE = "Usually safe to drive short-term; get it diagnosed soon."
_CIRCUIT = (
    "It is an electrical fault, so start at the connector (corrosion, bent or pushed-back pins) "
    "and the wiring (chafing, melted near the exhaust), then check power and ground at the part "
    "before replacing the part itself."
)
# A "circuit" code that is not about a signal's plausibility points at wiring first.
_PLAUSIBILITY = re.compile(r"Performance|Slow Response|Correlation|Rationality")


def _rule(pattern: str, topic: str, urgency: str, *checks: str) -> tuple[re.Pattern, Advice]:
    return re.compile(pattern), Advice(topic, urgency, checks)


# Hybrid and EV codes: the owner's part stops at the 12-volt battery and the cooling intake.
_HYBRID = Advice(
    "hybrid system",
    "High-voltage system: don't touch the orange cables; leave it to a hybrid-trained technician.",
    (
        "Check the 12-volt battery first: a weak one causes many hybrid faults.",
        "Check the hybrid battery cooling fan and its intake filter for dust and blockage.",
        "Have a hybrid-capable scanner read the battery block voltages.",
    ),
)
# P0A-P0D is SAE's hybrid and EV area, but its active engine mounts sit on ordinary cars too.
_HYBRID_AREAS = ("P0A", "P0B", "P0C", "P0D")
_NOT_HIGH_VOLTAGE = re.compile(r"Engine Mount")
_HIGH_VOLTAGE = re.compile(
    r"Hybrid|\bHigh Voltage (?:System|Fuse|Service)|DC/DC|Drive Motor|Battery Charger|"
    r"Battery Energy|14 Volt Power Module|Generator Inverter|Inverter \"[A-Z]\""
)


def is_high_voltage(info: CodeInfo) -> bool:
    """Whether a generic code is about a hybrid or EV's high-voltage system."""
    meaning = info.meaning or ""
    if _NOT_HIGH_VOLTAGE.search(meaning):
        return False
    return info.code[:3] in _HYBRID_AREAS or bool(_HIGH_VOLTAGE.search(meaning))


# Tried in order against the generic meaning; the first match wins.
_RULES = (
    _rule(
        r"Engine Coolant Over Temperature|Engine Oil Over Temperature",
        "overheating",
        "Stop driving and let the engine cool: running it hot can warp the head or blow the head "
        "gasket.",
        "Check the coolant level with the engine cold, and look for leaks at hoses, radiator and "
        "water pump.",
        "Check that the cooling fans run when the engine is hot or the A/C is switched on.",
        "Suspect a thermostat stuck shut if the top radiator hose stays cool while the engine is "
        "hot.",
        "Look for head-gasket signs: bubbles in the coolant, white exhaust vapour, coolant loss "
        "with no visible leak.",
    ),
    _rule(
        r"Oil Pressure",
        "oil pressure",
        "Check the oil level before driving any further; if the pressure is really low, don't run "
        "the engine.",
        "Check the oil level and condition on the dipstick (engine off, level ground).",
        "Check the oil pressure sender and its wiring; senders often fail and leak.",
        "Confirm real pressure with a mechanical gauge before condemning the pump or bearings.",
    ),
    _rule(
        r"Misfire",
        "misfire",
        "Drive gently and fix it soon: unburnt fuel overheats the catalytic converter. If the "
        "warning lamp blinks, pull over.",
        "Read the misfire counters in live data to see which cylinders misfire.",
        "Inspect the spark plugs: worn electrodes, oil or carbon fouling, cracked insulators.",
        "Swap the ignition coil (or plug lead) of the misfiring cylinder with a neighbour's and "
        "see whether the misfire follows it.",
        "Check that cylinder's injector (resistance, or swap it) and look for vacuum leaks near "
        "its intake port.",
        "If the plugs, coils and injectors are good, do a compression or leak-down test.",
    ),
    _rule(
        r"Reductant|Diesel Exhaust Fluid|\bSCR\b|NOx Exceedence|NOx Catalyst|Inducement",
        "diesel exhaust fluid (AdBlue/DEF) and SCR",
        "Act soon: with exhaust-fluid faults most diesels count down to reduced power or a "
        "no-restart; the dash shows the distance left.",
        "Check the exhaust-fluid (AdBlue/DEF) level and top up with fresh fluid from a sealed "
        "container (ISO 22241); never add water or anything else.",
        "Look for white crystals around the filler, tank, lines and dosing injector: they mean a "
        "leak or a blocked injector.",
        "In frost the fluid freezes (about -11 °C / 12 °F) and the tank and line heaters must "
        "thaw it, so heater faults show up in winter.",
        "Have the fluid's strength (32.5 % urea, refractometer) and the NOx sensors checked "
        "before anyone replaces the SCR catalyst.",
    ),
    _rule(
        # A seventh injector in the exhaust burns fuel to clean the particulate filter.
        r"Exhaust Aftertreatment Fuel",
        "exhaust fuel injector (particulate filter cleaning)",
        "Fix it soon: until it works the particulate filter can't clean itself and will block.",
        "Check the injector's connector and wiring (in the exhaust near the turbo outlet) for "
        "heat damage.",
        "Look for fuel leaks or wet soot around the injector and its fuel line; don't run the "
        "engine if fuel is leaking onto the exhaust.",
        "A shop can run the injector test, clean or replace it, then force a regeneration.",
    ),
    _rule(
        r"Particulate",
        "diesel particulate filter",
        "Don't ignore it: a blocked filter ends in limp mode and a costly replacement.",
        "Let it regenerate: 20-30 minutes at a steady motorway speed.",
        "Check the DPF pressure sensor and its hoses (split or blocked hoses give false readings).",
        "Find the cause of the soot: EGR, injectors or lots of short trips.",
    ),
    _rule(
        r"Catalyst|NOx Trap|NOx Adsorber",
        "catalytic converter",
        "Not an emergency: the car drives normally but will fail an emissions test.",
        "Fix any misfire or fuel-mixture faults first; they damage catalysts and upset this test.",
        "Look for exhaust leaks before and around the downstream O2 sensor: outside air makes a "
        "good catalyst look bad.",
        "Compare the O2 sensors in live data: the downstream one should stay fairly steady; if it "
        "switches like the upstream one, the catalyst has lost its storage capacity.",
        "Check the O2 sensors themselves (age, slow response) before replacing the catalytic "
        "converter.",
    ),
    _rule(
        r"Evaporative|EVAP|Purge|Vent Valve|Fuel Cap",
        "evaporative emissions (EVAP)",
        "Not urgent: it affects emissions, not how the car drives.",
        "Check the fuel cap first: seated until it clicks, seal not cracked or missing.",
        "Inspect the EVAP hoses, filler neck and charcoal canister for cracks or loose lines.",
        "Test the purge valve (it should hold vacuum with no power) and the canister vent valve.",
        "A shop smoke test finds small EVAP leaks quickly.",
    ),
    _rule(
        r"Fuel System Leak",
        "high-pressure fuel leak",
        "Look before you drive: if you see or smell fuel, don't start the engine.",
        "Look for wet fuel at the high-pressure pump, pipes, rail and injectors.",
        "Check the injector return flow (leak-off test) on diesels.",
        "Check the fuel rail pressure sensor and regulator against spec.",
    ),
    _rule(
        r"Fuel Trim \(|Intake Air System Leak",
        "fuel trim",
        _DRIVABLE,
        "Look at live short- and long-term fuel trims to see which way (lean or rich) it is "
        "correcting.",
        "Lean: look for vacuum and intake leaks, a dirty MAF sensor or low fuel pressure.",
        "Rich: check for a leaking injector, high fuel pressure or a purge valve stuck open.",
    ),
    _rule(
        r"Too Lean",
        "lean mixture (too much air or too little fuel)",
        "Drive moderately and fix it soon: running lean causes misfires and hot valves.",
        "Look for vacuum leaks: cracked hoses, intake gasket, PCV valve and hose, brake-booster "
        "hose (listen for hissing, or smoke-test the intake).",
        "Clean the MAF sensor with MAF cleaner and check the air duct after it for splits.",
        "Test fuel pressure and volume: weak pump, clogged filter, faulty regulator.",
        "Compare fuel trims at idle and at 2,500 rpm: lean only at idle points to a vacuum leak, "
        "lean everywhere to fuel delivery or the MAF.",
    ),
    _rule(
        r"Too Rich",
        "rich mixture (too much fuel)",
        "Fix it soon: a rich mixture fouls plugs and can overheat the catalytic converter.",
        "Check the air filter and the MAF sensor (dirty or faulty).",
        "Check fuel pressure: a stuck regulator or leaking injector floods the engine.",
        "Check the purge valve is not stuck open.",
        "Compare the coolant temperature reading with the real temperature: a sensor reading cold "
        "makes the engine run rich.",
    ),
    _rule(
        r"HO2S Heater|O2 Sensor Heater",
        "O2 sensor heater",
        _DRIVABLE,
        "Check the fuse and relay that feed the sensor heaters.",
        "Measure the heater resistance at the sensor (typically a few ohms) against spec.",
        "Inspect the wiring where it runs near the exhaust; replace the sensor if the heater is "
        "open.",
    ),
    _rule(
        r"NOx Sensor|NH3 Sensor",
        "NOx / NH3 sensor (diesel exhaust)",
        "Drivable for now, but many diesels start an emissions warning countdown if it stays: "
        "get it checked soon.",
        "Check the sensor's connector and wiring near the exhaust for heat damage.",
        "Check the fuse and supply for the sensor's small control unit, which sits on its lead.",
        "Look for exhaust leaks ahead of the sensor: outside air skews the reading.",
        "The sensors are costly: have a shop compare the readings before replacing one.",
    ),
    _rule(
        r"O2 Sensor|HO2S",
        "oxygen sensor",
        _DRIVABLE,
        "Check for exhaust leaks ahead of the sensor.",
        "Inspect the sensor wiring and connector for chafing or melting on the exhaust.",
        "Watch live data: a warm upstream sensor should switch quickly between about 0.1 and 0.9 "
        "V; stuck lean often means a vacuum leak, stuck rich a fuel problem.",
        "Replace the sensor only after ruling those out.",
    ),
    _rule(
        r"Mass or Volume Air Flow|Air Filter and MAF",
        "mass air flow (MAF) sensor",
        _DRIVABLE,
        "Check the air filter and the intake duct after the MAF for cracks or loose clamps.",
        "Clean the MAF element with MAF cleaner only (never touch the wire or film).",
        "Check the connector and wiring, then compare the reading with spec at idle.",
    ),
    _rule(
        r"Manifold Absolute Pressure|Barometric",
        "MAP / barometric pressure sensor",
        _DRIVABLE,
        "Check the MAP sensor's vacuum hose or port for cracks and blockage.",
        "Look for vacuum leaks.",
        "With the engine off, the MAP reading should roughly equal barometric pressure; check its "
        "5-volt reference and ground.",
    ),
    _rule(
        r"Camshaft Position -|Camshaft Position Actuator|Camshaft Position Slow|"
        r"Crankshaft Position - Camshaft|Valve Control Solenoid|Engine Position System|Rocker Arm",
        "variable valve timing / timing",
        "Drive gently: it can cause rough running and, if the timing chain has stretched, engine "
        "damage.",
        "Check the oil level and condition first: variable valve timing runs on engine oil.",
        "Make sure the oil is the viscosity the manual specifies.",
        "Check the oil control (VVT) solenoid: connector, and its filter screen for sludge.",
        "If it comes back, check the timing chain or belt for stretch or a jumped tooth.",
    ),
    _rule(
        r"Crankshaft Position|Camshaft Position|Engine Speed Input|Timing Reference|"
        r"Ignition/Distributor",
        "crank / cam position sensor",
        "The engine may stall or refuse to restart: fix it before a long trip.",
        "Check the sensor connector and wiring (oil-soaked connectors are common).",
        "Remove the sensor and look for metal debris or damage on its tip.",
        "Inspect the tone wheel (reluctor) for damage, and check the timing if both crank and cam "
        "codes are stored.",
    ),
    _rule(
        r"Thermostat|Coolant Temperature|Cooling System|Coolant Pump|Coolant Level|Coolant Flow|"
        r"Coolant Bypass|Coolant Degassing",
        "engine coolant temperature / thermostat",
        "Not an emergency, but fuel economy and heater output suffer; watch the temperature gauge.",
        "Check the coolant level with the engine cold.",
        "A thermostat stuck open is the usual cause: slow warm-up, lukewarm heater, gauge reading "
        "low.",
        "Compare the sensor reading in live data with the real temperature (an infrared "
        "thermometer on the thermostat housing).",
        "Check the temperature sensor's connector and wiring.",
    ),
    _rule(
        r"Air Temperature",
        "air temperature sensor",
        _DRIVABLE,
        "Check the sensor connector and wiring.",
        "After the car has sat overnight, the reading should match the outside temperature.",
        "Measure the sensor resistance against the temperature chart in the service information.",
    ),
    _rule(
        r"Throttle|Pedal Position|Diesel Intake Air Flow Control",
        "throttle / accelerator pedal",
        "The engine may go into reduced-power (limp) mode: drive carefully and get it checked.",
        "Inspect and clean the throttle body (carbon around the plate), then do the idle or "
        "throttle relearn.",
        "Check the connectors at the throttle body and the accelerator pedal.",
        "Check the wiring, including the 5-volt reference and ground shared by the sensors.",
    ),
    _rule(
        r"Knock",
        "knock sensor",
        _DRIVABLE,
        "Check the sensor connector and wiring (often under the intake manifold).",
        "Use the fuel octane the manual asks for.",
        "Check the sensor is tightened to spec; a loose one misreads.",
    ),
    _rule(
        r"Ignition Coil",
        "ignition coil",
        "Drive gently: a dead coil causes a misfire.",
        "Check the coil's connector and wiring.",
        "Swap the coil with a neighbouring one and see whether the fault follows it.",
        "Check the spark plug under that coil.",
    ),
    _rule(
        r"Glow Plug|Intake Air Heater",
        "glow plugs",
        "Cold starts will be hard; otherwise drivable.",
        "Measure each glow plug's resistance (a failed plug reads open).",
        "Check the glow plug relay or control module and its fuse.",
        "Check the wiring and connectors on the plugs.",
    ),
    _rule(
        r"Injector|Injection|Contribution|Air-Fuel Ratio Imbalance|Cylinder \d+ - Fuel Trim",
        "fuel injector",
        "Drive gently: a faulty injector causes misfires.",
        "Check the injector connector and wiring; measure its resistance against spec.",
        "Listen for the injector clicking with the engine running (a stethoscope or screwdriver).",
        "For a balance fault, swap injectors between cylinders or have a balance test done.",
    ),
    _rule(
        r"Exhaust Gas Recirculation",
        "EGR system",
        _DRIVABLE,
        "Carbon build-up is the usual cause: remove and clean the EGR valve and its passages.",
        "Check the valve's vacuum supply and solenoid (vacuum valves) or its connector (electric "
        "valves).",
        "Check the EGR position sensor reading against the commanded position.",
    ),
    _rule(
        r"Secondary Air",
        "secondary air injection",
        _DRIVABLE,
        "Check the air pump's fuse and relay.",
        "Inspect the hoses and check valves; water in the pump seizes it.",
        "Listen for the pump running for a minute or two after a cold start.",
    ),
    _rule(
        r"Turbo|Super Charger|\bBoost\b|Wastegate|Charge Air Cooler Bypass|"
        r"Exhaust Pressure Control|Exhaust Pressure Regulator",
        "turbo / boost",
        "Expect reduced power; avoid hard acceleration until it is fixed.",
        "Check the boost hoses and intercooler pipes for splits and loose clamps.",
        "Check the wastegate or vane actuator: its vacuum line, solenoid and free movement.",
        "Check the boost sensor and wiring, then the turbo itself (shaft play, oil leaks).",
    ),
    _rule(
        r"Fuel Level",
        "fuel level sender",
        "Drivable, but don't trust the fuel gauge: reset the trip meter at each fill-up.",
        "Check the sender's connector at the tank.",
        "Check the wiring between the tank and the cluster.",
        "The sender in the tank wears: replace it if the reading jumps.",
    ),
    _rule(
        r"Water in Fuel",
        "water in the fuel (diesel)",
        "Drain the water soon: it damages the high-pressure pump and injectors.",
        "Drain the fuel filter's water separator (a drain screw or tap under the filter).",
        "Replace the fuel filter if it is due or the water keeps coming back.",
        "If there is a lot of water, suspect the last fill-up and keep the receipt.",
        "Check the water-in-fuel sensor's connector if the light stays on after draining.",
    ),
    _rule(
        r"Fuel Rail|Fuel Pressure|Fuel Pump|Fuel Volume|Fuel Delivery|Fuel Shutoff|"
        r"Low Pressure Fuel|Fuel System Over Pressure",
        "fuel delivery",
        "The engine may stall or lack power: fix it before a long trip.",
        "Measure fuel pressure with a gauge and compare it with spec.",
        "Check the fuel pump fuse and relay, and the fuel filter.",
        "Check the pressure sensor or regulator and its wiring.",
    ),
    _rule(
        r"Fan",
        "cooling fan",
        "Watch the temperature gauge: without the fan the temperature climbs in slow traffic.",
        "Check the fan fuse and relay.",
        "Check that the fan motor spins freely and runs on direct battery power.",
        "Check the fan wiring and connector.",
    ),
    _rule(
        r"Vehicle Speed",
        "vehicle speed sensor",
        _DRIVABLE,
        "Check whether the speedometer works; if not, start at the sensor and its wiring.",
        "Check the connector at the sensor (often on the transmission).",
        "Compare with the ABS wheel speeds in live data.",
    ),
    _rule(
        r"Idle",
        "idle control",
        _DRIVABLE,
        "Clean the throttle body and idle air passages.",
        "Look for vacuum leaks.",
        "Do the idle relearn procedure after cleaning or a battery disconnect.",
    ),
    _rule(
        r"System Voltage|Charging System|Generator",
        "charging system",
        "The battery may go flat and leave you stranded: fix it soon.",
        "Measure battery voltage: about 12.6 V engine off, 13.5-14.8 V running.",
        "Clean and tighten the battery terminals and the engine and body grounds.",
        "Check the alternator belt and the alternator's connector.",
    ),
    _rule(
        r"Reference Voltage|Supply Voltage|Sensor Power Supply",
        "sensor reference voltage",
        "Several sensors share this supply, so the engine may run poorly or go into limp mode.",
        "Unplug the sensors on that circuit one at a time: a shorted sensor pulls the reference "
        "voltage down.",
        "Inspect the wiring for chafing to ground.",
        "Check the module's power and grounds.",
    ),
    _rule(
        r"Immobilizer|\bKey\b|VIN Not Programmed|Odometer Not Programmed",
        "immobiliser / module programming",
        "The car may not start; no risk while driving.",
        "Try the spare key, and replace the key fob battery.",
        "Check battery voltage: low voltage upsets key recognition.",
        "Keys and modules may need programming with a dealer-level tool.",
    ),
    _rule(
        r"Cruise|Brake Switch|Brake Pedal Switch",
        "cruise control / brake switch",
        "Check that the brake lights work: the same switch usually drives them.",
        "Check the brake light switch at the pedal: adjustment and connector.",
        "Check the cruise control switches and the steering-wheel switch wiring.",
        "Check the fuses for the brake lights and cruise control.",
    ),
    _rule(
        r"A/C|Air Conditioner|Refrigerant",
        "air conditioning",
        "Drivable: it only affects the A/C.",
        "Check the refrigerant charge with gauges (leaks are the usual cause).",
        "Check the pressure sensor and its connector.",
        "Check the A/C clutch relay and fuse.",
    ),
    _rule(
        r"Control Module|Internal|Processor|Programming|ECM|PCM|TCM|Serial Communication",
        "control module",
        "Check the basics before suspecting the module itself.",
        "Check battery voltage and the module's power and ground connections.",
        "Look for water in the module or its connectors.",
        "Ask a dealer about software updates and service bulletins for this code.",
    ),
    _rule(
        r"Cylinder Deactivation|Cylinder \d+ (?:Deactivation|Exhaust Valve)",
        "cylinder deactivation",
        _DRIVABLE,
        "Check the oil level and that the oil is the specified grade.",
        "Check the deactivation solenoids and their wiring.",
        "Check oil pressure.",
    ),
    _rule(
        r"Engine Mount",
        "active engine mount",
        _DRIVABLE,
        "Check the mount's electrical connector and wiring, and the vacuum line on vacuum-type "
        "mounts.",
        "Look for a collapsed or fluid-leaking mount; expect more vibration at idle until fixed.",
        "Check the mount control fuse and relay.",
    ),
    _rule(
        r"Intake Manifold Runner|Intake Manifold Tuning",
        "intake manifold runner control",
        _DRIVABLE,
        "Check the runner actuator and its linkage for free movement.",
        "Check its vacuum supply or electrical connector.",
        "Look for carbon sticking the runner flaps.",
    ),
    _rule(
        r"Engine Oil Level|Engine Oil Deteriorated|Engine Oil Quality",
        "engine oil level",
        "Check the oil before driving further: running low on oil destroys an engine.",
        "Check the oil on the dipstick, engine off on level ground after a few minutes.",
        "Top up with the grade the manual specifies, to between the marks, not above.",
        "If it is overfull or smells of fuel, have it changed: fuel in the oil thins it.",
        "Check the oil level sensor's connector if the dipstick reading is fine.",
    ),
    _rule(
        r"Brake Booster|Brake Assist Vacuum|Vacuum Pump|Vacuum Reservoir|Brake Temperature",
        "brake assist",
        "The brake pedal may need much more effort: if it feels hard, low or soft, stop and have "
        "it towed.",
        "Press the brake pedal with the engine off a few times, hold it, start the engine: the "
        "pedal should sink slightly as assist arrives.",
        "Listen for a hiss and check the booster's vacuum hose and check valve for splits.",
        "On diesels and turbo petrols, check the vacuum pump and its oil feed and connector.",
        "If a brake is running hot, check for a sticking caliper or handbrake before driving on.",
    ),
    _rule(
        r"Brake Fluid|Brake System Malfunction",
        "brake fluid and brake warning",
        "Check the brake fluid before driving, and have the car towed if the level is low or the "
        "pedal feels soft.",
        "Check the fluid level in the reservoir against MIN and MAX (engine off, level ground).",
        "A low level means worn pads or a leak: look for wet patches inside the wheels and along "
        "the brake lines.",
        "Check the level sensor's connector on the reservoir cap if the level is fine.",
        "Have the brakes inspected before topping up and driving on if the level keeps dropping.",
    ),
    _rule(
        r"(?:Front|Rear) (?:Inlet|Outlet) Control|TCS Control|\bABS\b|Stability System|"
        r"Stop Lamp",
        "ABS / stability control",
        "Normal brakes still work, but ABS and stability control may be off: leave extra "
        "distance, and stop if the red brake warning light is on too.",
        "Check the brake fluid level and the ABS fuses and relays.",
        "Check the battery voltage: ABS modules log faults when it dips.",
        "Have the ABS module's own codes and live data read with an ABS-capable scan tool.",
    ),
    _rule(
        r"Wheel Speed|Tone Wheel",
        "ABS wheel speed sensor",
        "Normal brakes still work, but ABS and stability control may be off: drive with care.",
        "Inspect the sensor and its cable at that wheel for damage and corrosion.",
        "Clean the sensor tip and check the tone ring for rust, debris or cracks.",
        "Check wheel bearing play: some bearings carry the tone ring.",
    ),
    _rule(
        r"Starter",
        "starter circuit",
        "The car may not crank; no risk while driving.",
        "Check the battery and its terminals first.",
        "Check the starter relay and fuse, and the park/neutral or clutch switch that enables it.",
        "Check the wiring to the starter solenoid.",
    ),
    _rule(
        r"Power Steering",
        "power steering input",
        "Steering may become heavier at low speed; if it does, drive with care.",
        "Check the power steering fluid level (hydraulic systems).",
        "Check the pressure switch or sensor and its connector.",
        "Check the wiring to the power steering module.",
    ),
    _rule(
        r"Deployment|Restraint|Occupant|Seatbelt",
        "airbag (SRS)",
        "The airbags may not deploy in a crash: get it fixed soon.",
        "Disconnect the battery and wait at least 10 minutes before touching any airbag part.",
        "Never probe airbag connectors with a test light or meter.",
        "Seat connectors and the steering-wheel clock spring are common causes.",
    ),
    # The last resort for the many sensor codes no rule above names.
    _rule(
        r"Sensor",
        "sensor",
        _DRIVABLE,
        "Check the sensor's connector and wiring.",
        "Compare the sensor's live reading with reality (temperature, pressure) on a scan tool.",
        "Check its 5-volt reference and ground before replacing the sensor.",
    ),
)

_TRANSMISSION = Advice(
    "transmission",
    "Drive gently; if it slips, shifts harshly or goes into limp mode, avoid long trips.",
    (
        "Check the transmission fluid level and condition (dark brown or smelling scorched is "
        "bad) the way the manual says.",
        "Read all stored codes: speed sensor and solenoid faults often come together.",
        "Check the connectors and wiring at the transmission.",
        "A transmission specialist can read adaptations and pressures.",
    ),
)
_NETWORK = Advice(
    "vehicle network",
    "Depends on which module dropped out: brakes or steering modules deserve a prompt check.",
    (
        "Check the 12-volt battery and charging first: low voltage causes many communication "
        "codes.",
        "Check the fuses, power and ground for the module named in the code.",
        "Inspect the network wiring and connectors; across OBD pins 6 and 14 a healthy CAN bus "
        "reads about 60 ohms with the battery disconnected.",
    ),
)
_UNKNOWN = Advice(
    "",
    "Depends on the fault: watch for warning lights and changes in how the car drives.",
    (
        "Read the freeze-frame data: it shows the conditions when the code set.",
        "Look up the exact definition for this vehicle in its service information.",
        "Note any other codes stored with it; they often point to the common cause.",
        "Check battery voltage and the connectors in the area the code points to.",
    ),
)
_MANUFACTURER = Advice(
    "",
    "Unknown until the maker's definition is known.",
    (
        "Look up the exact definition for this make (service information, or a scanner with "
        "manufacturer definitions) before replacing anything.",
        "Note any generic codes stored with it; they are often the same fault.",
        "Check battery voltage and the connectors in the area the code's structure points to.",
    ),
)


def advice_for(info: CodeInfo) -> Advice:
    """What to check first for one code, from its meaning or, failing that, its structure."""
    if not info.generic:
        return _MANUFACTURER
    meaning = info.meaning or ""
    # Structure first where it is decisive: a network code names a module ("Lost Communication
    # With ECM/PCM") that would otherwise match the module rules, and every P07-P09 code starts
    # with the transmission's fluid and wiring whatever its wording.
    if info.system == "Network":
        return _NETWORK
    if (info.code[0] == "P" and info.code[2] in "789") or "Transmission Fluid" in meaning:
        return _with_circuit_check(_TRANSMISSION, meaning)
    if is_high_voltage(info):
        return _with_circuit_check(_HYBRID, meaning)
    for pattern, advice in _RULES:
        if pattern.search(meaning):
            return _with_circuit_check(advice, meaning)
    return _UNKNOWN


def _with_circuit_check(advice: Advice, meaning: str) -> Advice:
    electrical = re.search(r"Low Input|High Input|Low Voltage|High Voltage|Electrical", meaning)
    if not electrical and ("Circuit" not in meaning or _PLAUSIBILITY.search(meaning)):
        return advice
    return Advice(advice.topic, advice.urgency, (_CIRCUIT, *advice.checks))
