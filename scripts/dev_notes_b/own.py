"""Own notes: id -> dict(note, dos, payer, age, sex, encounter, expected, must_not_code, removable_facts)."""
O = {}


def L(code, units=1, mods=()):
    return {"code": code, "units": units, "modifiers": list(mods)}


def enc(dos, payer, age, sex, lesions, visit=None, services=(), **extra):
    d = {"date_of_service": dos, "payer": payer, "patient": {"age": age, "sex": sex}, "visit": visit,
         "lesions": lesions, "services": list(services)}
    d.update(extra)
    return d


O["own-01"] = dict(note="""DOS: 2026-09-01
Pt: 66 yo F   Ins: commercial (UHC)
CC: brown patch on cheek getting bigger; spot on back

HPI: Enlarging irregular brown patch on the R cheek x 2 yrs. Also a rough brown spot on the upper back that itches. Also a firm nodule on the L shin she would like to "just watch".

Exam: R malar cheek: 2.2 x 1.6 cm irregularly pigmented macule with variegated brown-black color. Upper back: 0.9 cm waxy stuck-on brown papule. L shin: 0.6 cm firm pink papule with dimple sign.

A/P:
1. Pigmented patch R cheek, r/o lentigo maligna -> incisional biopsy today (large lesion, sample the darkest area).
2. Pigmented papule upper back, ddx ISK vs pigmented BCC -> shave bx today.
3. L shin papule c/w DF. Punch bx offered; pt declined biopsy. Observe.

Procedure: consent and time-out. 1% lidocaine with epi.
- R cheek: incisional (wedge) biopsy, full thickness into subcutis, closed with 5-0 Prolene x3.
- Upper back: tangential shave biopsy, AlCl3 for hemostasis.
Pt tolerated well.

Pathology addendum 9/4/2026:
1. R cheek, incisional: lentigo maligna (melanoma in situ), margins involved.
2. Upper back, shave: seborrheic keratosis, irritated.""",
    dos="2026-09-01", payer="commercial", age=66, sex="F",
    encounter=enc("2026-09-01", "commercial", 66, "F", [
        {"id": "A", "site": "cheek", "laterality": "right", "diagnosis": "neoplasm_unspecified_behavior",
         "pathology": "melanoma_in_situ", "diameter_cm": 2.2, "procedures": [{"type": "biopsy", "technique": "incisional"}]},
        {"id": "B", "site": "back_upper", "diagnosis": "neoplasm_unspecified_behavior", "pathology": "L82.0",
         "diameter_cm": 0.9, "procedures": [{"type": "biopsy", "technique": "tangential"}]}]),
    expected={"lines": [L("11106"), L("11103")], "icd10": ["D03.39", "L82.0"]},
    must_not_code=["11104", "11105"],
    removable_facts=[])

O["own-02"] = dict(note="""DOS: 09/02/2026
78 yo M, Medicare
Here for ED&C of biopsy-proven superficial BCC, R upper back (bx 8/12/2026).

Exam: R upper back: 0.8 cm pink scaly plaque at bx site. L nasal ala: 0.5 cm pearly papule, biopsy-proven nodular BCC (bx 8/12/2026).

A/P:
1. sBCC R upper back: ED&C today.
2. nBCC L nasal ala: not a candidate for ED&C given location; will schedule Mohs. Referral placed.

Procedure: Electrodesiccation and curettage, R upper back. Consent signed, time-out. 1% lidocaine with epi. Lesion 0.8 cm. Curettage followed by electrodesiccation, 3 cycles. Final defect 1.0 cm. Vaseline and bandage.""",
    dos="2026-09-02", payer="medicare", age=78, sex="M",
    encounter=enc("2026-09-02", "medicare", 78, "M", [
        {"id": "A", "site": "back_upper", "diagnosis": "bcc", "diameter_cm": 0.8,
         "procedures": [{"type": "destruction", "method": "electrosurgery"}]}]),
    expected={"lines": [L("17261")], "icd10": ["C44.519"]},
    must_not_code=["17311", "17312", "17280", "17281"],
    removable_facts=[{"fact": "size of the BCC", "remove": "Lesion 0.8 cm. ", "gap_field": "diameter_cm"}])

