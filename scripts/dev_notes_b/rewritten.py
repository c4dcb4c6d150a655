"""Notes rewritten from the 30 worked examples: id -> (note, must_not_code, removable_facts)."""
R = {}

R["ex-01"] = ("""DOS: 04/14/2026
Patient: 71 yo M    Insurance: Medicare
CC: here for bx of spot on L arm

HPI: Established pt returns for scheduled biopsy of a pink pearly bump on the L forearm noted at last FBSE. Growing x 6 months, no bleeding. Hx AKs.

Exam: L dorsal forearm: 0.6 cm pearly pink papule with arborizing vessels on dermoscopy.

Assessment & Plan:
1. Neoplasm of skin, L dorsal forearm, r/o BCC -> shave bx today, will call with results.

Procedure note: Shave biopsy, L dorsal forearm
Risks, benefits and alternatives (bleeding, infection, scarring, recurrence) discussed; verbal and written consent obtained. Time-out performed confirming pt, site and procedure. Site cleansed with alcohol and anesthetized with 1% lidocaine with epi. A tangential (shave) biopsy was taken with a DermaBlade. Hemostasis with aluminum chloride. Petrolatum and bandage applied. Pt tolerated well, no complications. Wound care instructions given. Specimen sent to dermpath.

Pathology addendum (04/17/2026): L dorsal forearm, shave biopsy: basal cell carcinoma, nodular type, extending to the deep margin.""", [], [])

R["ex-02"] = ("""Date of service: 2026-04-20
58 y/o F, commercial insurance (Aetna)

CC: 3 spots to check

HPI: Pt reports a firm bump R thigh x 1 yr, a dark mole on the upper back that her husband thinks has changed, and a scaly pink patch on the L shoulder that does not heal.

Exam: R anterior thigh: 5 mm firm pink-brown papule, dimples with lateral pressure. Mid upper back: 7 mm irregularly pigmented macule. L shoulder: 8 mm scaly pink thin plaque.

A/P:
1. Neoplasm R anterior thigh, ddx DF vs other - punch bx
2. Neoplasm mid upper back, r/o dysplastic nevus - shave bx
3. Neoplasm L shoulder, r/o sBCC - shave bx

Procedure: After informed consent and time-out, each site was anesthetized with 1% lidocaine with epinephrine.
- R anterior thigh: 4 mm punch biopsy, closed with one 4-0 nylon simple interrupted suture.
- Mid upper back: shave biopsy.
- L shoulder: shave biopsy.
Hemostasis with AlCl3 at the shave sites. Vaseline, bandages. EBL minimal. Pt tolerated well.

Path (final, 04/24/2026):
A. R anterior thigh, punch: dermatofibroma.
B. Mid upper back, shave: compound dysplastic nevus with mild atypia.
C. L shoulder, shave: superficial basal cell carcinoma.""", [], [])

R["ex-03"] = ("""DOS 5/4/2026. 76 yo male, Medicare.
Est pt here for LN2 to AKs only, no other concerns today.

Exam: 9 gritty erythematous scaly papules on the scalp (vertex and crown), 6 on the forehead.

A/P: Actinic keratoses x15 (scalp x9, forehead x6).
Destruction: After verbal consent, discussing blistering, hypopigmentation and possible recurrence, liquid nitrogen cryotherapy applied to 15 AKs, 2 freeze-thaw cycles each. Tolerated well. Post-care handout given.
RTC 6 months for FBSE.""", [], [])

R["ex-04"] = ("""DOS: 2026-05-05 | 69F | Medicare
Procedure visit: cryo of AKs.

Exam: Rough scaly pink papules: L forearm x4, R forearm x4, L dorsal hand x3, R dorsal hand x3.

Assessment: AKs, 14 total.
Plan: LN2 to all 14 lesions, 2 cycles each, after consent (blister, dyspigmentation). Pt tolerated well.
Discussed sun protection, broad-spectrum SPF 30+. Follow up 6 mo.""", [], [{"fact": "count of AKs on the R dorsal hand", "remove": "R dorsal hand x3, ", "gap_field": "count"}][:0])

