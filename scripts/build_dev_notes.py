"""Build tests/notes/dev_notes.jsonl, the note reader's development set (issue 18), and check it against the engine.

Each case is a note as a dermatologist writes it, the encounter a coder reads from it (built by hand), and the
answer coded by hand from ../shared/derm-coding/RULES.md and ../shared/cms-data. The 30 worked cases of
examples.jsonl are rewritten as notes (their encounter and expected answer are the example's); the others are our
own. Running this script writes the JSONL and prints every case where the engine, given the hand-built encounter,
disagrees with the hand-coded answer (the file is written anyway: the hand answer stands until a coder decides).

    PYTHONPATH=. /work/main/.venv/bin/python scripts/build_dev_notes.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "derm-coding" / "examples.jsonl"
if not EXAMPLES.exists():
    EXAMPLES = Path("/work/shared/derm-coding/examples.jsonl")
OUT = ROOT / "tests" / "notes" / "dev_notes.jsonl"

CASES: list[dict[str, Any]] = []


def line(code: str, units: int = 1, *modifiers: str) -> dict[str, Any]:
    return {"code": code, "units": units, "modifiers": list(modifiers)}


def fact(what: str, remove: str, gap_field: str) -> dict[str, str]:
    return {"fact": what, "remove": remove, "gap_field": gap_field}


def example(number: int, note: str, *, must_not_code: tuple[str, ...] = (),
            removable: tuple[dict[str, str], ...] = ()) -> None:
    """A worked case of examples.jsonl rewritten as a note: its encounter and expected answer are the example's."""
    CASES.append({"example": f"ex-{number:02d}", "note": note.strip("\n"), "must_not_code": list(must_not_code),
                  "removable_facts": list(removable)})


def own(case_id: str, note: str, encounter: dict[str, Any], lines: list[dict[str, Any]], icd10: list[str], *,
        holds: tuple[str, ...] = (), warnings: tuple[str, ...] = (), must_not_code: tuple[str, ...] = (),
        removable: tuple[dict[str, str], ...] = ()) -> None:
    CASES.append({"id": case_id, "note": note.strip("\n"), "encounter": encounter,
                  "expected": {"lines": lines, "icd10": icd10, "holds": list(holds), "warnings": list(warnings)},
                  "must_not_code": list(must_not_code), "removable_facts": list(removable), "source": "own"})


def enc(dos: str, payer: str, age: int, sex: str, lesions: list[dict[str, Any]], *, visit: Any = None,
        services: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"date_of_service": dos, "payer": payer, "patient": {"age": age, "sex": sex}, "visit": visit,
            "lesions": lesions, "services": services or [], **extra}