O["own-03"] = dict(note="""DOS 09/03/2026   81F   Medicare
Procedure visit.
A. L forehead: 1.2 cm scaly erythematous plaque, biopsy-proven SCC in situ (Bowen's) 8/2026.
B. Scalp: 5 AKs (hypertrophic, gritty).

A: ED&C after consent and time-out, 1% lidocaine with epi: curettage and electrodesiccation x3 cycles.
B: LN2 x5 AKs on scalp, 2 FTC.

Hx: s/p Mohs R nasal ala 2021 for BCC. Pt declined biopsy of a pink papule on the L upper arm today; will re-check in 3 months.""",
    dos="2026-09-03", payer="medicare", age=81, sex="F",
    encounter=enc("2026-09-03", "medicare", 81, "F", [
        {"id": "A", "site": "forehead", "diagnosis": "scc_in_situ", "diameter_cm": 1.2,
         "procedures": [{"type": "destruction", "method": "electrosurgery"}]},
        {"id": "B", "site": "scalp", "diagnosis": "actinic_keratosis", "count": 5,
         "procedures": [{"type": "destruction", "method": "cryotherapy"}]}]),
    expected={"lines": [L("17282"), L("17000", 1, ["XS"]), L("17003", 4)], "icd10": ["D04.39", "L57.0"]},
    must_not_code=["17311", "11102", "11104"],
    removable_facts=[{"fact": "count of AKs", "remove": "LN2 x5 AKs", "gap_field": "count"}][:0] + [
        {"fact": "size of the SCC in situ", "remove": "1.2 cm scaly", "gap_field": "diameter_cm"}])

O["own-04"] = dict(note="""DOS: 09/08/2026
Pt: 72 yo M, Medicare

CC: scalp spot catching on comb, bleeding

Exam: L parietal scalp: 1.1 cm inflamed, crusted, stuck-on brown papule, bleeds with minimal trauma.

A/P: Inflamed/irritated SK L parietal scalp, bleeding and catching on comb -> shave removal today.

Procedure: Shave removal. Consent, time-out, 1% lidocaine with epi; removed by tangential shave at the level of the dermis; hemostasis with electrocautery. Dressed.
Path addendum: irritated seborrheic keratosis.""",
    dos="2026-09-08", payer="medicare", age=72, sex="M",
    encounter=enc("2026-09-08", "medicare", 72, "M", [
        {"id": "A", "site": "scalp", "diagnosis": "seborrheic_keratosis", "pathology": "seborrheic_keratosis",
         "diameter_cm": 1.1, "symptoms": ["inflamed", "bleeding", "irritated"], "procedures": [{"type": "shave_removal"}]}]),
    expected={"lines": [L("11307")], "icd10": ["L82.0"]},
    must_not_code=["11102"],
    removable_facts=[{"fact": "size of the SK", "remove": "1.1 cm ", "gap_field": "diameter_cm"}])

O["own-05"] = dict(note="""DOS: 09/09/2026
74 yo F -- Medicare
MOHS SURGERY NOTE
Dx: BCC, R nasal ala, biopsy-proven (nodular), bx 7/28/2026.
Surgeon also served as pathologist. Consent signed, time-out performed, 1% lidocaine with epinephrine.
Stage 1: 3 blocks -- tumor at deep margin.
Stage 2: 1 block -- clear.
Final defect 1.4 x 1.2 cm.
Repair: bilobed transposition flap designed from the nasal sidewall; primary and secondary defects total 6.2 sq cm. 5-0 Monocryl, 6-0 nylon. Pressure dressing.
Hx: s/p excision of melanoma in situ L upper arm 2018.""",
    dos="2026-09-09", payer="medicare", age=74, sex="F",
    encounter=enc("2026-09-09", "medicare", 74, "F", [
        {"id": "A", "site": "nose", "diagnosis": "bcc",
         "procedures": [{"type": "mohs", "stages": [{"blocks": 3}, {"blocks": 1}]},
                        {"type": "adjacent_tissue_transfer", "defect_area_cm2": 6.2}]}]),
    expected={"lines": [L("14060"), L("17311"), L("17312")], "icd10": ["C44.311"]},
    must_not_code=["11400", "11401", "11402", "11600", "11601", "11602"],
    removable_facts=[{"fact": "flap defect area", "remove": "; primary and secondary defects total 6.2 sq cm", "gap_field": "defect_area_cm2"}])

