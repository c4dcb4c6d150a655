"""Rules of the note language added for the fourth review round (tests/notes/REVIEW.md, "Round 4").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients), none is a review note.
"""

from __future__ import annotations

from functools import partial

import pytest
from note_rules import DAY, diagnoses, lines, read_encounter

from dermbill.notes import code_note, read_note

_codes = partial(lines, payer="medicare", age=70, sex="M")
_icd = partial(diagnoses, payer="medicare", age=70, sex="M")
BCC = "Exam: 9 mm pearly papule with rolled border, L nasal ala. Assessment: BCC, L nasal ala (bx-proven 5/4/26).\n"
PAPULE = "Exam: 6 mm scaly pink papule R forearm. A: r/o SCC R forearm.\n"




def _procedure_codes(text: str) -> list[str]:
    result = code_note(text, date_of_service=DAY, payer="medicare", age=70, sex="M")
    if result.coding is None:
        return []
    return [line.code for line in result.coding.lines if not line.code.startswith("99")]



# the family of ways a note speaks of a procedure that was not done today by this provider: none is coded
@pytest.mark.parametrize("sentence", [
    # planned, scheduled, referred
    BCC + "Plan: Mohs to be scheduled with Dr. Okafor.",
    BCC + "Referred for MMS.",
    BCC + "AUC appropriate for Mohs given the H-zone location.",
    BCC + "Meets appropriate use criteria for Mohs.",
    BCC + "Next step: Mohs with Dr. Okafor.",
    BCC + "Plan: WLE with 4 mm margins - scheduled.",
    BCC + "Mohs on 6/22.",
    BCC + "Pending prior authorization for Mohs.",
    BCC + "Would benefit from Mohs surgery.",
    PAPULE + "Biopsy to be done by Dr. Lin next week.",
    PAPULE + "Plan: shave bx at next visit.",
    # options weighed, not done
    BCC + "Options reviewed incl. excision, Mohs, imiquimod and ED&C; pt will think it over.",
    BCC + "Treatment options discussed: excision vs Mohs vs ED&C. Pt to call with decision.",
    BCC + "We talked about excision with 4 mm margins versus Mohs.",
    PAPULE + "LN2 vs 5-FU discussed; pt opted for 5-FU.",
    # declined, deferred, refused
    BCC + "Pt declines Mohs at this time.",
    BCC + "Excision deferred until cardiology clearance.",
    PAPULE + "Pt opted for observation rather than biopsy.",
    PAPULE + "Will hold off on biopsy for now.",
    PAPULE + "Offered shave biopsy, patient declined.",
    # historical, or another provider's
    BCC + "Previously treated with ED&C in 2021 at this site, now recurrent.",
    BCC + "Had Mohs in 2023 on the R cheek.",
    BCC + "Outside biopsy showed nodular BCC.",
    PAPULE + "Biopsied by her PCP last month.",
    PAPULE + "Treated with LN2 in March by PCP, no better.",
    PAPULE + "She had this spot frozen by her PCP twice.",
    PAPULE + "Pt was treated with cryotherapy 3 months ago.",
    PAPULE + "Shave removal done elsewhere, recurred.",
    BCC + "Dr. Osei performed Mohs today; I was asked to see the patient for other lesions only.",
    BCC + "Mohs performed by Dr. Osei; no repair by me.",
    # a relative's
    BCC + "Father had Mohs for a BCC of the nose.",
    # a visit about the procedure
    "MOHS PRE-OPERATIVE CONSULTATION\n" + BCC + "Level: 99214",
])
def test_a_procedure_not_done_today_by_this_provider_is_never_coded(sentence: str) -> None:
    assert _procedure_codes(sentence) == []