def lesion(lesion_id: str, site: str, diagnosis: str, procedures: list[dict[str, Any]], **facts: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": lesion_id, "site": site}
    if "laterality" in facts:
        data["laterality"] = facts.pop("laterality")
    data["diagnosis"] = diagnosis
    data.update(facts)
    data["procedures"] = procedures
    return data


# ---------------------------------------------------------------------------------------------------------------
# The 30 worked cases, rewritten as notes.

example(1, """
DOS: 04/14/2026    71 yo M    Ins: Medicare
Visit type: procedure only (scheduled bx)

CC: spot on L arm
HPI: Established pt returns for biopsy of a pearly papule noted at last visit on the L dorsal forearm. Non-healing,
occasionally bleeds.

Exam: L dorsal forearm: 0.6 cm pearly papule with telangiectasia.

Assessment & Plan:
1. Neoplasm of uncertain behavior, L dorsal forearm - r/o BCC. Shave biopsy performed today, see procedure note.

Procedure note: Tangential (shave) biopsy
Site: L dorsal forearm. Risks, benefits and alternatives discussed, written consent obtained. Time-out performed.
Site prepped with alcohol. Anesthesia: 1% lidocaine with epi, 0.5 mL. Lesion removed by shave technique with a
DermaBlade at the level of the mid dermis. Hemostasis with aluminum chloride. Vaseline and bandage applied.
Specimen to dermpath. Pt tolerated well, EBL minimal.

Pathology addendum (04/18/2026): L dorsal forearm, shave bx: basal cell carcinoma, nodular type, extending to the
deep margin.
""", must_not_code=("11300", "11600"))

example(2, """
Date of service: 2026-04-20 | 58 y/o female | Commercial (BCBS PPO)

CC: "a few spots I want checked"
HPI: 58F here for biopsies of 3 lesions identified at her skin check 2 wks ago. No personal hx of skin cancer.

EXAM: focused skin exam
- R anterior thigh: 0.5 cm firm pink-brown papule, + dimple sign
- mid upper back: 0.7 cm irregularly pigmented macule
- L shoulder: 0.8 cm scaly pink thin plaque

A/P:
1. Neoplasm of uncertain behavior x3 (R ant thigh, mid upper back, L shoulder) - bx today

PROCEDURES: After discussion of risks (bleeding, infection, scar), benefits and alternatives, verbal and written
consent obtained. Time-out done. Each site cleansed with alcohol and anesthetized with 1% lidocaine w/ epi.
#1 R anterior thigh: 4 mm punch biopsy, closed with 4-0 nylon x1.
#2 mid upper back: shave biopsy.
#3 L shoulder: shave biopsy.
Hemostasis with AlCl for #2 and #3. Specimens labeled and sent to pathology. Wound care reviewed.

Path (final 4/24): #1 dermatofibroma. #2 compound dysplastic nevus with mild atypia, margins clear. #3 superficial
basal cell carcinoma.
""", must_not_code=("11105", "11106"))

example(3, """
DOS 05/04/2026. 76 y.o. M, Medicare. Est pt.
Here for scheduled treatment of AKs only.

Exam: scalp and forehead with numerous gritty erythematous scaly papules c/w actinic keratoses: 9 on the scalp,
6 on the forehead.

Dx: Actinic keratoses (15)

Procedure: Cryotherapy (LN2)
Verbal consent after discussion of blistering, hypopigmentation and recurrence. LN2 applied with cryospray,
2 freeze-thaw cycles, to 15 AKs (scalp x9, forehead x6). Tolerated well. Post-care handout given.
RTC 6 mo.
""", must_not_code=("17000", "17003"))

example(4, """
DOS: 2026-05-05
69 yo F, Medicare, established

S: Here for treatment of rough spots on arms and hands.
O: Gritty scaly pink papules: L forearm x4, R forearm x4, L dorsal hand x3, R dorsal hand x3.
A: AKs x14
P: LN2 to all 14 AKs, 10 s freeze, 1 cycle each. Risks incl. blister, dyspigmentation reviewed, verbal consent.
   Sun protection counseled.
""", must_not_code=("17004",))

example(5, """
Date: 5/11/2026     Patient: 66 yo M     Insurance: Medicare Part B
Established patient

CC: psoriasis f/u; spots on scalp
HPI: Psoriasis vulgaris on elbows and knees, flaring over the last 2 months despite clobetasol. Also has rough
spots on the scalp.
Exam: Well-demarcated erythematous plaques with silvery scale on bilat elbows and bilat knees, BSA ~8%.
Scalp with 4 gritty hyperkeratotic papules c/w AK.

Assessment / Plan:
1. Psoriasis vulgaris, moderate, BSA 8% - not at goal. Stop clobetasol; start calcipotriene/betamethasone foam BID.
   Discussed systemic options; baseline CBC, CMP, lipid panel, QuantiFERON ordered.
2. AK x4, scalp - LN2 cryotherapy today, verbal consent, 2 FTC each. Tolerated well.

Separately identifiable E/M for psoriasis management. Level of service: 99213-25 (MDM low).
""")

example(6, """
DOS: 04/22/2026 | 62M | Medicare
Procedure note - excision

Pre-op dx: biopsy-proven BCC, R upper back (bx 3/30/2026)
Post-op dx: same

Procedure: Excision, malignant lesion, R upper back.
Risks, benefits and alternatives discussed, written consent obtained. Time-out performed. Site marked, prepped with
chlorhexidine and draped in sterile fashion. Local anesthesia: 1% lidocaine with epi 4 mL.
Lesion measured 0.6 cm. Excised with 0.2 cm margins all around as a fusiform ellipse to the subcutaneous fat.
Hemostasis with electrocautery. Wound closed with 4-0 nylon simple interrupted sutures. Final length 2.0 cm.
Dressing applied. EBL <5 mL. No complications. Specimen to pathology.

Path addendum: R upper back, excision: basal cell carcinoma, nodular; margins free.
""", removable=(fact("margins of the excision", " with 0.2 cm margins all around", "margin_cm"),
                fact("lesion size", "Lesion measured 0.6 cm. ", "diameter_cm")))

example(7, """
DOS 2026-04-23      80 y/o F      Medicare

PROCEDURE: Excision of invasive SCC, L calf (bx proven 4/1/26)
Consent: risks (bleeding, infection, scarring, recurrence), benefits, and alternatives (Mohs, ED&C, XRT)
discussed; pt wishes to proceed. Written consent signed.
Time-out: performed, correct pt/site confirmed.
Anesthesia: 1% lidocaine w/ epinephrine.
Description: 0.7 cm keratotic papule on the L calf. Ellipse designed with narrowest margin 2 mm. Excised to fat.
Closure: simple interrupted 4-0 Prolene, 2.5 cm.
Specimen: to pathology for margin assessment.

Pathology: squamous cell carcinoma, well differentiated, margins negative.
""", removable=(fact("the narrowest margin", " with narrowest margin 2 mm", "margin_cm"),))

example(8, """
DOS: 06/02/2026 - 45 yo male - commercial

CC: cyst on back keeps getting infected
HPI: Cyst on mid upper back x3 yrs, inflamed and drained 3 times in the last year, painful; treated with doxy in
March. Not currently infected. Wants it removed.

Exam: mid upper back 1.5 cm mobile subcutaneous nodule with central punctum, no fluctuance.

A/P: Epidermal inclusion cyst, recurrently inflamed -> excision today.

Procedure: Excision of cyst, mid upper back
Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lidocaine with epi.
Elliptical excision around the 1.5 cm cyst with 0.1 cm margin; cyst removed intact.
Layered closure: deep dermal 4-0 Monocryl, epidermis 5-0 nylon running. Repair length 3.0 cm (intermediate).
Pressure dressing. Specimen sent.

Path: epidermoid cyst.
""", removable=(fact("repair length", " Repair length 3.0 cm (intermediate).", "length_cm"),))

example(9, """
DOS 06/08/2026   67F   Medicare

Procedures today (2):

#1 Excision, BCC of nasal dorsum (bx-proven)
Risks/benefits/alternatives discussed, written consent obtained, time-out performed. 1% lido with epi.
Lesion 0.8 cm; excised with 3 mm margins. Simple closure with 6-0 Prolene, 2.0 cm.

#2 Excision, irritated nevus R forearm
Pt reports it catches on her watch band and gets irritated and red. 0.5 cm brown papule excised with 2 mm margins.
Simple closure 5-0 nylon, 1.5 cm.

Specimens x2 to dermpath.

Path addendum: (1) nasal dorsum: basal cell carcinoma, infiltrative, margins clear. (2) R forearm: compound
melanocytic nevus, no atypia.
""", removable=(fact("margins of the nevus excision", " with 2 mm margins", "margin_cm"),
                fact("size of the nasal lesion", "Lesion 0.8 cm; ", "diameter_cm")))

example(10, """
DOS: 2026-06-15. 74 yo M. Medicare.

Pt here for treatment of scalp AKs and a new spot on the L ear.

Exam:
Scalp: 3 hyperkeratotic scaly papules c/w AK.
L helix: 0.5 cm keratotic papule, tender.

A/P:
1) AK x3 scalp: LN2 x3, verbal consent obtained.
2) Keratotic papule L helix, r/o SCC vs HAK: tangential biopsy. Consent obtained, 1% lidocaine with epi, shave bx
   with flexible blade, AlCl for hemostasis. Sent to path.

Path: L helix - squamous cell carcinoma, well differentiated.
""", must_not_code=("11300", "11310"))

example(11, """
MOHS MICROGRAPHIC SURGERY REPORT
DOS: 06/16/2026    Pt: 72 yo M    Payer: Medicare
Surgeon and pathologist: same (Mohs surgeon)

Dx: BCC, nasal tip (biopsy 5/12/2026, nodular BCC)
Indication: H-zone, AUC appropriate.
Consent: Risks, benefits and alternatives discussed, written consent obtained. Time-out performed.
Anesthesia: 1% lidocaine with epi 1:100,000.

Stage I: 4 blocks. Residual tumor in block 2.
Stage II: 2 blocks. Residual BCC at 3 o'clock.
Stage III: 1 block. Clear.
Final defect 1.1 x 1.0 cm. Left to heal by second intention (discussed options; pt prefers granulation).
Wound care instructions given.
""", must_not_code=("11642", "11102"),
    removable=(fact("blocks of each stage", "Stage I: 4 blocks. Residual tumor in block 2.\nStage II: 2 blocks. "
                                            "Residual BCC at 3 o'clock.\nStage III: 1 block. Clear.", "stages"),))

example(12, """
Mohs note. DOS 2026-06-17. 78 yo male, Medicare.
Diagnosis: SCC, L dorsal hand, invasive, prior bx (path reviewed).
Consent/time-out: risks, benefits and alternatives discussed, written consent obtained; time-out completed.
Local: 1% lidocaine with epi.

Stage 1: tumor debulked, 7 tissue blocks mapped and processed; residual SCC in block 5.
Stage 2: 3 blocks; margins clear.

Defect: 2.4 x 2.0 cm. Repair to be done by plastic surgery (Dr. Lee) tomorrow. Pressure dressing placed.
""", must_not_code=("12041", "14040", "11622"))

example(13, """
DOS: 06/18/2026 - 64F - Medicare
MOHS: BCC, R lower back (bx-proven)

Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lidocaine w/ epi.
Stage 1 - 3 blocks: positive superficial margin at 12 o'clock.
Stage 2 - 2 blocks: clear.
Repair: the defect was closed by the Mohs surgeon with a layered (intermediate) closure, 3-0 Vicryl deep and 4-0
nylon superficial; final repair length 4.0 cm.
""", removable=(fact("repair length", "; final repair length 4.0 cm", "length_cm"),))

example(14, """
DOS 7/1/2026 | 39 yo F | Commercial

Two irritated moles excised today, both rub on clothing/bra strap and bleed intermittently.

Procedure #1: upper back (midline), 0.8 cm lesion, 0.2 cm margins, ellipse to fat, layered closure with 4-0 Monocryl
deep and 5-0 nylon, intermediate repair 3.5 cm.
Procedure #2: R upper arm, 0.6 cm lesion, 0.2 cm margins, layered closure, intermediate repair 2.5 cm.
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out performed for both.
Anesthesia 1% lidocaine with epi.

Path: both benign compound nevi, margins clear.
""", removable=(fact("length of the arm repair", ", intermediate repair 2.5 cm", "length_cm"),))

example(15, """
DOS: 07/02/2026   50 y/o F   Commercial insurance

CC: bump R shin, bothersome
Procedure: excision of dermatofibroma, R shin
Consent obtained after discussion of risks, benefits and alternatives (written). Time-out. 1% lidocaine with epi.
0.6 cm firm papule excised with 0.1 cm margins. Due to tension, wide undermining performed and a layered closure
done; documented as complex repair, final length 1.0 cm.
Path: dermatofibroma.
""")

example(16, """
DOS: 2026-07-06     70 yo F     Medicare

CC: mole on nose bleeds
HPI: Pt reports the nevus on her R nasal sidewall catches on her eyeglasses and bleeds every few days.
Exam: nasal sidewall 0.6 cm soft flesh-colored dome-shaped papule with hemorrhagic crust.
A/P: Irritated, bleeding intradermal nevus of nose -> shave removal today.
Procedure: Shave removal. Risks, benefits and alternatives discussed, written consent obtained. 1% lidocaine with
epi. Lesion shaved flush with the skin using a DermaBlade; hemostasis with AlCl. Specimen sent.
Path: intradermal melanocytic nevus.
""", removable=(fact("lesion size", " 0.6 cm", "diameter_cm"),))

example(17, """
DOS 07/07/2026   73 yo F   Medicare

CC: "ugly spots on my back"
HPI: Pt requests removal of brown stuck-on growths on her upper back because they are unsightly. Denies itching,
bleeding, irritation, inflammation or change.
Exam: upper back with 4 waxy, stuck-on brown papules c/w SKs. No erythema, no crust.
A/P: Seborrheic keratoses x4, asymptomatic - cosmetic. Pt aware Medicare will not cover; elects self-pay.
Curettage of 4 SKs performed after verbal consent.
""")

example(18, """
DOS: 07/08/2026  68F  Medicare

HPI: Three spots under the bra line that get rubbed, are red and crusted and bleed when rubbed.
Exam: chest, inframammary: 3 erythematous crusted stuck-on papules c/w inflamed SKs.
Assessment: Inflamed seborrheic keratoses x3, chest, symptomatic (irritated, bleeding).
Plan: curettage of all 3 SKs today. Verbal consent. AlCl for hemostasis. Vaseline and bandage.
""")

example(19, """
DOS 7/9/2026. 9 yo M (with mother). Commercial.

CC: warts on hands
Exam: dorsal hands with verrucous papules: 8 on the L dorsal hand, 8 on the R dorsal hand (16 total).
A/P: Verruca vulgaris x16 - LN2 cryotherapy, 2 freeze-thaw cycles each. Mother consented. Tolerated well.
Follow up 3-4 weeks for retreatment.
""", must_not_code=("17110",))

example(20, """
DOS 07/13/2026, 55 yo F, commercial

CC: skin tags catching on necklace and bra, bleeding
Exam: pedunculated skin-colored papules: neck x10, L axilla x6, R axilla x6. Several irritated with hemorrhagic
crust.
A/P: Irritated, bleeding acrochordons x22 - removed with gradle scissors after verbal consent; AlCl for hemostasis.
""")

example(21, """
DOS: 07/14/2026 | 30 yo M | Commercial

CC: keloids on chest, itchy
Exam: 3 firm shiny keloids on the central chest.
A/P: Keloids x3, chest - ILK today.
Procedure: intralesional injection. Consent obtained. Triamcinolone acetonide (Kenalog) 40 mg/mL, 0.5 mL total
(20 mg) injected into the 3 keloids with a 30 g needle. Tolerated well.
""", removable=(fact("dose injected", " 0.5 mL total\n(20 mg)", "dose_mg"),))

example(22, """
DOS 7/15/2026   27 yo M   Commercial

CC: painful lumps in both armpits x4 days
Exam: R axilla 2 cm fluctuant tender erythematous nodule; L axilla 1.5 cm fluctuant nodule.
A/P: Abscess, R axilla and L axilla -> I&D x2.
Procedure: Verbal consent. 1% lidocaine with epi. Each abscess incised with #11 blade, purulent material expressed,
cavity irrigated with saline. No packing. Culture sent. Doxycycline 100 mg BID x10 d.
""")

example(23, """
DOS: 2026-07-16    35F    Commercial

CC: ingrown toenails R foot
Exam: R great toe lateral nail fold erythema, granulation tissue; R 2nd toe medial nail fold ingrown.
A/P: Ingrown nails R great toe and R 2nd toe.
Procedure: digital block with 1% lidocaine plain. Consent obtained. Partial nail avulsion of the R great toe
(lateral border), then partial nail avulsion of the R 2nd toe (medial border). No matrixectomy. Bacitracin and
dressing.
""")

example(24, """
DOS: 07/20/2026 | 70 y/o M | Medicare
PHOTODYNAMIC THERAPY

Dx: Actinic keratoses of face, 12 lesions (forehead x6, L cheek x3, R cheek x3).
Consent: risks, benefits, alternatives discussed; written consent obtained.
Procedure: Face cleansed with acetone. Physician applied 1 full 2 g tube of aminolevulinic acid 10% gel (Ameluz),
200 billing units J7345, to the treatment area. Incubation 1 h. Red light (BF-RhodoLED) illumination by the
physician, 10 min. Tolerated with moderate stinging. Strict photoprotection x48 h reviewed.
""", must_not_code=("17000", "17003", "96574"))

example(25, """
DOS 07/21/2026    44 yo F    Commercial
Excimer laser - plaque psoriasis

Treatment area: bilat elbows and bilat knees, total treated area 180 sq cm.
Dose: 400 mJ/cm2 (increased 10% from last session). No blistering from prior tx.
Dx: psoriasis vulgaris.
""", removable=(fact("treated area", ", total treated area 180 sq cm", "area_cm2"),))

example(26, """
DOS: 07/22/2026    77 yo M    Medicare

Procedure: Excision of biopsy-proven BCC, L cheek, with advancement flap repair
Risks, benefits and alternatives discussed, written consent obtained. Time-out performed. 1% lidocaine with epi.
Lesion 1.0 cm, excised with 0.4 cm margins. The defect was repaired with an advancement flap; primary + secondary
defect 8.5 sq cm. 5-0 Monocryl deep, 6-0 Prolene.
Path: basal cell carcinoma, margins clear.
""", must_not_code=("11643", "13132"),
    removable=(fact("flap area", "; primary + secondary\ndefect 8.5 sq cm", "defect_area_cm2"),))

example(27, """
DOS 07/23/2026   60 yo M   Commercial
Est pt - scheduled biopsy only

Exam: R forearm: new 0.7 cm skin neoplasm of uncertain nature, pink, slightly scaly.
A/P: Neoplasm of uncertain behavior of skin, R forearm. Punch biopsy today.
Procedure: risks, benefits and alternatives discussed, written consent obtained. 1% lido with epi. 4 mm punch,
closed with 4-0 nylon x2. Specimen sent; path pending.
""", must_not_code=("C44.621", "D48.5"))

example(28, """
DOS: 08/25/2026 - 52 yo M - Commercial

HPI: Epidermoid cyst of the lower back, recurrently inflamed, red and tender three times this year.
Exam: lower back midline: 2.6 cm cyst with punctum.
Procedure: excision. Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido with
epi. Elliptical excision around the 2.6 cm cyst with a 0.2 cm margin. Simple closure, 6.0 cm.
Path: epidermoid cyst.
""")

example(29, """
DOS: 08/26/2026     39F     Commercial     Established patient

CC: eczema flare; mole on R arm
HPI: Atopic dermatitis flaring in both antecubital fossae for 3 weeks, triamcinolone no longer helping, sleep
disturbed. Also a changing mole on R forearm.
Exam: bilat antecubital fossae: lichenified eczematous plaques with excoriations. R forearm: irregular 1.0 cm
pigmented macule, asymmetric.
A/P:
1. Atopic dermatitis, flare - switch to tacrolimus 0.1% BID, dupilumab discussed, handout given. (99214)
2. Atypical pigmented lesion R forearm, suspicious - excision today.
Procedure: Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido with epi.
1.0 cm lesion excised with 0.2 cm margins; simple closure, 3.0 cm. Specimen to path - pending.
""", must_not_code=("11402", "11602", "11102"))

example(30, """
DOS 08/27/2026 | 74 yo M | Medicare

Procedures: excision of two biopsy-proven skin cancers.

A) Upper back, BCC: excised with 0.4 cm margins, simple closure 3.5 cm.
B) R forearm, SCC in situ: lesion 1.0 cm, excised with 0.2 cm margins; simple closure 3.0 cm.

Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lidocaine with epi.

Path: A) basal cell carcinoma, margins clear. B) squamous cell carcinoma in situ, margins clear.
""", must_not_code=("11601", "11603", "11604"))

# ---------------------------------------------------------------------------------------------------------------
# Our own notes, coded by hand.

NUB = "neoplasm_unspecified_behavior"
EST = "established"

own("own-01", """
DOS: 03/09/2026   68 yo F   Medicare   Est pt, bx visit

CC: 3 spots for biopsy
HPI: Pt noted 3 changing lesions. FHx: mother with melanoma (dx age 60). No personal hx skin ca.
Exam:
- L posterior upper arm: 0.6 cm pink pearly papule
- R lower leg (anterior shin): 0.5 cm irregular brown macule
- mid back: 0.9 cm scaly pink papule

A&P:
Neoplasm of uncertain behavior x3 - r/o BCC (L arm), r/o melanoma (R shin), r/o SCC (back). Bx all three.

Procedure: Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lidocaine with epi.
#1 L upper arm: 4 mm punch biopsy, 1 simple suture 4-0 nylon.
#2 R shin: 4 mm punch bx, 1 simple suture.
#3 mid back: shave biopsy, AlCl.
All specimens to dermpath. Path pending. Will call with results.
""", enc("2026-03-09", "medicare", 68, "F", [
    lesion("A", "upper_arm", NUB, [{"type": "biopsy", "technique": "punch"}], laterality="left", pathology="pending",
           diameter_cm=0.6),
    lesion("B", "lower_leg", NUB, [{"type": "biopsy", "technique": "punch"}], laterality="right",
           pathology="pending", diameter_cm=0.5),
    lesion("C", "back_upper", NUB, [{"type": "biopsy", "technique": "tangential"}], pathology="pending",
           diameter_cm=0.9)]),
    [line("11104"), line("11105"), line("11103")], ["D49.2"],
    must_not_code=("11106", "C43.71", "C44.612", "C44.529", "Z80.8"),
    removable=(fact("technique of biopsy #1", "4 mm punch biopsy, 1 simple suture 4-0 nylon", "technique"),))

own("own-02", """
DOS 2026-03-10 | 45 yo M | Commercial (Aetna)

Biopsies x3 today.
A) R lateral thigh: 3 cm indurated hypopigmented plaque, r/o morphea vs LS&A. Incisional (wedge) biopsy into
   subcutaneous fat, layered closure not required; closed with 4-0 nylon.
B) L upper arm: 0.5 cm firm papule - 3 mm punch biopsy.
C) mid upper back: 0.7 cm waxy papule - shave biopsy.
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido with epi.

Path (3/14): A) morphea (localized scleroderma). B) dermatofibroma. C) seborrheic keratosis, irritated type not
seen.
""", enc("2026-03-10", "commercial", 45, "M", [
    lesion("A", "thigh", "L98.9", [{"type": "biopsy", "technique": "incisional"}], laterality="right",
           pathology="L94.0", diameter_cm=3.0),
    lesion("B", "upper_arm", NUB, [{"type": "biopsy", "technique": "punch"}], laterality="left",
           pathology="dermatofibroma", diameter_cm=0.5),
    lesion("C", "back_upper", NUB, [{"type": "biopsy", "technique": "tangential"}], pathology="seborrheic_keratosis",
           diameter_cm=0.7)]),
    [line("11106"), line("11105"), line("11103")], ["L94.0", "D23.62", "L82.1"],
    must_not_code=("11104", "11102", "12031"))

own("own-03", """
DOS: 03/16/2026    52 yo F    Commercial

CC: irritated spots on scalp and nose
HPI: Scalp lesion catches on her comb and gets irritated. Mole on L nasal ala bleeds when she washes her face.
Exam: vertex scalp 0.4 cm irritated stuck-on papule. L nasal ala 1.2 cm soft dome-shaped papule with crust.
Back: multiple waxy SKs, none inflamed - examined, benign, reassured; no treatment. Pt declined removal of the
back SKs.
A&P:
1. Irritated SK, scalp -> shave removal.
2. Bleeding nevus, L nasal ala -> shave removal.
3. SKs of back, asymptomatic - observation.
Procedure: risks, benefits and alternatives discussed, written consent obtained. 1% lidocaine with epi. Both
lesions removed by tangential shave flush with surrounding skin; hemostasis with AlCl. Specimens sent.
Path: 1) seborrheic keratosis. 2) intradermal nevus.
""", enc("2026-03-16", "commercial", 52, "F", [
    lesion("A", "scalp", "seborrheic_keratosis", [{"type": "shave_removal"}], pathology="seborrheic_keratosis",
           diameter_cm=0.4, symptoms=["irritated"]),
    lesion("B", "nose", "melanocytic_nevus", [{"type": "shave_removal"}], pathology="melanocytic_nevus",
           diameter_cm=1.2, symptoms=["bleeding"])]),
    [line("11305"), line("11312")], ["L82.0", "D22.39"],
    must_not_code=("17110", "11300", "11102"),
    removable=(fact("size of the nasal lesion", " 1.2 cm", "diameter_cm"),))

own("own-04", """
DOS 03/17/2026   74M   Medicare

HPI: Large mole on upper back, rubs on chair back, bled twice. PMHx: BCC L nose s/p Mohs L nose 2021.
Exam: upper back, R paraspinal: 2.3 cm pedunculated soft brown papule with hemorrhagic crust.
L shoulder: 0.5 cm regular brown macule - pt declined biopsy; will photograph and monitor.
A/P: Irritated, bleeding nevus of upper back: shave removal today.
Procedure: Consent: risks, benefits and alternatives discussed, written consent obtained. 1% lido w/ epi.
Shave removal with DermaBlade; electrocautery for hemostasis. Specimen sent.
Path: benign compound nevus.
""", enc("2026-03-17", "medicare", 74, "M", [
    lesion("A", "back_upper", "melanocytic_nevus", [{"type": "shave_removal"}], pathology="melanocytic_nevus",
           diameter_cm=2.3, symptoms=["irritated", "bleeding"])]),
    [line("11303")], ["D22.5"],
    must_not_code=("11102", "17311", "11310", "D22.62"))

own("own-05", """
DOS: 03/23/2026 | 81 yo M | Medicare

Procedure: excision of biopsy-proven invasive SCC, R parietal scalp
Pre-op: risks, benefits and alternatives discussed, written consent obtained. Time-out performed. 1% lidocaine with
epi 6 cc.
Lesion 1.4 cm hyperkeratotic nodule. Excised with 4 mm margins to the galea.
Repair: layered closure with 3-0 Vicryl deep and 4-0 nylon; final length 5.5 cm (intermediate repair).
Estimated blood loss minimal. Specimen sent for margins.
Path: invasive SCC, moderately differentiated; margins clear.
""", enc("2026-03-23", "medicare", 81, "M", [
    lesion("A", "scalp", "scc", [{"type": "excision", "margin_cm": 0.4},
                                 {"type": "repair", "complexity": "intermediate", "length_cm": 5.5}],
           pathology="scc", diameter_cm=1.4)]),
    [line("11623"), line("12032")], ["C44.42"],
    removable=(fact("margins", " with 4 mm margins", "margin_cm"),
               fact("repair length", "; final length 5.5 cm (intermediate repair)", "length_cm")))

own("own-06", """
DOS 03/24/2026   48 y/o F   Commercial

CC: tender bump on scalp, keeps getting inflamed
Exam: occipital scalp 2.0 cm firm mobile cyst, tender, mildly erythematous.
A/P: Inflamed pilar cyst - excision.
Procedure: Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lidocaine with epi.
2.0 cm cyst excised with 1 mm margin, sac removed intact. Intermediate (layered) repair, 3.5 cm: 4-0 Vicryl deep,
staples to skin.
Path: pilar (trichilemmal) cyst.
""", enc("2026-03-24", "commercial", 48, "F", [
    lesion("A", "scalp", "pilar_cyst", [{"type": "excision", "margin_cm": 0.1},
                                        {"type": "repair", "complexity": "intermediate", "length_cm": 3.5}],
           pathology="pilar_cyst", diameter_cm=2.0, symptoms=["inflamed", "pain"])]),
    [line("11423"), line("12032")], ["L72.11"])

own("own-07", """
DOS: 03/30/2026    70F    Medicare
Wide local excision - melanoma in situ, upper back (bx 3/2/26: MIS, lentigo maligna type)
HPI: PMHx significant for BCC s/p Mohs L nasal ala 2021, no recurrence.
Consent: Risks, benefits and alternatives discussed, written consent obtained. Time-out performed.
Anesthesia: 1% lidocaine with epinephrine 10 mL.
Biopsy scar 0.8 cm; excised with 5 mm margins. Intermediate closure, 2-0 Vicryl deep, 4-0 nylon running; 6.0 cm.
Path: residual melanoma in situ, margins clear (closest 4 mm).
""", enc("2026-03-30", "medicare", 70, "F", [
    lesion("A", "back_upper", "melanoma_in_situ", [{"type": "excision", "margin_cm": 0.5},
                                                   {"type": "repair", "complexity": "intermediate", "length_cm": 6.0}],
           pathology="melanoma_in_situ", diameter_cm=0.8)]),
    [line("11602"), line("12032")], ["D03.59"],
    must_not_code=("17311", "17312", "11402", "C44.311"))

own("own-08", """
DOS 04/06/2026   77 yo M   Medicare

Excisions x2 (both bx-proven)
1. BCC L forearm: lesion 1.0 cm, 3 mm margins, intermediate layered repair 4.0 cm.
2. SCC R shin: lesion 1.5 cm, 4 mm margins, intermediate layered repair 5.0 cm.
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out x2. 1% lido with epi.
Specimens to pathology.
Also noted: several AKs on the dorsal hands - will treat with LN2 at next visit.
Path: 1. BCC, nodular, clear. 2. SCC, well differentiated, clear.
""", enc("2026-04-06", "medicare", 77, "M", [
    lesion("A", "forearm", "bcc", [{"type": "excision", "margin_cm": 0.3},
                                   {"type": "repair", "complexity": "intermediate", "length_cm": 4.0}],
           laterality="left", pathology="bcc", diameter_cm=1.0),
    lesion("B", "lower_leg", "scc", [{"type": "excision", "margin_cm": 0.4},
                                     {"type": "repair", "complexity": "intermediate", "length_cm": 5.0}],
           laterality="right", pathology="scc", diameter_cm=1.5)]),
    [line("11603"), line("11602"), line("12034")], ["C44.619", "C44.722"],
    must_not_code=("17000", "17003", "12032"),
    removable=(fact("length of repair 2", " 5.0 cm", "length_cm"),))

own("own-09", """
DOS: 04/07/2026    73 yo F    Medicare
Procedure: excision BCC R cheek (bx-proven) with complex repair

Risks, benefits and alternatives discussed, written consent obtained. Time-out performed. 1% lido with epi.
Lesion 0.9 cm. Excised with 0.4 cm margins. Due to tension, extensive undermining was performed; layered closure
with 5-0 Monocryl and 6-0 Prolene. Complex repair, 3.2 cm.
Path: BCC, micronodular, margins clear.
""", enc("2026-04-07", "medicare", 73, "F", [
    lesion("A", "cheek", "bcc", [{"type": "excision", "margin_cm": 0.4},
                                 {"type": "repair", "complexity": "complex", "length_cm": 3.2}],
           laterality="right", pathology="bcc", diameter_cm=0.9)]),
    [line("11642"), line("13132")], ["C44.319"],
    removable=(fact("side of the cheek", "R ", "laterality"),))

own("own-10", """
DOS 04/13/2026 | 79 yo M | Medicare
Excision, invasive SCC, mid back (bx-proven)
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lidocaine with epi.
Lesion measures 2.5 x 2.2 cm. Excised with 5 mm margins. Wound edges debrided, wide undermining, layered closure.
Complex repair, total length 9.0 cm.
Path: SCC, margins negative.
""", enc("2026-04-13", "medicare", 79, "M", [
    lesion("A", "back_upper", "scc", [{"type": "excision", "margin_cm": 0.5},
                                      {"type": "repair", "complexity": "complex", "length_cm": 9.0}],
           pathology="scc", diameter_cm=2.5)]),
    [line("11604"), line("13101"), line("13102")], ["C44.529"],
    removable=(fact("margins", " with 5 mm margins", "margin_cm"),))

own("own-11", """
DOS: 04/14/2026    66 yo M    Medicare
Procedure: excision of BCC, L nasal ala, bilobed flap repair
Risks, benefits and alternatives discussed, written consent obtained. Time-out performed. 1% lido with epi.
0.8 cm lesion excised with 3 mm margins. Bilobed transposition flap designed and elevated; primary defect
1.4 sq cm, secondary defect 2.2 sq cm, total 3.6 sq cm. 5-0 Monocryl and 6-0 Prolene.
Path: BCC, margins clear.
""", enc("2026-04-14", "medicare", 66, "M", [
    lesion("A", "nose", "bcc", [{"type": "excision", "margin_cm": 0.3},
                                {"type": "adjacent_tissue_transfer", "defect_area_cm2": 3.6}],
           pathology="bcc", diameter_cm=0.8)]),
    [line("14060")], ["C44.311"], must_not_code=("11642", "12051", "13151"))

own("own-12", """
DOS 04/15/2026   59M   Commercial
Excision of SCC, upper back, with rotation flap
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out done. 1% lido with epi.
Lesion 1.6 cm, excised with 5 mm margins. Rotation flap; primary + secondary defect = 12.5 sq cm.
Path: SCC, well differentiated, margins clear.
""", enc("2026-04-15", "commercial", 59, "M", [
    lesion("A", "back_upper", "scc", [{"type": "excision", "margin_cm": 0.5},
                                      {"type": "adjacent_tissue_transfer", "defect_area_cm2": 12.5}],
           pathology="scc", diameter_cm=1.6)]),
    [line("14001")], ["C44.529"], must_not_code=("11603", "13101"))

own("own-13", """
MOHS SURGERY NOTE
DOS: 04/20/2026    69 yo F    Medicare
Dx: BCC R nasal ala, nodular, bx 3/2026 (outside path reviewed). Surgeon acted as surgeon and pathologist.
Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lidocaine with epi.
Stage 1: 3 blocks - positive at 9 o'clock. Stage 2: 2 blocks - clear.
Final defect 1.0 x 0.8 cm. Repaired with layered closure (intermediate), 2.1 cm, 5-0 Monocryl / 6-0 Prolene.
""", enc("2026-04-20", "medicare", 69, "F", [
    lesion("A", "nose", "bcc", [{"type": "mohs", "stages": [{"blocks": 3}, {"blocks": 2}]},
                                {"type": "repair", "complexity": "intermediate", "length_cm": 2.1}])]),
    [line("17311"), line("17312"), line("12051")], ["C44.311"],
    must_not_code=("11102", "11642"),
    removable=(fact("repair length", ", 2.1 cm", "length_cm"),))

own("own-14", """
DOS 04/21/2026 | 84 yo M | Medicare
Mohs micrographic surgery: invasive SCC, vertex scalp (bx-proven)
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out.
Anesthesia: 1% lidocaine with epi, 20 mL.
Stage I: 6 blocks, residual SCC blocks 2 and 5.
Stage II: 6 blocks, clear.
Defect 3.2 x 2.9 cm to periosteum. Repair: rotation flap; primary + secondary defect 14.0 sq cm.
""", enc("2026-04-21", "medicare", 84, "M", [
    lesion("A", "scalp", "scc", [{"type": "mohs", "stages": [{"blocks": 6}, {"blocks": 6}]},
                                 {"type": "adjacent_tissue_transfer", "defect_area_cm2": 14.0}])]),
    [line("17311"), line("17312"), line("17315", 2), line("14021")], ["C44.42"],
    must_not_code=("11624", "13121"),
    removable=(fact("flap area", "; primary + secondary defect 14.0 sq cm", "defect_area_cm2"),))

own("own-15", """
DOS: 04/22/2026    75F    Medicare
Mohs: SCC L dorsal forearm, prior bx. Surgeon = pathologist.
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido w/ epi.
Stage 1: 3 blocks, clear.
Repair: complex layered closure with extensive undermining, 4.0 cm.
""", enc("2026-04-22", "medicare", 75, "F", [
    lesion("A", "forearm", "scc", [{"type": "mohs", "stages": [{"blocks": 3}]},
                                   {"type": "repair", "complexity": "complex", "length_cm": 4.0}],
           laterality="left")]),
    [line("17313"), line("13121")], ["C44.629"], must_not_code=("17311", "17314", "11602"))

own("own-16", """
DOS 04/27/2026   63 yo F   Medicare   Established

CC: rosacea f/u, rough spot on face
HPI: Papulopustular rosacea, worse with heat; metronidazole gel not enough.
Exam: central face erythema, papules and pustules on cheeks and nose. L temple 1 gritty scaly papule c/w AK.
A/P:
1. Rosacea - start ivermectin 1% cream daily, doxycycline 40 mg daily; trigger avoidance reviewed.
2. AK L temple x1 - LN2, verbal consent.
E/M separately identifiable: 99213-25.
""", enc("2026-04-27", "medicare", 63, "F", [
    lesion("A", "temple", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}],
           laterality="left")],
    visit={"category": EST, "level": 3, "separately_identifiable": True, "diagnoses": ["rosacea"]}),
    [line("99213", 1, "25"), line("17000")], ["L71.9", "L57.0"])