O["own-06"] = dict(note="""DOS: 2026-09-10   69 y/o M   Medicare
Mohs micrographic surgery, R forearm, SCC (well differentiated), biopsy-proven 8/2026.
Consent, time-out, 1% lido w/ epi. Dr. Lee as surgeon and pathologist.
Stage I (4 blocks): clear margins after one stage.
Defect 3.0 x 2.6 cm. Because of tension, extensive undermining performed, layered closure with debridement of wound edges; complex repair, final length 8.5 cm.
Dressing, wound care reviewed. Suture removal 14 days.""",
    dos="2026-09-10", payer="medicare", age=69, sex="M",
    encounter=enc("2026-09-10", "medicare", 69, "M", [
        {"id": "A", "site": "forearm", "laterality": "right", "diagnosis": "scc",
         "procedures": [{"type": "mohs", "stages": [{"blocks": 4}]},
                        {"type": "repair", "complexity": "complex", "length_cm": 8.5}]}]),
    expected={"lines": [L("13121"), L("13122"), L("17313")], "icd10": ["C44.622"]},
    must_not_code=["17314"],
    removable_facts=[{"fact": "repair length", "remove": ", final length 8.5 cm", "gap_field": "length_cm"},
                     {"fact": "side of the forearm", "remove": "R forearm", "gap_field": "laterality"}])

O["own-07"] = dict(note="""DOS: 09/14/2026
Pt: 70 yo M   Payer: Medicare   Established patient
CC: 6-month skin check

HPI: Hx melanoma R upper back (stage IA, WLE 2019, no further treatment), s/p Mohs L nose 2021 for BCC. No new or changing lesions. FHx: mother with melanoma.

Exam: full skin exam of scalp, face, neck, trunk, extremities. Well-healed scars R upper back and L nose, no recurrence, no lymphadenopathy. Scattered SKs on the trunk and benign-appearing nevi, examined, no treatment needed. No suspicious lesions.

A/P:
1. Personal hx melanoma and BCC, surveillance: NED. Continue q6 mo FBSE.
2. SKs, benign: reassurance.
Sun protection counseled.
Level: est pt, straightforward MDM (99212).""",
    dos="2026-09-14", payer="medicare", age=70, sex="M",
    encounter=enc("2026-09-14", "medicare", 70, "M", [],
        visit={"category": "established", "level": 2, "reason": "surveillance"},
        history=[{"diagnosis": "melanoma", "site": "back_upper", "treatment_completed": True},
                 {"diagnosis": "bcc", "site": "nose", "treatment_completed": True}]),
    expected={"lines": [L("99212")], "icd10": ["Z08", "Z85.820", "Z85.828"]},
    must_not_code=["17311", "11600", "11601", "11602", "17110", "11102"],
    removable_facts=[])

O["own-08"] = dict(note="""DOS: 09/15/2026
24 y/o F, commercial. NEW PATIENT.
CC: acne; changing mole L arm

HPI: Inflammatory acne on face, chest and back x 3 yr, failed OTC BPO and adapalene. Also a mole on the L upper arm that got darker this summer.

Exam: Face/chest/back: numerous inflammatory papules and pustules, open/closed comedones, no nodules or cysts. L upper arm: 0.5 cm dark brown macule with irregular border.

A/P:
1. Acne vulgaris, moderate: start doxycycline 100 mg daily, tretinoin 0.025% cream qhs, BPO wash. Discussed side effects (photosensitivity, GI). Level: new pt, low MDM (99203), separate from the biopsy.
2. Atypical-appearing nevus L upper arm: shave bx today. Consider re-excision if moderate or severe atypia.

Procedure: consent, time-out, 1% lidocaine with epi, tangential (saucerization) biopsy of the L upper arm lesion, AlCl3. Specimen to dermpath; path pending.""",
    dos="2026-09-15", payer="commercial", age=24, sex="F",
    encounter=enc("2026-09-15", "commercial", 24, "F", [
        {"id": "A", "site": "upper_arm", "laterality": "left", "diagnosis": "neoplasm_unspecified_behavior",
         "pathology": "pending", "diameter_cm": 0.5, "procedures": [{"type": "biopsy", "technique": "tangential"}]}],
        visit={"category": "new", "level": 3, "separately_identifiable": True, "diagnoses": ["acne"]}),
    expected={"lines": [L("99203", 1, ["25"]), L("11102")], "icd10": ["L70.0", "D49.2"]},
    must_not_code=["11400", "11401", "11600", "11601"],
    removable_facts=[{"fact": "visit level", "remove": "Level: new pt, low MDM (99203), separate from the biopsy.", "gap_field": "visit.level"}][:0])