# and what was done is still coded next to the same words
@pytest.mark.parametrize(("sentence", "code"), [
    ("Pt presents for scheduled Mohs of bx-proven BCC, R nasal ala. Stage 1: 2 blocks, clear. Defect 1.0 x 0.9 cm, "
     "to heal by second intention.", "17311"),
    ("Referred by her PCP for a changing mole. Shave biopsy of 6 mm pigmented papule L upper back performed today.",
     "11102"),
    ("Options discussed; pt chose cryotherapy. LN2 to 3 AKs on the scalp, 2 FTC.", "17000"),
    ("Shave biopsy vs. punch considered; shave biopsy performed of 7 mm papule L forearm, r/o SCC.", "11102"),
    ("Previously treated with LN2 by PCP without improvement. Today: shave removal of 9 mm inflamed SK L temple.",
     "11311"),
    ("Sister had Mohs for BCC. Today, shave bx of 6 mm pearly papule R upper back.", "11102"),
    ("Verbal consent from dad. Curettage of 4 molluscum on the L thigh.", "17110"),
    ("Ameluz applied to the face by Dr. Lee. Red light illumination by Dr. Lee, 10 min. AKs of the face.", "96573"),
    ("Mohs performed by me. Stage 1: 1 block, clear. BCC L cheek, defect 1.2 cm, to heal by second intention.",
     "17311"),
])
def test_a_procedure_done_today_next_to_such_words_is_coded(sentence: str, code: str) -> None:
    assert code in _procedure_codes(sentence)


def test_a_mention_widened_to_its_token_keeps_its_context() -> None:
    # "ED&C." is one token: the period is not the mention's, the "discussed" before it still is
    text = BCC + "Discussed excision vs Mohs vs ED&C. Pt to call."
    reading = read_note(text, date_of_service=DAY)
    assert any(i.reason == "hypothetical" and "ED&C" in i.quote for i in reading.ignored)


def test_another_providers_procedure_is_named_as_such() -> None:
    reading = read_note(PAPULE + "Biopsied by her PCP last month.", date_of_service=DAY)
    assert "other_provider" in {i.reason for i in reading.ignored}


# an I&D whose loculations are denied is simple (RULES 1.7): 10061 needs a complicated or multiple drainage
def test_an_abscess_without_loculations_is_a_simple_drainage() -> None:
    text = ("Abscess, L axilla, 2 cm fluctuant. I&D: 1 cm incision, pus expressed. No loculations. "
            "No packing required.")
    assert _codes(text, payer="commercial") == [("10060", 1, ())]


def test_an_abscess_with_loculations_broken_up_is_complicated() -> None:
    text = "Abscess, L axilla, 2 cm fluctuant. I&D: 1 cm incision, loculations broken up with a hemostat, packed."
    assert _codes(text, payer="commercial") == [("10061", 1, ())]


# the patient shaving is hair care, not a shave removal
def test_a_patient_who_shaves_has_no_shave_removal() -> None:
    text = "Abscess R axilla, 2 cm. Pt shaves axillae daily. I&D performed, purulent drainage, no loculations."
    assert _codes(text, payer="commercial") == [("10060", 1, ())]


def test_a_shave_of_a_lesion_is_still_a_shave_removal() -> None:
    text = "Shave removal of 4 mm irritated SK R axilla."
    assert [code for code, _, _ in _codes(text, payer="commercial")] == ["11300"]


# a body word naming a thing ("hand mirror", "back table") or a region that justifies Mohs ("H-zone of the face") is
# no lesion's site
def test_a_hand_mirror_and_the_h_zone_open_no_lesion() -> None:
    text = ("Mohs surgery, BCC of the R nasal ala, in the H-zone of the face. Site confirmed with a hand mirror. "
            "Stage 1: 2 blocks, clear. Defect 1.1 x 1.0 cm, to heal by second intention.")
    assert [(x["site"], x["diagnosis"]) for x in read_encounter(text)["lesions"]] == [("nose", "bcc")]


def test_a_hand_with_a_lesion_is_still_a_site() -> None:
    text = "Shave biopsy of 5 mm pink papule R dorsal hand, r/o SCC. Hand hygiene reviewed."
    assert [(x["site"], x["laterality"]) for x in read_encounter(text)["lesions"]] == [("hand_dorsum", "right")]


# "scalp (vertex/frontal) x10": the parenthesis names parts of the site, not sites of their own
def test_parts_of_a_site_in_parentheses_are_that_site() -> None:
    text = "LN2 to 12 AKs: scalp (vertex/frontal) x10, L temple x2."
    lesions = read_encounter(text)["lesions"]
    assert [(x["site"], x.get("count")) for x in lesions] == [("scalp", 10), ("temple", 2)]