R["ex-05"] = ("""DOS: 05/11/2026
Pt: 66 yo M   Payer: Medicare   Est pt

CC: psoriasis f/u; rough spots on scalp

HPI: Moderate plaque psoriasis on elbows and knees, flaring despite clobetasol BID. Itchy. No joint pain. Also 4 rough spots on scalp.

Exam: Well-demarcated erythematous plaques with silvery scale on bilateral elbows and bilateral knees, BSA approximately 8%. Scalp: 4 hyperkeratotic pink papules c/w AKs.

Assessment & Plan:
1. Psoriasis vulgaris, moderate, BSA 8%, not at goal: stop clobetasol, start calcipotriene-betamethasone foam daily; baseline CBC, CMP, hepatitis panel, QuantiFERON ordered in anticipation of systemic therapy. Discussed options at length.
2. AKs, scalp x4: LN2 today after verbal consent, 2 FTC each. Tolerated well.

E/M: est pt, level 3 (MDM low), significant and separately identifiable from the cryotherapy.
RTC 3 months.""", [], [])

R["ex-06"] = ("""Date of Service: April 22, 2026
Patient: 62 y.o. male. Insurance: Medicare Part B.

Indication: biopsy-proven BCC R upper back (bx 3/2026), here for excision.

Procedure note: Excision of malignant lesion, R upper back
Consent: Risks including bleeding, infection, scar, recurrence and need for further surgery reviewed; written consent signed. Time-out performed.
The lesion measured 0.6 cm. It was outlined with 0.2 cm margins all around and an ellipse drawn. Prepped with chlorhexidine, anesthetized with 1% lidocaine with epi. Excised to the level of the subcutaneous fat. Hemostasis with electrocautery. Closed with 4-0 nylon simple interrupted sutures; final length 2.0 cm. Pressure dressing. EBL < 5 mL. No complications.
Specimen to pathology, oriented with a suture at 12 o'clock.
Suture removal in 14 days.

Pathology addendum: R upper back, excision: basal cell carcinoma, margins free.""", [],
 [{"fact": "margins of lesion A", "remove": " with 0.2 cm margins all around", "gap_field": "margin_cm"},
  {"fact": "size of lesion A", "remove": "The lesion measured 0.6 cm. ", "gap_field": "diameter_cm"}])

R["ex-07"] = ("""DOS: 04/23/2026. 80 yo F. Medicare.
Biopsy-proven invasive SCC, L calf. Here for excision.

Pre-op: 7mm keratotic crusted papule, L posterior calf, at prior bx site.
Procedure: Excision, L calf
After consent (risks/benefits/alternatives reviewed, pt agrees), time-out done. Anesthesia 1% lidocaine with epi. Narrowest margin 2 mm. Fusiform excision through dermis into fat. Hemostasis with hyfrecator. Simple closure with 4-0 Prolene, 2.5 cm. Bacitracin, dressing.
Pt tolerated procedure well.

Path addendum 4/28/2026: squamous cell carcinoma, well differentiated, margins clear.""", [],
 [{"fact": "margin of the excision", "remove": "Narrowest margin 2 mm. ", "gap_field": "margin_cm"},
  {"fact": "side of the calf", "remove": "L posterior calf", "gap_field": "laterality"}][:1])

R["ex-08"] = ("""DOS: 06/02/2026
Pt: 45M, commercial (BCBS)

CC: cyst on back keeps getting inflamed

HPI: Recurrent inflamed cyst mid upper back, has flared 3 times this year, tender, drained pus once. Quiet now.

Exam: Mid upper back: 1.5 cm mobile subcutaneous nodule with central punctum.

A/P: Epidermal inclusion cyst, recurrently inflamed -> excision today.

Procedure note: Excision of cyst, mid upper back
Informed consent obtained, time-out performed. Prepped and draped sterilely. 1% lidocaine with epi infiltrated. Excised with a 1 mm margin around the cyst, cyst removed intact. Undermining minimal. Layered (intermediate) closure: 4-0 Vicryl deep dermal sutures, 4-0 nylon running epidermal; repair length 3.0 cm. Steri-strips, pressure dressing.
Specimen to path.

Path: epidermoid cyst.""", [],
 [{"fact": "length of the repair", "remove": "; repair length 3.0 cm", "gap_field": "length_cm"}])