O["own-09"] = dict(note="""DOS 09/09/2026. 63 yo M. Medicare.
Re-excision, R upper arm. Invasive SCC excised here 9/2/2026 with a positive lateral margin on pathology; planned re-excision (staged) within the global period.
Scar 1.8 cm. Excised with 3 mm margins around the scar after consent and time-out, 1% lidocaine with epi. Intermediate layered closure, 5.5 cm.
Path addendum: R upper arm re-excision: scar, no residual carcinoma, margins clear.""",
    dos="2026-09-09", payer="medicare", age=63, sex="M",
    encounter=enc("2026-09-09", "medicare", 63, "M", [
        {"id": "A", "site": "upper_arm", "laterality": "right", "diagnosis": "scc", "pathology": "scc", "diameter_cm": 1.8,
         "procedures": [{"type": "excision", "margin_cm": 0.3}, {"type": "repair", "complexity": "intermediate", "length_cm": 5.5}]}],
        prior_procedures=[{"date_of_service": "2026-09-02", "code": "11602", "related": True, "site": "upper_arm", "laterality": "right"}]),
    expected={"lines": [L("11603", 1, ["58"]), L("12032", 1, ["58"])], "icd10": ["C44.622"]},
    must_not_code=[],
    removable_facts=[{"fact": "margins of the re-excision", "remove": " with 3 mm margins around the scar", "gap_field": "margin_cm"}])

O["own-10"] = dict(note="""DOS: 09/16/2026   52F   commercial
CC: painful calluses R foot
Exam: R sole: 3 discrete hyperkeratotic papules, central core, tender (1st MTH, 5th MTH, heel).
A/P: Corns/calluses x3, R plantar foot: pared with #15 blade, 3 lesions. Tolerated well. Padding and footwear advice.""",
    dos="2026-09-16", payer="commercial", age=52, sex="F",
    encounter=enc("2026-09-16", "commercial", 52, "F", [
        {"id": "A", "site": "sole", "laterality": "right", "diagnosis": "corn_callus", "count": 3,
         "procedures": [{"type": "paring"}]}]),
    expected={"lines": [L("11056")], "icd10": ["L84"]},
    must_not_code=["11057"],
    removable_facts=[{"fact": "number of lesions pared", "remove": ", 3 lesions", "gap_field": "count"}][:0])

O["own-11"] = dict(note="""DOS 09/17/2026  61 yo M  commercial
Onychomycosis, toenails, thick and painful in shoes.
Exam: thickened, yellow, dystrophic nails with subungual debris: bilateral great toes, L 2nd-4th toes, R 2nd-3rd toes (7 nails).
Procedure: debridement of 7 mycotic toenails with nail nippers and rotary burr. Tolerated well.
Pt declined oral terbinafine; continue ciclopirox.""",
    dos="2026-09-17", payer="commercial", age=61, sex="M",
    encounter=enc("2026-09-17", "commercial", 61, "M", [],
        services=[{"type": "nail_debridement", "nails": 7, "diagnoses": ["onychomycosis"]}]),
    expected={"lines": [L("11721")], "icd10": ["B35.1"]},
    must_not_code=["11730", "11732"],
    removable_facts=[])