def test_sites_with_their_own_sides_in_parentheses_stay_sites() -> None:
    text = "LN2 to AKs of the face (R temple x2, L cheek x3)."
    lesions = read_encounter(text)["lesions"]
    assert {(x["site"], x.get("count")) for x in lesions} == {("temple", 2), ("cheek", 3)}


# a Mohs stage's blocks are read however many words describe the layer first, never the next stage's
def test_a_stage_described_at_length_keeps_its_blocks() -> None:
    text = ("Mohs, SCC R temple. Stage I: excised with a 2 mm margin, beveled; tissue divided into 3 blocks, residual "
            "tumor at 6 o'clock. Stage II: additional layer taken from 5 to 7 o'clock, divided into 2 blocks. Clear. "
            "Defect 1.8 x 1.5 cm, to heal by second intention.")
    assert _codes(text) == [("17311", 1, ()), ("17312", 1, ())]


def test_a_stage_without_blocks_does_not_take_the_next_stages() -> None:
    text = ("Mohs, SCC R temple. Stage 1: tumor at the deep margin. Stage 2: 2 blocks, clear. "
            "Defect 1.8 x 1.5 cm, to heal by second intention.")
    stages = read_encounter(text)["lesions"][0]["procedures"][0]["stages"]
    assert len(stages) == 2 and stages[1] == {"blocks": 2}


# "the biopsy photo" is a picture, not a biopsy
def test_the_biopsy_photo_is_no_biopsy() -> None:
    text = "Site confirmed against the biopsy photo. Excision of BCC L upper back, 1.0 cm, 4 mm margins."
    assert [p["type"] for p in read_encounter(text)["lesions"][0]["procedures"]] == ["excision"]


def test_a_biopsy_next_to_a_photo_is_still_a_biopsy() -> None:
    text = "Photo taken. Shave biopsy of 6 mm pink papule L upper back, r/o BCC."
    assert [p["type"] for p in read_encounter(text)["lesions"][0]["procedures"]] == ["biopsy"]


# "Procedure (shave removal): ..." after a numbered plan describes the lesion given that procedure, with what follows
def test_a_procedure_paragraph_is_the_lesion_given_that_procedure() -> None:
    text = ("A/P:\n1. Irritated SK, R cheek, 7 mm -- shave removal today.\n2. AK x3 forehead -- LN2, 2 FTC.\n\n"
            "Procedure (shave removal): Consent signed. Lesion removed by tangential shave. Hemostasis with AlCl.")
    assert _codes(text) == [("11311", 1, ()), ("17000", 1, ("XS",)), ("17003", 2, ())]


def test_a_sited_procedure_after_the_plan_is_its_own_lesion() -> None:
    text = ("A/P:\n1. Irritated SK, R cheek -- shave removal today.\n2. AK x3 forehead -- LN2, 2 FTC.\n\n"
            "Procedure: shave removal of 5 mm irritated SK L upper back.")
    assert len(read_encounter(text)["lesions"]) == 3


# the level of medical decision making written in words is the visit's level; a follow-up is an established patient
def test_mdm_in_words_gives_the_visit_level() -> None:
    text = ("f/u psoriasis, worse on the elbows; starting a biologic, labs ordered. Plan: continue topicals. "
            "MDM moderate (prescription drug management).")
    visit = read_encounter(text)["visit"]
    assert visit["category"] == "established" and visit["level"] == 4


def test_a_moderate_word_without_mdm_gives_no_level() -> None:
    # (round 13: the level then comes from the decision making documented: a stable problem, no prescription named)
    text = "f/u psoriasis, moderate plaques on the elbows. Continue topicals."
    assert read_encounter(text)["visit"]["level"] == 2


# a site-less injection after a list of sites: its strength and the volume given to each lesion are every site's
def test_the_strength_and_each_volume_of_a_shared_injection_reach_every_site() -> None:
    text = ("Keloids: R earlobe x1, L earlobe x1, chest x2.\n"
            "ILK 10 mg/mL, 0.2 mL into each keloid.")
    doses = [x["procedures"][0].get("dose_mg") for x in read_encounter(text)["lesions"]]
    assert doses == [2, 2, 4]