own("own-17", """
DOS: 04/28/2026 - 72 yo M - Medicare
AKs: L cheek x5, scalp x3. LN2 cryotherapy to all, 2 FTC. Verbal consent. Tolerated well.
Dx: actinic keratoses. RTC 6 months.
""", enc("2026-04-28", "medicare", 72, "M", [
    lesion("A", "cheek", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], laterality="left",
           count=5),
    lesion("B", "scalp", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], count=3)]),
    [line("17000"), line("17003", 7)], ["L57.0"],
    removable=(fact("number of facial AKs", " x5", "count"),))

own("own-18", """
DOS 05/04/2026   80 yo M   Medicare
HPI: Numerous rough spots on scalp, ears and hands.
Exam: twenty-two AKs: scalp 12, R ear 3, L ear 3, dorsal hands 4 (2 each). Also hypertrophic scaly papule on L shin,
not treated today - will bx at f/u if persists.
Procedure: LN2 cryotherapy to twenty-two AKs, verbal consent, 2 freeze-thaw cycles.
Dx: AK x22.
""", enc("2026-05-04", "medicare", 80, "M", [
    lesion("A", "scalp", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], count=12),
    lesion("B", "ear", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], laterality="right",
           count=3),
    lesion("C", "ear", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], laterality="left",
           count=3),
    lesion("D", "hand_dorsum", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}],
           laterality="right", count=2),
    lesion("E", "hand_dorsum", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}],
           laterality="left", count=2)]),
    [line("17004")], ["L57.0"], must_not_code=("17000", "17003", "11102"))