O["own-12"] = dict(note="""DOS: 09/21/2026
35 yo F, Medicare (disability)
Alopecia areata, scalp, 9 patches, progressing.
Procedure: intralesional Kenalog 10 mg/mL injected into 9 patches of the scalp, 2.4 mL total (24 mg). Consent obtained. Tolerated well.
RTC 6 weeks for repeat ILK.""",
    dos="2026-09-21", payer="medicare", age=35, sex="F",
    encounter=enc("2026-09-21", "medicare", 35, "F", [
        {"id": "A", "site": "scalp", "diagnosis": "L63.9", "count": 9,
         "procedures": [{"type": "intralesional_injection", "drug": "triamcinolone_acetonide", "dose_mg": 24}]}]),
    expected={"lines": [L("11901"), L("J3301", 3)], "icd10": ["L63.9"]},
    must_not_code=["11900"],
    removable_facts=[{"fact": "number of patches injected", "remove": "into 9 patches of the scalp", "gap_field": "count"}][:0] + [
        {"fact": "dose of triamcinolone", "remove": ", 2.4 mL total (24 mg)", "gap_field": "dose_mg"}])

O["own-13"] = dict(note="""DOS 09/22/2026. 47 yo M. Commercial.
Narrowband UVB phototherapy, session #14, plaque psoriasis trunk and extremities.
Dose 900 mJ/cm2, tolerated, mild erythema only. Consider adding apremilast if plateau.
Continue 3x/week.""",
    dos="2026-09-22", payer="commercial", age=47, sex="M",
    encounter=enc("2026-09-22", "commercial", 47, "M", [],
        services=[{"type": "phototherapy", "modality": "uvb", "diagnoses": ["psoriasis"]}]),
    expected={"lines": [L("96900")], "icd10": ["L40.0"]},
    must_not_code=["96910", "96912", "96920"],
    removable_facts=[])

O["own-14"] = dict(note="""DOS: 09/23/2026   75 yo F   Medicare
Blue-light PDT for AKs: forehead x7, scalp x5.
Levulan Kerastick (aminolevulinic acid HCl 20%), 1 stick, applied by the medical assistant to the forehead and scalp; no curettage. Incubation 1 h. Blue light (BLU-U) illumination 16 min 40 s by MA under physician supervision. Tolerated well; strict sun avoidance 48 h.""",
    dos="2026-09-23", payer="medicare", age=75, sex="F",
    encounter=enc("2026-09-23", "medicare", 75, "F", [
        {"id": "A", "site": "forehead", "diagnosis": "actinic_keratosis", "count": 7, "procedures": []},
        {"id": "B", "site": "scalp", "diagnosis": "actinic_keratosis", "count": 5, "procedures": []}],
        services=[{"type": "photodynamic_therapy", "illumination": "by_staff", "debridement": False,
                   "drug": "aminolevulinic_acid_20", "drug_units": 1}]),
    expected={"lines": [L("96567"), L("J7308")], "icd10": ["L57.0"]},
    must_not_code=["96573", "96574", "17000", "17003", "17004"],
    removable_facts=[])

O["own-15"] = dict(note="""DOS 09/24/2026   14 mo F   commercial
Infantile hemangioma R cheek, ulcerated edge, on propranolol.
Pulsed dye laser (595 nm) to the hemangioma, R cheek; treated area 6 sq cm. Eye shields in place. Tolerated well with topical anesthetic.""",
    dos="2026-09-24", payer="commercial", age=1, sex="F",
    encounter=enc("2026-09-24", "commercial", 1, "F", [
        {"id": "A", "site": "cheek", "laterality": "right", "diagnosis": "hemangioma",
         "procedures": [{"type": "destruction", "method": "laser", "area_cm2": 6}]}]),
    expected={"lines": [L("17106")], "icd10": ["D18.01"]},
    must_not_code=["17107", "17108"],
    removable_facts=[{"fact": "treated area", "remove": "; treated area 6 sq cm", "gap_field": "area_cm2"}])