def test_a_total_of_a_shared_injection_is_not_every_sites() -> None:
    # (round 6: the session's total is billed once, on the first site listed, rather than on none)
    text = ("Keloids: R earlobe x1, L earlobe x1.\n"
            "ILK 10 mg/mL, total 0.6 mL.")
    doses = [x["procedures"][0].get("dose_mg") for x in read_encounter(text)["lesions"]]
    assert doses == [6, None]


# "0.1 mL per injection ... total 2.4 mL (12 mg)": the aliquot is no lesion's volume, the total is the dose
def test_a_volume_per_injection_is_an_aliquot_and_the_total_is_the_dose() -> None:
    text = "Alopecia areata, scalp. ILK 5 mg/mL, 0.1 mL per injection, total 2.4 mL (12 mg) into 4 patches."
    assert read_encounter(text)["lesions"][0]["procedures"][0]["dose_mg"] == 12


def test_a_volume_into_a_lesion_is_still_its_volume() -> None:
    text = "Alopecia areata, scalp. ILK 5 mg/mL, 0.4 mL into the patch."
    assert read_encounter(text)["lesions"][0]["procedures"][0]["dose_mg"] == 2


# "debulk + first layer, 6 tissue blocks": the stage's blocks past a plus sign
def test_a_stage_with_a_debulk_keeps_its_blocks() -> None:
    text = ("Mohs, SCC R upper back. Stage 1: debulk + first layer, 6 tissue blocks. Stage 2: 2 blocks, clear. "
            "Defect 3.0 x 2.5 cm, to heal by second intention.")
    stages = read_encounter(text)["lesions"][0]["procedures"][0]["stages"]
    assert stages == [{"blocks": 6}, {"blocks": 2}]


# "separate site from the excision", "post-cryo blistering": a procedure named to place or explain, not done
def test_a_procedure_named_to_place_a_lesion_is_not_its() -> None:
    text = ("Excision of BCC L cheek, 1.0 cm, 3 mm margins, simple repair 2.5 cm.\n"
            "Shave bx of 6 mm pink papule R forearm, separate site from the excision, r/o SCC.")
    lesions = read_encounter(text)["lesions"]
    assert [p["type"] for p in lesions[1]["procedures"]] == ["biopsy"]


def test_post_cryo_blistering_is_no_cryotherapy() -> None:
    text = "Shave bx of 7 mm pink papule R lower leg, r/o BCC. Expected post-cryo blistering reviewed."
    assert [p["type"] for p in read_encounter(text)["lesions"][0]["procedures"]] == ["biopsy"]


def test_cryo_after_a_procedure_is_still_cryo() -> None:
    text = "Shave bx of 7 mm pink papule R lower leg, r/o BCC. Post procedure, LN2 to 2 AKs L forearm."
    kinds = {p["type"] for x in read_encounter(text)["lesions"] for p in x["procedures"]}
    assert kinds == {"biopsy", "destruction"}


# a procedure today during the global period of an unrelated excision at another site takes modifier 79
def test_an_unrelated_procedure_in_a_global_period_takes_79() -> None:
    text = ("S/p excision of SCC R shin on 5/25/26, here for suture removal; healed.\n"
            "New issue, unrelated: 6 mm pearly papule L cheek. Shave bx today.")
    assert _codes(text) == [("11102", 1, ("79",))]


def test_a_procedure_without_an_earlier_excision_takes_no_79() -> None:
    text = "New issue, unrelated to her eczema: 6 mm pearly papule L cheek. Shave bx today."
    assert _codes(text) == [("11102", 1, ())]


# "Addendum: Path #3 -- BCC" names the third numbered item, not the third lesion read
def test_a_report_naming_a_numbered_item_goes_to_that_item() -> None:
    text = ("1. ISKs x5 -- abdomen x3, lower back x2. LN2.\n2. AKs x2 scalp, LN2.\n"
            "3. R shin 7 mm pink papule, r/o BCC -- shave bx.\nAddendum: Path #3 -- basal cell carcinoma.")
    lesions = read_encounter(text)["lesions"]
    assert [x.get("pathology") for x in lesions] == [None, None, None, "bcc"]