own("own-19", """
DOS: 05/05/2026   6 yo F   Commercial
CC: molluscum
Exam: 12 umbilicated pearly papules: abdomen 7, R thigh 5.
A/P: Molluscum contagiosum - curettage of 12 lesions after topical EMLA; parent consented.
""", enc("2026-05-05", "commercial", 6, "F", [
    lesion("A", "abdomen", "molluscum", [{"type": "destruction", "method": "curettage"}], count=7),
    lesion("B", "thigh", "molluscum", [{"type": "destruction", "method": "curettage"}], laterality="right",
           count=5)]),
    [line("17110")], ["B08.1"], must_not_code=("17111",))

own("own-20", """
DOS 05/06/2026   24M   Commercial
CC: painful warts on R foot
Exam: R plantar forefoot: 3 hyperkeratotic papules with thrombosed capillaries, painful with walking.
A/P: Plantar warts x3 R sole - pared with #15 blade, then LN2 x2 cycles. Verbal consent.
""", enc("2026-05-06", "commercial", 24, "M", [
    lesion("A", "sole", "plantar_wart", [{"type": "destruction", "method": "cryotherapy"}], laterality="right",
           count=3, symptoms=["pain"])]),
    [line("17110")], ["B07.0"], must_not_code=("11056", "11055"))