R["ex-09"] = ("""DOS: 2026-06-08
67 yo F, Medicare
Procedure day: 2 excisions.

1) Nasal dorsum, biopsy-proven BCC. Lesion 0.8 cm. Margins 3 mm. Excised after consent and time-out under 1% lidocaine with epi; simple closure 5-0 Prolene, length 2.0 cm.
2) Right volar forearm, irritated nevus that catches on her watch band and has been inflamed. Lesion 0.5 cm, excised with 2 mm margins; simple closure 1.5 cm with 4-0 nylon.
Both tolerated well. Wound care reviewed. RTC 1 wk suture removal.

Pathology:
1) Nasal dorsum: basal cell carcinoma, nodular, margins clear.
2) R forearm: compound melanocytic nevus, benign, margins clear.""", [],
 [{"fact": "side of the forearm", "remove": "Right ", "gap_field": "laterality"}])

R["ex-10"] = ("""DOS 06/15/2026 -- 74 yo M -- Medicare
Procedure visit.

Exam: scalp with 3 scaly erythematous papules c/w AKs. L helix: 5 mm keratotic papule, tender.

A/P
1. AKs scalp x3 - LN2 today, 2 FTC each, tolerated well.
2. Keratotic papule L helix, r/o SCC vs HAK - shave bx.

Procedure: consent and time-out. 1% lido with epi. Tangential biopsy of L helix lesion, hemostasis with Drysol. Dressed.

Pathology (6/19/2026): L helix: squamous cell carcinoma, well-differentiated, invasive.""", [], [])

R["ex-11"] = ("""DOS: 06/16/2026
72 yo M, Medicare
Mohs micrographic surgery note

Indication: biopsy-proven BCC (nodular), nasal tip. Mohs chosen for location (H-zone, cosmetically sensitive).
I acted as both surgeon and pathologist.
Consent signed, time-out performed. 1% lidocaine with epi.
Stage 1: 4 blocks, residual BCC at 2 o'clock.
Stage 2: 2 blocks, residual tumor at 3 o'clock.
Stage 3: 1 block, margins clear.
Final defect 1.2 x 1.0 cm. Left to heal by second intention after discussion of repair options. Vaseline and pressure dressing.""", [],
 [{"fact": "blocks of stage 2", "remove": "Stage 2: 2 blocks, residual tumor at 3 o'clock.\n", "gap_field": "stages"}][:0])

R["ex-12"] = ("""DOS 06/17/2026
78M Medicare
Mohs surgery, L dorsal hand, biopsy-proven SCC (bx 5/2026).
Surgeon/pathologist: Dr. Kim.
After consent and time-out, 1% lidocaine with epi.
Stage I: 7 tissue blocks; positive at 9 o'clock.
Stage II: 3 tissue blocks; clear.
Defect 2.1 x 1.8 cm. Pt will have repair by plastic surgery (Dr. Patel) tomorrow; defect dressed with Xeroform and pressure dressing.""", ["12041", "12042", "13131", "13132", "14040"], [])

R["ex-13"] = ("""DOS: 06/18/2026   64 yo F   Medicare
Procedure: Mohs micrographic surgery, R lower back, BCC (biopsy-proven, infiltrative features)
Consent, time-out, 1% lidocaine with epi.
Stage 1 - 3 blocks, positive deep margin
Stage 2 - 2 blocks, clear
Repair: layered intermediate closure with 3-0 Monocryl deep and 4-0 Prolene running, total length 4.0 cm.
Dressing. Wound care reviewed. Suture removal 2 weeks.""", [],
 [{"fact": "length of the repair", "remove": ", total length 4.0 cm", "gap_field": "length_cm"}])

R["ex-14"] = ("""DOS 07/01/2026
39F, commercial (Cigna)
Excision x2 of irritated nevi

A. Upper back (center): 0.8 cm nevus, irritated by bra strap, bleeds intermittently. Excised with 0.2 cm margins. Intermediate layered closure 3.5 cm.
B. R upper arm: 0.6 cm irritated, inflamed nevus. Excised with 0.2 cm margins. Intermediate layered closure 2.5 cm.

Consent obtained, time-out performed, 1% lidocaine with epi for both. 4-0 Vicryl deep, 4-0 nylon superficial. Tolerated well.

Path: A and B: benign compound melanocytic nevi, margins clear.""", [],
 [{"fact": "length of repair B", "remove": " Intermediate layered closure 2.5 cm.", "gap_field": "length_cm"}][:0])