O["own-16"] = dict(note="""DOS: 09/25/2026  38M  commercial
CC: painful swelling mid back x 4 days
Exam: upper back, midline: 2.5 cm fluctuant, erythematous, tender abscess, no cellulitis.
A/P: Abscess upper back -> I&D today.
Procedure: consent, 1% lidocaine with epi, incised with #11 blade, moderate purulent drainage expressed, irrigated. Simple, single abscess; no packing required. Dressing. Culture sent.""",
    dos="2026-09-25", payer="commercial", age=38, sex="M",
    encounter=enc("2026-09-25", "commercial", 38, "M", [
        {"id": "A", "site": "back_upper", "diagnosis": "abscess", "procedures": [{"type": "incision_drainage", "complicated": False}]}]),
    expected={"lines": [L("10060")], "icd10": ["L02.212"]},
    must_not_code=["10061"],
    removable_facts=[])

O["own-17"] = dict(note="""DOS: 09/28/2026
56 yo F   Commercial
Excision of melanoma in situ, R upper arm (shave bx 9/2026: MIS, margins involved).
FHx: father with melanoma.
Pre-op: R posterior upper arm, 6 mm pink-brown scar with residual pigment.
Consent, time-out, 1% lidocaine with epi. Excised with 5 mm margins. Layered closure: 4-0 Monocryl deep, 4-0 nylon running; intermediate repair 4.0 cm.
Path: residual melanoma in situ, margins clear (narrowest 4 mm).""",
    dos="2026-09-28", payer="commercial", age=56, sex="F",
    encounter=enc("2026-09-28", "commercial", 56, "F", [
        {"id": "A", "site": "upper_arm", "laterality": "right", "diagnosis": "melanoma_in_situ", "pathology": "melanoma_in_situ",
         "diameter_cm": 0.6, "procedures": [{"type": "excision", "margin_cm": 0.5},
                                              {"type": "repair", "complexity": "intermediate", "length_cm": 4.0}]}]),
    expected={"lines": [L("11602"), L("12032")], "icd10": ["D03.61"]},
    must_not_code=["11102"],
    removable_facts=[{"fact": "surgical margins", "remove": " with 5 mm margins", "gap_field": "margin_cm"},
                     {"fact": "repair type", "remove": "Layered closure: 4-0 Monocryl deep, 4-0 nylon running; intermediate repair", "gap_field": "complexity"}])

O["own-18"] = dict(note="""DOS 09/29/2026  67 yo F  Medicare
Pt wants skin tags on neck removed; they bother her cosmetically. Not irritated, no bleeding, not catching on clothing.
Exam: neck: 8 small soft pedunculated skin tags, no inflammation.
Discussed cosmetic nature; not covered by Medicare. ABN signed. Snip removal of 8 skin tags with iris scissors, AlCl3.""",
    dos="2026-09-29", payer="medicare", age=67, sex="F",
    encounter=enc("2026-09-29", "medicare", 67, "F", [
        {"id": "A", "site": "neck", "diagnosis": "acrochordon", "count": 8, "procedures": [{"type": "skin_tag_removal"}]}]),
    expected={"lines": [], "icd10": ["L91.8"]},
    must_not_code=["11200"],
    removable_facts=[])

O["own-19"] = dict(note="""DOS: 09/30/2026   6 yo M   commercial
Molluscum contagiosum, trunk, spreading, itchy, pt scratching with secondary irritation.
Exam: 12 pearly umbilicated papules on the abdomen and flanks.
Procedure: after topical EMLA and verbal consent from dad, curettage of 12 molluscum lesions. Tolerated well. Cantharidin considered for next visit if new lesions.""",
    dos="2026-09-30", payer="commercial", age=6, sex="M",
    encounter=enc("2026-09-30", "commercial", 6, "M", [
        {"id": "A", "site": "abdomen", "diagnosis": "molluscum", "count": 12, "symptoms": ["itching", "irritated"],
         "procedures": [{"type": "destruction", "method": "curettage"}]}]),
    expected={"lines": [L("17110")], "icd10": ["B08.1"]},
    must_not_code=["17111"],
    removable_facts=[])