own("own-21", """
DOS: 05/11/2026    82 yo M    Medicare
ED&C of biopsy-proven superficial BCCs x2 (bx 4/20/2026)
1) mid upper back, 1.2 cm pink scaly plaque.
2) forehead, 0.8 cm.
Consent: risks, benefits and alternatives discussed, written consent obtained. 1% lido with epi. Each lesion
curetted and electrodesiccated x3 cycles. Left to heal by second intention.
""", enc("2026-05-11", "medicare", 82, "M", [
    lesion("A", "back_upper", "bcc", [{"type": "destruction", "method": "electrosurgery"}], diameter_cm=1.2),
    lesion("B", "forehead", "bcc", [{"type": "destruction", "method": "electrosurgery"}], diameter_cm=0.8)]),
    [line("17262"), line("17281")], ["C44.519", "C44.319"], must_not_code=("11102", "11602", "11641"),
    removable=(fact("size of the forehead lesion", ", 0.8 cm", "diameter_cm"),))

own("own-22", """
DOS 05/12/2026   77F   Medicare
Dx: SCC in situ (Bowen's), R dorsal hand - bx-proven 4/2026.
Procedure: ED&C. Risks, benefits and alternatives discussed, written consent obtained. 1% lido with epi.
Lesion 1.5 cm. Curettage and electrodesiccation x3.
""", enc("2026-05-12", "medicare", 77, "F", [
    lesion("A", "hand_dorsum", "scc_in_situ", [{"type": "destruction", "method": "electrosurgery"}],
           laterality="right", diameter_cm=1.5)]),
    [line("17272")], ["D04.61"],
    removable=(fact("lesion size", "Lesion 1.5 cm. ", "diameter_cm"),))

own("own-23", """
DOS: 05/13/2026 | 34 yo F | Commercial
CC: hair loss patches
Exam: scalp with 5 smooth round patches of nonscarring alopecia, exclamation point hairs.
A/P: Alopecia areata - ILK. Consent obtained. Triamcinolone acetonide 10 mg/mL, total 2.0 mL (20 mg), injected into
the 5 patches with a 30 g needle. RTC 6 weeks.
""", enc("2026-05-13", "commercial", 34, "F", [
    lesion("A", "scalp", "L63.9", [{"type": "intralesional_injection", "drug": "triamcinolone_acetonide",
                                    "dose_mg": 20}], count=5)]),
    [line("11900"), line("J3301", 2)], ["L63.9"],
    removable=(fact("dose", ", total 2.0 mL (20 mg)", "dose_mg"),))