R["ex-15"] = ("""DOS: 07/02/2026 -- 50 y/o female -- commercial
Excision, R shin: 0.6 cm dermatofibroma, tender, enlarging.
Consent and time-out. 1% lidocaine with epi. Excised with 1 mm margins. Because of tension on the shin, wide undermining was performed and a layered closure placed; documented as a complex repair, final length 1.0 cm.
Path: dermatofibroma.""", [],
 [{"fact": "margins of the excision", "remove": " with 1 mm margins", "gap_field": "margin_cm"}])

R["ex-16"] = ("""DOS: 7/6/2026. 70 yo F, Medicare.
CC: mole on nose that bleeds
HPI: Intradermal-appearing nevus on the L nasal sidewall that catches on her eyeglasses and has bled several times.
Exam: 6 mm skin-colored dome-shaped papule on the nasal sidewall.
Procedure: Shave removal. After consent and time-out, 1% lidocaine with epi; lesion removed flush with the skin by shave technique. Hemostasis with AlCl3.
Path: intradermal nevus.""", [],
 [{"fact": "size of the nevus", "remove": "6 mm ", "gap_field": "diameter_cm"}])

R["ex-17"] = ("""DOS 07/07/2026  73F  Medicare
Pt requests removal of 4 SKs on her upper back "because they are unsightly." No itching, bleeding, irritation, inflammation or change; asymptomatic.
Exam: upper back with 4 stuck-on waxy brown papules c/w seborrheic keratoses, no inflammation.
Discussed that removal is cosmetic and not covered by Medicare; pt elected to proceed and pay out of pocket.
Procedure: curettage of 4 SKs after consent. Hemostasis with AlCl3.""", [], [])

R["ex-18"] = ("""DOS: 07/08/2026   68 y/o F   Medicare
CC: irritated spots under bra line
Exam: chest, under the bra line: 3 erythematous, crusted seborrheic keratoses, one bleeding when rubbed.
A/P: inflamed SKs x3, irritated by bra, bleeding -> curettage today after consent. Hemostasis with AlCl3. Tolerated well.""", [], [])

R["ex-19"] = ("""DOS 07/09/2026
9 yo M, commercial. Here with mom.
Warts on hands x 1 year, spreading despite OTC salicylic acid.
Exam: verrucous papules: L dorsal hand x8, R dorsal hand x8.
A/P: verruca vulgaris, 16 total. LN2 to all 16 warts, 2 cycles, verbal consent from mom. Continue salicylic acid at home. RTC 4 weeks for repeat LN2.""", [],
 [{"fact": "number of warts", "remove": "L dorsal hand x8, R dorsal hand x8", "gap_field": "count"}][:0])

R["ex-20"] = ("""DOS: 2026-07-13  55 F  commercial
Skin tags neck and axillae, irritated by clothing and jewelry, some bleed.
Exam: pedunculated skin tags: neck x10, L axilla x6, R axilla x6; several inflamed, 2 with hemorrhagic crust.
A/P: irritated, bleeding acrochordons, 22 total -> removed by snip excision with sterile scissors after consent; hemostasis AlCl3.""", [], [])

R["ex-21"] = ("""DOS 07/14/2026. 30 yo M. Commercial.
Keloids on chest x3, pruritic.
Procedure: intralesional injection. After consent, the 3 keloids on the chest were injected with triamcinolone acetonide (Kenalog) 40 mg/mL, 0.5 mL total (20 mg). Tolerated well.
RTC 6 wk for repeat ILK.""", [],
 [{"fact": "dose of triamcinolone", "remove": ", 0.5 mL total (20 mg)", "gap_field": "dose_mg"}])

R["ex-22"] = ("""DOS: 07/15/2026  27M  commercial
CC: painful lumps in both armpits x 5 days
Exam: R axilla: 2 cm fluctuant tender erythematous abscess. L axilla: 1.5 cm fluctuant abscess.
A/P: Abscesses, bilateral axillae. I&D of both today.
Procedure: consent, time-out, 1% lidocaine with epi. Each abscess incised with #11 blade, purulent material expressed, loculations broken up. No packing. Dressings applied. Culture sent. Doxycycline 100 mg BID x 10 days.""", [], [])

R["ex-23"] = ("""DOS 07/16/2026
35 y/o F, commercial
Ingrown toenails, R great toe and R second toe, painful, no purulence.
Procedure: digital block with 1% lidocaine plain. Partial nail avulsion of the R great toenail (lateral border), then of the R 2nd toenail (medial border). Hemostasis, dressing. Pt tolerated well.""", [], [])