O["own-20"] = dict(note="""DOS: 09/18/2026  59M  commercial
CC: bleeding bump on back
Exam: upper back, midline: 0.9 cm pink friable papule, bleeds with friction.
A/P: Bleeding papule upper back, ddx irritated nevus vs pyogenic granuloma vs amelanotic melanoma -> shave removal for diagnosis and removal.
Procedure: consent, time-out, 1% lidocaine with epi, shave removal of the entire lesion to mid dermis, electrocautery for hemostasis. Specimen to dermpath; report pending at time of coding.""",
    dos="2026-09-18", payer="commercial", age=59, sex="M",
    encounter=enc("2026-09-18", "commercial", 59, "M", [
        {"id": "A", "site": "back_upper", "diagnosis": "neoplasm_unspecified_behavior", "pathology": "pending",
         "diameter_cm": 0.9, "symptoms": ["bleeding"], "procedures": [{"type": "shave_removal"}]}]),
    expected={"lines": [L("11301")], "icd10": ["D49.2"]},
    must_not_code=["11102"],
    removable_facts=[{"fact": "size of the lesion", "remove": "0.9 cm ", "gap_field": "diameter_cm"}])

O["own-21"] = dict(note="""DOS 09/11/2026
71 yo M, Medicare
1. Excision of biopsy-proven invasive SCC, R dorsal hand. Lesion 1.0 cm; excised with 4 mm margins; intermediate layered closure 3.5 cm (4-0 Vicryl deep, 5-0 nylon).
2. New 0.6 cm scaly pink papule, L upper back: punch biopsy, 3 mm, after consent; 1 suture.
Consent and time-out for both; 1% lidocaine with epi.
Path: 1. SCC, well-differentiated, margins clear. 2. Pending.""",
    dos="2026-09-11", payer="medicare", age=71, sex="M",
    encounter=enc("2026-09-11", "medicare", 71, "M", [
        {"id": "A", "site": "hand_dorsum", "laterality": "right", "diagnosis": "scc", "pathology": "scc", "diameter_cm": 1.0,
         "procedures": [{"type": "excision", "margin_cm": 0.4}, {"type": "repair", "complexity": "intermediate", "length_cm": 3.5}]},
        {"id": "B", "site": "back_upper", "diagnosis": "neoplasm_unspecified_behavior", "pathology": "pending", "diameter_cm": 0.6,
         "procedures": [{"type": "biopsy", "technique": "punch"}]}]),
    expected={"lines": [L("11622"), L("12042", 1, ["XS"]), L("11104", 1, ["XS"])], "icd10": ["C44.622", "D49.2"]},
    must_not_code=[],
    removable_facts=[{"fact": "margins of the SCC excision", "remove": "; excised with 4 mm margins", "gap_field": "margin_cm"},
                     {"fact": "side of the hand", "remove": "R dorsal hand", "gap_field": "laterality"}][:1])

O["own-22"] = dict(note="""DOS: 09/04/2026
Pt: 44 yo F, commercial, est pt
CC: eczema f/u, lump on back

HPI: Atopic dermatitis improved on tacrolimus but hands still flaring. Lump on upper back x 1 yr, not inflamed, asymptomatic.

Exam: mild xerosis, eczematous patches on dorsal hands. Upper back: 1.2 cm mobile cyst with punctum. Several SKs on the trunk.

A/P:
1. Atopic dermatitis, hands flaring: add clobetasol ointment BID x 2 wk to hands, continue tacrolimus elsewhere.
2. Epidermoid cyst upper back, asymptomatic: discussed options; will schedule excision if it becomes inflamed or she wishes.
3. SKs trunk: benign, pt declined cryo.
MDM low; est pt level 3.
RTC 3 months.""",
    dos="2026-09-04", payer="commercial", age=44, sex="F",
    encounter=enc("2026-09-04", "commercial", 44, "F", [],
        visit={"category": "established", "level": 3, "diagnoses": ["atopic_dermatitis", "epidermoid_cyst", "seborrheic_keratosis"]}),
    expected={"lines": [L("99213")], "icd10": ["L20.9", "L72.0", "L82.1"]},
    must_not_code=["11402", "11403", "17110", "11401"],
    removable_facts=[])