own("own-24", """
DOS 05/18/2026   19M   Commercial
CC: painful cysts on face
Exam: 9 tender inflamed nodulocystic lesions: R cheek 5, L cheek 2, chin 2.
A/P: Nodulocystic acne vulgaris. Continue isotretinoin counseling (iPLEDGE). ILK to 9 cysts with Kenalog
2.5 mg/mL: R cheek 1.2 mL (3 mg), L cheek 0.3 mL (0.75 mg), chin 0.3 mL (0.75 mg); 1.8 mL total. Verbal consent.
""", enc("2026-05-18", "commercial", 19, "M", [
    lesion("A", "cheek", "acne", [{"type": "intralesional_injection", "drug": "triamcinolone_acetonide",
                                   "dose_mg": 3.0}], laterality="right", count=5),
    lesion("B", "cheek", "acne", [{"type": "intralesional_injection", "drug": "triamcinolone_acetonide",
                                   "dose_mg": 0.75}], laterality="left", count=2),
    lesion("C", "chin", "acne", [{"type": "intralesional_injection", "drug": "triamcinolone_acetonide",
                                  "dose_mg": 0.75}], count=2)]),
    [line("11901"), line("J3301")], ["L70.0"], must_not_code=("11900",))

own("own-25", """
DOS: 05/19/2026   38 yo M   Commercial
CC: painful swollen bump on upper back x5 days
Exam: upper back 3 cm fluctuant erythematous tender nodule, arising in a known cyst.
A/P: Abscess of back (ruptured inflamed cyst). I&D today; will schedule excision of the cyst once inflammation
resolves.
Procedure: verbal consent, 1% lido with epi, incised with #11 blade, purulent material and keratinous debris
expressed, irrigated, iodoform packing. Culture sent.
""", enc("2026-05-19", "commercial", 38, "M", [
    lesion("A", "back_upper", "abscess", [{"type": "incision_drainage", "complicated": False}])]),
    [line("10060")], ["L02.212"], must_not_code=("11401", "11402", "11403", "11404", "10061"))

own("own-26", """
DOS 05/20/2026   44F   Commercial
CC: large painful abscess R thigh
Exam: R medial thigh 5 cm fluctuant abscess with surrounding cellulitis.
Procedure: Complicated I&D. Consent obtained, 1% lidocaine with epi field block. Incision 2 cm, large amount of
purulence, multiple loculations broken up with hemostat, copious irrigation, packed with 1/4" iodoform gauze.
Dx: cutaneous abscess R thigh.
""", enc("2026-05-20", "commercial", 44, "F", [
    lesion("A", "thigh", "abscess", [{"type": "incision_drainage", "complicated": True}], laterality="right")]),
    [line("10061")], ["L02.415"])

own("own-27", """
DOS: 05/25/2026    61 yo F    Commercial
CC: irritated skin tags on neck
Exam: 12 pedunculated papules on the neck, several red and inflamed from necklace friction.
A/P: Irritated acrochordons x12, neck - snip excision with iris scissors, AlCl. Several more tags in the groin;
pt would like them removed at a later date.
""", enc("2026-05-25", "commercial", 61, "F", [
    lesion("A", "neck", "acrochordon", [{"type": "skin_tag_removal"}], count=12,
           symptoms=["irritated", "inflamed"])]),
    [line("11200")], ["L91.8"], must_not_code=("11201",))

own("own-28", """
DOS 05/26/2026   57M   Commercial
Exam: neck 14 skin tags, L axilla 8, R axilla 8; irritated by clothing, several bleeding.
Procedure: removal of 30 symptomatic skin tags with scissors and cautery. Verbal consent.
Dx: acrochordons, irritated.
""", enc("2026-05-26", "commercial", 57, "M", [
    lesion("A", "neck", "acrochordon", [{"type": "skin_tag_removal"}], count=14,
           symptoms=["irritated", "bleeding"]),
    lesion("B", "axilla", "acrochordon", [{"type": "skin_tag_removal"}], laterality="left", count=8,
           symptoms=["irritated", "bleeding"]),
    lesion("C", "axilla", "acrochordon", [{"type": "skin_tag_removal"}], laterality="right", count=8,
           symptoms=["irritated", "bleeding"])]),
    [line("11200"), line("11201", 2)], ["L91.8"])

own("own-29", """
DOS: 06/01/2026    50 yo F    Commercial
CC: painful corns
Exam: R plantar 1st MTP head callus, R plantar 5th MTP callus, L 5th toe lateral hard corn.
A/P: Corns/calluses x3, painful - paring with #15 blade of all 3 lesions. Offloading pads.
""", enc("2026-06-01", "commercial", 50, "F", [
    lesion("A", "sole", "corn_callus", [{"type": "paring"}], laterality="right", count=2, symptoms=["pain"]),
    lesion("B", "toe", "corn_callus", [{"type": "paring"}], laterality="left", symptoms=["pain"])]),
    [line("11056")], ["L84"], must_not_code=("11055", "11057", "17110"))

own("own-30", """
DOS 06/02/2026   66 yo M   Commercial
CC: thick painful toenails
Exam: dystrophic thickened yellow nails: bilateral great toenails, R 2nd, R 3rd, L 2nd, L 3rd, L 4th (7 nails).
KOH positive 3/2026.
A/P: Onychomycosis - mechanical debridement of 7 nails with nippers and burr.
""", enc("2026-06-02", "commercial", 66, "M", [],
    services=[{"type": "nail_debridement", "nails": 7, "diagnoses": ["onychomycosis"]}]),
    [line("11721")], ["B35.1"], must_not_code=("11720", "11730"))

own("own-31", """
DOS: 06/03/2026    29 yo M    Commercial
CC: ingrown toenails L foot
Exam: L great toe medial border ingrown with granulation; L 3rd toe lateral border ingrown.
Procedure: digital blocks with 2% lidocaine plain. Consent. Partial avulsion of the L great toenail (medial
border), then partial avulsion of the L 3rd toenail (lateral border). Dressing.
Dx: ingrown nails.
""", enc("2026-06-03", "commercial", 29, "M", [],
    services=[{"type": "nail_avulsion", "digits": ["left_great_toe", "left_toe_3"], "diagnoses": ["ingrown_nail"]}]),
    [line("11730", 1, "TA"), line("11732", 1, "T2")], ["L60.0"])

own("own-32", """
DOS 06/08/2026 | 74 yo M | Medicare
PDT with curettage
Dx: AKs of face and scalp, ~20 lesions (thick hypertrophic).
Consent: risks, benefits and alternatives discussed, written consent obtained.
Physician performed targeted curettage of hyperkeratotic AKs, then applied aminolevulinic acid 20% (Levulan
Kerastick), 1 stick. Incubation 1 h, then blue light (BLU-U) illumination by physician for 16 min 40 s.
""", enc("2026-06-08", "medicare", 74, "M", [
    lesion("A", "forehead", "actinic_keratosis", [], count=20)],
    services=[{"type": "photodynamic_therapy", "illumination": "by_physician", "debridement": True,
               "drug": "aminolevulinic_acid_20", "drug_units": 1}]),
    [line("96574"), line("J7308")], ["L57.0"], must_not_code=("17004", "17000", "96573"))

own("own-33", """
DOS: 06/09/2026   62 yo F   Commercial
PDT (blue light) - scalp AKs
Levulan Kerastick x1 applied to the scalp by MA; incubation 2 h; BLU-U illumination 16 min 40 s by nursing staff.
No physician debridement. Pt tolerated well. Photoprotection x48 h.
Dx: actinic keratoses, scalp.
""", enc("2026-06-09", "commercial", 62, "F", [
    lesion("A", "scalp", "actinic_keratosis", [])],
    services=[{"type": "photodynamic_therapy", "illumination": "by_staff", "debridement": False,
               "drug": "aminolevulinic_acid_20", "drug_units": 1}]),
    [line("96567"), line("J7308")], ["L57.0"], must_not_code=("96573", "96574"))

own("own-34", """
DOS 06/10/2026   36 yo M   Commercial
Phototherapy visit #14 - NB-UVB
Dx: plaque psoriasis, BSA 12%.
Whole-body narrowband UVB, 900 mJ/cm2. Mild erythema from last session resolved. Pt asks about PUVA; will consider
if no response after 30 sessions.
""", enc("2026-06-10", "commercial", 36, "M", [],
    services=[{"type": "phototherapy", "modality": "uvb", "diagnoses": ["psoriasis"]}]),
    [line("96900")], ["L40.0"], must_not_code=("96912",))

own("own-35", """
DOS: 06/15/2026    28 yo F    Commercial
Excimer laser (308 nm) - vitiligo
Areas: face, bilat hands, bilat elbows. Total treated area 300 sq cm. Session 6.
Dx: vitiligo.
""", enc("2026-06-15", "commercial", 28, "F", [],
    services=[{"type": "phototherapy", "modality": "laser_excimer", "area_cm2": 300, "diagnoses": ["L80"]}]),
    [line("96921")], ["L80"], removable=(fact("area", " Total treated area 300 sq cm.", "area_cm2"),))