# the cautery of a shave's base is its hemostasis, part of the removal; the cautery of another lesion is a destruction
def test_light_electrocautery_after_a_shave_removal_is_part_of_it() -> None:
    text = "Irritated SK R jawline, 8 mm -- shave removal: tangential removal flush with skin, light electrocautery."
    assert _codes(text, payer="commercial") == [("11311", 1, ())]


def test_electrocautery_of_another_lesion_is_still_a_destruction() -> None:
    text = "Shave removal of 8 mm irritated SK R cheek. Electrocautery of 4 common warts on the L hand."
    assert [code for code, _, _ in _codes(text, payer="commercial")] == ["11311", "17110"]


# "Suture removal 7 d (face), 14 d (arm)" is the wounds' follow-up, not a lesion removed from the face
def test_suture_removal_opens_no_lesion() -> None:
    text = ("1. L upper arm -- 6 mm firm papule, r/o DF -- 4 mm punch bx, 4-0 nylon x1.\n"
            "Suture removal 7 d (face), 14 d (arm).")
    assert [x["site"] for x in read_encounter(text)["lesions"]] == ["upper_arm"]


def test_a_removal_of_a_lesion_is_still_read() -> None:
    text = "Skin tag L neck removed with snip excision."
    assert read_encounter(text)["lesions"][0]["procedures"] == [{"type": "skin_tag_removal"}]


# "Indication: 2.0 cm cyst" on the line after a heading naming the repair is the lesion's size, not the repair's
def test_a_length_before_a_lesion_noun_is_the_lesions_size() -> None:
    text = ("Pre-op dx: epidermoid cyst, R upper back\nProcedure: excision with intermediate repair\n"
            "Indication: 2.0 cm cyst, recurrently inflamed.\nExcised with 1 mm margins. Layered closure, 4.5 cm.")
    lesion = read_encounter(text)["lesions"][0]
    assert lesion["diameter_cm"] == 2
    assert [p.get("length_cm") for p in lesion["procedures"] if p["type"] == "repair"] == [4.5]


def test_a_repair_length_is_still_the_repairs() -> None:
    text = "Excision of epidermoid cyst R upper back, 2.0 cm, 1 mm margins. Intermediate repair 4.5 cm."
    lesion = read_encounter(text)["lesions"][0]
    assert lesion["diameter_cm"] == 2
    assert [p.get("length_cm") for p in lesion["procedures"] if p["type"] == "repair"] == [4.5]


# an inflamed SK named only in a differential ("r/o ISK vs MM") does not make the lesion inflamed (L82.1 on an SK
# report); a report that says "seborrheic keratosis, irritated" does (L82.0)
def test_an_isk_in_a_differential_does_not_make_the_sk_inflamed() -> None:
    text = ("Shave bx L upper back, 1.0 cm waxy papule w/ irregular pigment, r/o ISK vs MM.\n"
            "Path: seborrheic keratosis, clonal type.")
    assert _icd(text) == ["L82.1"]


def test_an_irritated_sk_in_the_report_is_inflamed() -> None:
    text = ("Shave bx L upper back, 1.0 cm waxy papule w/ irregular pigment, r/o pigmented BCC.\n"
            "Path: seborrheic keratosis, irritated type.")
    assert _icd(text) == ["L82.0"]


def test_an_irritated_type_not_seen_is_not_inflamed() -> None:
    text = "Shave bx mid upper back, 0.7 cm waxy papule.\nPath: seborrheic keratosis, irritated type not seen."
    assert _icd(text) == ["L82.1"]


# "sBCC, L shoulder (bx 7/1/26) -- ED&C": the date in the parenthesis is the biopsy's, the ED&C is today's
def test_a_biopsy_date_in_parentheses_before_a_procedure_is_not_its_date() -> None:
    text = "1. sBCC, L shoulder, 0.9 cm (bx 5/2/26) -- ED&C x3 cycles. Consent signed."
    assert _codes(text) == [("17261", 1, ())]


def test_a_procedure_with_its_own_earlier_date_is_still_historical() -> None:
    text = "SCC L shoulder, 0.9 cm (bx 5/2/26), s/p ED&C 5/10/26, healing well."
    assert _procedure_codes(text) == []