R["ex-24"] = ("""DOS: 07/20/2026   70 yo M   Medicare
Photodynamic therapy for AKs of the face.
Treated AKs: forehead x6, L cheek x3, R cheek x3 (12 total).
The physician applied Ameluz (aminolevulinic acid 10% gel), one full 2 g tube (200 units J7345), no curettage or debridement beforehand. Incubation 1 hour. Red light illumination (BF-RhodoLED) performed by the physician the same day, 10 min. Tolerated with mild stinging. Strict photoprotection x 48 h.""", ["17000", "17003", "17004"], [])

R["ex-25"] = ("""DOS 07/21/2026. 44 y/o F. Commercial.
Excimer laser session #8, plaque psoriasis of bilateral elbows and knees.
Total treated area 180 sq cm; dose 400 mJ/cm2. No blistering from last session. Continue twice weekly.""", [],
 [{"fact": "treated area", "remove": "Total treated area 180 sq cm; ", "gap_field": "area_cm2"}])

R["ex-26"] = ("""DOS: 07/22/2026
77M Medicare
Procedure: excision of biopsy-proven BCC, L cheek, with advancement flap repair.
Consent, time-out, 1% lidocaine with epi. Lesion 1.0 cm; excised with 0.4 cm margins. The defect was repaired with an advancement flap; primary plus secondary defect 8.5 sq cm. 5-0 Monocryl deep, 6-0 Prolene. Dressing.
Path: basal cell carcinoma, margins clear.""", ["11643", "11642"],
 [{"fact": "flap defect area", "remove": "; primary plus secondary defect 8.5 sq cm", "gap_field": "defect_area_cm2"}])

R["ex-27"] = ("""DOS 07/23/2026  60 yo M  commercial
Est pt seen only for biopsy.
Exam: R forearm: new 0.7 cm skin neoplasm of uncertain nature, pink-tan, slightly scaly.
Procedure: punch biopsy, 4 mm, R forearm, after consent and time-out; 1% lidocaine with epi; closed with 1 simple 4-0 nylon suture.
Specimen sent; pathology pending at time of coding.""", [],
 [{"fact": "biopsy technique", "remove": "punch ", "gap_field": "technique"}])

R["ex-28"] = ("""DOS: 08/25/2026. 52 yo M, commercial.
Recurrently inflamed epidermoid cyst of the lower back (3 episodes of inflammation this year).
Cyst 2.6 cm. Excised with a 0.2 cm margin after consent and time-out under 1% lidocaine with epi. Simple closure 6.0 cm.
Path: epidermoid cyst.""", [],
 [{"fact": "margin of the excision", "remove": " with a 0.2 cm margin", "gap_field": "margin_cm"}])

R["ex-29"] = ("""DOS: 08/26/2026
Pt: 39 y/o F, commercial. Est pt.

CC: eczema flare; dark spot on R arm

HPI: Atopic dermatitis flaring in both antecubital fossae x 3 wk despite triamcinolone 0.1%. Sleep disturbed by itch.

Exam: lichenified eczematous plaques, bilateral antecubital fossae. R forearm: 1.0 cm irregular pigmented macule with asymmetric pigment network.

A/P:
1. Atopic dermatitis, flare: switch to tacrolimus 0.1% ointment BID + wet wraps; discussed dupilumab if not controlled. E/M est pt level 4 (moderate MDM), separately identifiable.
2. Irregular pigmented lesion R forearm, suspicious for melanoma: excision today.

Procedure: consent, time-out, 1% lidocaine with epi. Excised with 0.2 cm margins. Simple closure 3.0 cm. Specimen sent to dermpath; pathology pending at the time of coding.""", [], [])

R["ex-30"] = ("""DOS: 08/27/2026   74M   Medicare
Excision x2 of biopsy-proven lesions.

A. Upper back, BCC: excised with 0.4 cm margins. Simple closure 3.5 cm.
B. R forearm, SCC in situ: 1.0 cm lesion, 0.2 cm margins. Simple closure 3.0 cm.

Consent, time-out, 1% lidocaine with epi. Tolerated well.
Path: A: basal cell carcinoma. B: squamous cell carcinoma in situ.""", [], [])