own("own-36", """
DOS: 06/16/2026    33 yo F    Commercial    Established

CC: eczema flare, mole check
HPI: AD flaring on hands and flexures x1 month, using TAC 0.1% BID without improvement. Sleep disturbed by itch.
Family history: mother and maternal aunt with melanoma.
Exam: lichenified eczematous plaques antecubital and popliteal fossae, dorsal hands with fissures. Total body skin
exam: multiple regular nevi; one 6 mm nevus on the L upper back, symmetric, uniform brown - offered biopsy for
reassurance, pt declined biopsy. No lesions treated today.
A/P:
1. Atopic dermatitis, moderate-severe, uncontrolled - start dupilumab 600 mg load then 300 mg q2wk; injection
   teaching by RN; continue emollients. Prescription drug management.
2. Nevi - benign appearing. Consider biopsy of L upper back nevus if it changes. Photos taken.
E/M level: 99214.
""", enc("2026-06-16", "commercial", 33, "F", [],
    visit={"category": EST, "level": 4, "diagnoses": ["atopic_dermatitis"]}),
    [line("99214")], ["L20.9"], must_not_code=("11102", "11104", "11300", "C43.59", "D22.5"))

own("own-37", """
DOS 06/17/2026   67 yo M   Medicare   Est pt

CC: 6-month skin check
HPI: Hx melanoma R upper back, s/p WLE 2022 (pT1a), completed treatment, no adjuvant. No new or changing lesions.
Exam: TBSE - WLE scar R upper back well healed, no nodularity or pigment. No lymphadenopathy (cervical, axillary).
Scattered SKs and cherry angiomas. No suspicious lesions. No lesions treated today.
A/P: Personal history of melanoma, NED. Surveillance TBSE q6mo. Sun protection counseling. (99213)
""", enc("2026-06-17", "medicare", 67, "M", [],
    visit={"category": EST, "level": 3, "reason": "surveillance"},
    history=[{"diagnosis": "melanoma", "site": "back_upper", "treatment_completed": True}]),
    [line("99213")], ["Z08", "Z85.820"], must_not_code=("C43.59", "11602", "11603", "17110"))

own("own-38", """
DOS: 06/22/2026    41 yo F    Commercial    New patient

CC: changing mole L calf
HPI: New pt referred by PCP for a mole on the L calf that has darkened over 3 months. No other concerns today.
Exam (focused): L posterior calf 0.6 cm asymmetric dark brown macule with irregular border.
A/P: Atypical pigmented lesion L calf, neoplasm of uncertain behavior - shave (saucerization) biopsy today.
Procedure: risks, benefits and alternatives discussed, written consent obtained. 1% lido with epi. Deep shave
(saucerization) biopsy, AlCl. Specimen to dermpath, pending.
""", enc("2026-06-22", "commercial", 41, "F", [
    lesion("A", "lower_leg", NUB, [{"type": "biopsy", "technique": "tangential"}], laterality="left",
           pathology="pending", diameter_cm=0.6)]),
    [line("11102")], ["D49.2"], must_not_code=("99202", "99203", "99204", "11300", "11106"))

own("own-39", """
DOS 06/23/2026 | 71 yo M | Medicare | Established

CC: psoriasis follow-up; new spot R arm; rough spots scalp
HPI: Psoriasis on methotrexate 15 mg weekly, some new plaques on trunk; reviewed LFTs. New pink bump R upper arm x2 mo.
Exam: psoriatic plaques trunk and extremities, BSA 6%. R lateral upper arm 0.5 cm pink papule. Scalp: 3 AKs.
A/P:
1. Psoriasis vulgaris - increase MTX to 20 mg weekly, folic acid, repeat CBC/CMP in 4 wk. Drug monitoring reviewed.
2. Neoplasm of uncertain behavior, R upper arm - 4 mm punch biopsy (consent, 1% lido with epi, 4-0 nylon x1).
3. AK x3 scalp - LN2.
Separately identifiable E/M, moderate MDM (99214-25).
""", enc("2026-06-23", "medicare", 71, "M", [
    lesion("A", "upper_arm", NUB, [{"type": "biopsy", "technique": "punch"}], laterality="right",
           pathology="pending", diameter_cm=0.5),
    lesion("B", "scalp", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], count=3)],
    visit={"category": EST, "level": 4, "separately_identifiable": True, "diagnoses": ["psoriasis"]}),
    [line("99214", 1, "25"), line("11104"), line("17000", 1, "XS"), line("17003", 2)], ["L40.0", "D49.2", "L57.0"])

own("own-40", """
DOS: 06/24/2026    75 yo M    Medicare
1) Excision of bx-proven BCC, upper back: 1.0 cm lesion, 4 mm margins, simple closure 3.0 cm.
2) New 0.5 cm pearly papule R cheek, not previously biopsied: tangential biopsy.
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido with epi.
Path: 1) BCC, margins clear. 2) pending.
""", enc("2026-06-24", "medicare", 75, "M", [
    lesion("A", "back_upper", "bcc", [{"type": "excision", "margin_cm": 0.4},
                                      {"type": "repair", "complexity": "simple", "length_cm": 3.0}],
           pathology="bcc", diameter_cm=1.0),
    lesion("B", "cheek", NUB, [{"type": "biopsy", "technique": "tangential"}], laterality="right",
           pathology="pending", diameter_cm=0.5)]),
    [line("11602"), line("11102", 1, "XS")], ["C44.519", "D49.2"], must_not_code=("12002", "12001"))

own("own-41", """
DOS 06/29/2026   58 yo M   Commercial
L cheek 0.9 cm pearly papule, clinically BCC. Shave biopsy taken and sent, then ED&C of the same lesion, 3 cycles.
Consent: risks, benefits and alternatives discussed, written consent obtained. 1% lido with epi.
Path addendum: BCC, nodular.
""", enc("2026-06-29", "commercial", 58, "M", [
    lesion("A", "cheek", NUB, [{"type": "biopsy", "technique": "tangential"},
                               {"type": "destruction", "method": "electrosurgery"}],
           laterality="left", pathology="bcc", diameter_cm=0.9)]),
    [line("17281")], ["C44.319"], must_not_code=("11102",))

own("own-42", """
DOS: 06/30/2026    78 yo M    Medicare
Re-excision, SCC L forearm - positive margin on excision of 06/22/2026 (11602). Planned/staged.
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido with epi.
Scar 1.5 cm; re-excised with 3 mm margins. Simple closure.
Path: residual SCC, margins now clear.
""", enc("2026-06-30", "medicare", 78, "M", [
    lesion("A", "forearm", "scc", [{"type": "excision", "margin_cm": 0.3}], laterality="left", pathology="scc",
           diameter_cm=1.5)],
    prior_procedures=[{"date_of_service": "2026-06-22", "code": "11602", "related": True, "site": "forearm",
                       "laterality": "left"}]),
    [line("11603", 1, "58")], ["C44.629"])

own("own-43", """
DOS 07/06/2026   47 yo F   Commercial
Shave removals x2 (both irritated, catching on clothing/jewelry):
- R cheek, 0.5 cm nevus.
- R lateral neck, 1.1 cm irritated SK.
Consent: risks, benefits and alternatives discussed, written consent obtained. 1% lidocaine with epi. Shaved
flush, AlCl. Specimens sent.
Path: intradermal nevus; seborrheic keratosis.
""", enc("2026-07-06", "commercial", 47, "F", [
    lesion("A", "cheek", "melanocytic_nevus", [{"type": "shave_removal"}], laterality="right",
           pathology="melanocytic_nevus", diameter_cm=0.5, symptoms=["irritated"]),
    lesion("B", "neck", "seborrheic_keratosis", [{"type": "shave_removal"}], pathology="seborrheic_keratosis",
           diameter_cm=1.1, symptoms=["irritated"])]),
    [line("11310"), line("11307")], ["D22.39", "L82.0"], must_not_code=("11311", "11306"))

own("own-44", """
DOS: 07/07/2026    36 yo M    Commercial
Excision inflamed epidermoid cyst, L cheek
HPI: Recurrently inflamed, drained twice.
Procedure: Risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido with epi.
0.8 cm cyst excised with a 1 mm margin. Layered closure (intermediate), 2.0 cm.
Path: epidermoid cyst, ruptured.
""", enc("2026-07-07", "commercial", 36, "M", [
    lesion("A", "cheek", "epidermoid_cyst", [{"type": "excision", "margin_cm": 0.1},
                                            {"type": "repair", "complexity": "intermediate", "length_cm": 2.0}],
           laterality="left", pathology="epidermoid_cyst", diameter_cm=0.8, symptoms=["inflamed"])]),
    [line("11441"), line("12051")], ["L72.0"],
    removable=(fact("margin", " with a 1 mm margin", "margin_cm"),))

own("own-45", """
DOS 07/08/2026   55F   Commercial
CC: warts on hand, itchy irritated spots on back
Exam: L dorsal hand 3 verrucous papules. Upper back 2 inflamed, itchy, crusted SKs.
A/P: Verruca vulgaris x3 L hand - LN2. Irritated SK x2 upper back - LN2. Verbal consent.
""", enc("2026-07-08", "commercial", 55, "F", [
    lesion("A", "hand_dorsum", "wart", [{"type": "destruction", "method": "cryotherapy"}], laterality="left",
           count=3),
    lesion("B", "back_upper", "seborrheic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], count=2,
           symptoms=["inflamed", "itching", "irritated"])]),
    [line("17110")], ["B07.8", "L82.0"], must_not_code=("17000", "17111"))

own("own-46", """
DOS: 07/13/2026    25 yo F    Commercial
Pulsed dye laser - port-wine stain L cheek, session 4.
Treated area 12 sq cm. 595 nm, 7 mm spot, 9 J/cm2. Purpura expected. Ice, sun protection.
Dx: port-wine stain (capillary malformation).
""", enc("2026-07-13", "commercial", 25, "F", [
    lesion("A", "cheek", "Q82.5", [{"type": "destruction", "method": "laser", "area_cm2": 12}], laterality="left")]),
    [line("17107")], ["Q82.5"], removable=(fact("treated area", "Treated area 12 sq cm. ", "area_cm2"),))

own("own-47", """
DOS 07/14/2026   78 yo F   Medicare
CC: "rough spots" on forehead and a brown spot on back she doesn't like.
Exam: forehead 2 AKs. Upper back 0.8 cm waxy stuck-on SK, asymptomatic (no itching, bleeding, inflammation).
A/P: AK x2 forehead - LN2. SK upper back - pt requests removal for cosmetic reasons; shave removal performed,
pt informed not covered by Medicare, self-pay.
""", enc("2026-07-14", "medicare", 78, "F", [
    lesion("A", "forehead", "actinic_keratosis", [{"type": "destruction", "method": "cryotherapy"}], count=2),
    lesion("B", "back_upper", "seborrheic_keratosis", [{"type": "shave_removal"}], diameter_cm=0.8)]),
    [line("17000"), line("17003")], ["L57.0", "L82.1"], warnings=("not_covered",), must_not_code=("11301",))

own("own-48", """
DOS: 07/15/2026    70 yo M    Medicare
Excision of biopsy-proven BCC, R upper arm. Risks, benefits and alternatives discussed, written consent obtained.
Time-out. 1% lido with epi. Excised with 4 mm margins; simple closure 3.0 cm.
Path: BCC, margins clear.
""", enc("2026-07-15", "medicare", 70, "M", [
    lesion("A", "upper_arm", "bcc", [{"type": "excision", "margin_cm": 0.4},
                                     {"type": "repair", "complexity": "simple", "length_cm": 3.0}],
           laterality="right", pathology="bcc")]),
    [], ["C44.612"], warnings=("missing_documentation",), must_not_code=("11601", "11602", "11603"))

own("own-49", """
DOS 07/20/2026   17 yo M   Commercial   NEW PATIENT

CC: acne, warts on hand
HPI: Acne x2 yrs on face and back, OTC BPO failed. 2 warts on L hand fingers x6 mo.
Exam: comedones, inflammatory papules and pustules on face and upper back; no cysts. L index and L middle finger
with 2 verrucous papules.
A/P:
1. Acne vulgaris, moderate - start adapalene 0.1%/BPO 2.5% gel qhs and doxycycline 100 mg daily; counseled.
2. Verruca vulgaris x2 L fingers - LN2 today, verbal consent from mother.
New patient E/M, low MDM, separately identifiable: 99203-25.
""", enc("2026-07-20", "commercial", 17, "M", [
    lesion("A", "finger", "wart", [{"type": "destruction", "method": "cryotherapy"}], laterality="left", count=2)],
    visit={"category": "new", "level": 3, "separately_identifiable": True, "diagnoses": ["acne"]}),
    [line("99203", 1, "25"), line("17110")], ["L70.0", "B07.8"])

own("own-50", """
DOS: 07/21/2026    68 yo F    Medicare
Wide local excision, invasive melanoma L thigh (Breslow 0.6 mm, bx 6/30/2026)
Consent: risks, benefits and alternatives discussed, written consent obtained. Time-out. 1% lido with epi 20 mL.
Biopsy scar 1.2 cm; excised with 1.0 cm margins down to fascia. Extensive undermining, layered complex closure,
9.5 cm.
Path: no residual melanoma, margins clear.
""", enc("2026-07-21", "medicare", 68, "F", [
    lesion("A", "thigh", "melanoma", [{"type": "excision", "margin_cm": 1.0},
                                      {"type": "repair", "complexity": "complex", "length_cm": 9.5}],
           laterality="left", pathology="melanoma", diameter_cm=1.2)]),
    [line("11604"), line("13121"), line("13122")], ["C43.72"])

own("own-51", """
DOS 07/22/2026   83 yo M   Medicare
Excision: SCC L helix (bx-proven). Risks, benefits and alternatives discussed, written consent obtained. Time-out.
1% lido with epi. 0.6 cm lesion excised with 2 mm margins. Layered intermediate closure 1.8 cm.
Path: SCC, margins clear.
""", enc("2026-07-22", "medicare", 83, "M", [
    lesion("A", "ear", "scc", [{"type": "excision", "margin_cm": 0.2},
                               {"type": "repair", "complexity": "intermediate", "length_cm": 1.8}],
           laterality="left", pathology="scc", diameter_cm=0.6)]),
    [line("11641"), line("12051")], ["C44.229"])

own("own-52", """
DOS: 07/27/2026    52 yo F    Commercial    Established
CC: rosacea follow-up
HPI: Improved on ivermectin; still flushing. Asks about "brown spots" on her back.
Exam: mild centrofacial erythema, rare papules. Back: several SKs, asymptomatic. No lesions treated today; pt
declined LN2 of the SKs.
A/P: Rosacea, improving - continue ivermectin, add brimonidine gel prn. SKs - benign, reassurance.
RTC 3 months. 99213.
""", enc("2026-07-27", "commercial", 52, "F", [],
    visit={"category": EST, "level": 3, "diagnoses": ["rosacea"]}),
    [line("99213")], ["L71.9"], must_not_code=("17110", "17000", "L82.1"))

own("own-53", """
DOS 07/28/2026   60 yo F   Medicare
CC: rash with purpura on legs and arms, r/o vasculitis
Procedure: three 4 mm punch biopsies of separate lesions: R upper arm, L upper arm, chest (one for DIF).
Consent: risks, benefits and alternatives discussed, written consent obtained. 1% lido with epi. Closed with 4-0
nylon. Path pending.
Dx: rash, unspecified.
""", enc("2026-07-28", "medicare", 60, "F", [
    lesion("A", "upper_arm", "R21", [{"type": "biopsy", "technique": "punch"}], laterality="right",
           pathology="pending"),
    lesion("B", "upper_arm", "R21", [{"type": "biopsy", "technique": "punch"}], laterality="left",
           pathology="pending"),
    lesion("C", "chest", "R21", [{"type": "biopsy", "technique": "punch"}], pathology="pending")]),
    [line("11104"), line("11105", 2)], ["R21"], must_not_code=("11102", "11103"))


# ---------------------------------------------------------------------------------------------------------------

def _normalised_lines(lines: list[dict[str, Any]]) -> list[tuple[str, int, tuple[str, ...]]]:
    return sorted((item["code"], item["units"], tuple(sorted("XS" if m == "59" else m for m in item["modifiers"])))
                  for item in lines)


def rows() -> list[dict[str, Any]]:
    examples = {case["id"]: case for case in map(json.loads, EXAMPLES.read_text().splitlines())}
    out = []
    for case in CASES:
        if "example" in case:
            worked = examples[case["example"]]
            encounter = worked["encounter"]
            expected = {key: worked["expected"][key] for key in ("lines", "icd10", "holds", "warnings")}
            case_id, source = f"{case['example']}-note", f"{case['example']} (rewritten)"
        else:
            encounter, expected, case_id, source = case["encounter"], case["expected"], case["id"], case["source"]
        for removable in case["removable_facts"]:
            count = case["note"].count(removable["remove"])
            if count != 1:
                raise SystemExit(f"{case_id}: {removable['remove']!r} occurs {count} times in the note")
        out.append({"id": case_id, "note": case["note"], "dos": encounter["date_of_service"],
                    "payer": encounter["payer"], "age": encounter["patient"]["age"],
                    "sex": encounter["patient"]["sex"], "expected": expected,
                    "must_not_code": case["must_not_code"], "removable_facts": case["removable_facts"],
                    "source": source, "encounter": encounter})
    return out


def disagreements(data: list[dict[str, Any]]) -> list[str]:
    """Where the engine, on the hand-built encounter, does not give the hand-coded answer."""
    from dermbill.services.coding import code_document

    found = []
    for row in data:
        result = code_document(row["encounter"]).to_json()
        got = {"lines": _normalised_lines(result["lines"]), "icd10": sorted(result["diagnoses"]),
               "holds": sorted(h["code"] for h in result["holds"]),
               "warnings": sorted(w["code"] for w in result["warnings"])}
        want = {"lines": _normalised_lines(row["expected"]["lines"]), "icd10": sorted(row["expected"]["icd10"]),
                "holds": sorted(row["expected"]["holds"]), "warnings": sorted(row["expected"]["warnings"])}
        for key in want:
            if got[key] != want[key]:
                found.append(f"{row['id']}: {key}: hand {want[key]} engine {got[key]}")
    return found


def main() -> None:
    data = rows()
    ids = [row["id"] for row in data]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate ids")
    # Notes of the file that are not built here (the second part, scripts/dev_notes_b/build.py) are kept after ours.
    others = []
    if OUT.exists():
        others = [text for text in OUT.read_text(encoding="utf-8").splitlines()
                  if text.strip() and json.loads(text)["id"] not in set(ids)
                  and not json.loads(text)["id"].startswith(("own-", "ex-"))]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in data)
                   + "".join(text + "\n" for text in others), encoding="utf-8")
    print(f"wrote {len(data)} notes to {OUT.relative_to(ROOT)} (and kept {len(others)} built elsewhere after them)")
    problems = disagreements(data)
    for problem in problems:
        print("engine disagrees:", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
