"""Dermatology words -> diagnosis keys and symptoms of the encounter format (abbreviations included).

"SCCIS" -> scc_in_situ, "ISK" -> seborrheic_keratosis (inflamed), "AKs" -> actinic_keratosis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dermbill.notes.alternation import word_alternation

PARONYCHIA = "paronychia"
# the codes of a paronychia by digit and side (ICD-10-CM L03.01- finger, L03.03- toe; 9: side not documented)
PARONYCHIA_CODES = {("finger", "right"): "L03.011", ("finger", "left"): "L03.012", ("finger", None): "L03.019",
                    ("toe", "right"): "L03.031", ("toe", "left"): "L03.032", ("toe", None): "L03.039"}

# order matters: more specific words first
DIAGNOSIS_WORDS: tuple[tuple[str, str], ...] = (
    (r"sccis|scc[- ]?in[- ]?situ|squamous cell (?:carcinoma )?in situ|bowen'?s?(?: disease)?|bowenoid", "scc_in_situ"),
    (r"melanoma in situ|mis|lentigo maligna(?! melanoma)|mmis", "melanoma_in_situ"),
    (r"(?:malignant )?melanoma|lentigo maligna melanoma|mm", "melanoma"),
    (r"merkel(?: cell)?(?: carcinoma)?", "merkel_cell"),
    # "nBCC", "sBCC", "iBCC": the subtype written as one letter before the abbreviation ("basil cell": as dictated)
    (r"(?:nodular |superficial |infiltrative |morpheaform |micronodular |pigmented )?(?:[nsim]?bcc|bas[ai]l cell"
     r"(?: carcinoma| ca| cancer| skin cancer)?)", "bcc"),
    (r"(?:invasive |well[- ]differentiated |moderately[- ]differentiated |poorly[- ]differentiated )?"
     r"(?:scc|squamous cell(?: carcinoma| ca| cancer)?)", "scc"),
    (r"aks?|actinic keratos[ie]s|actinic keratoses|hypertrophic aks?", "actinic_keratosis"),
    (r"i?sks?|(?:inflamed |irritated )?seborrh?eic keratos[ie]s", "seborrheic_keratosis"),
    (r"(?:compound |junctional |intradermal )?(?:dysplastic|atypical) (?:compound |junctional )?nev(?:us|i)|"
     r"dysplastic nev(?:us|i)", "dysplastic_nevus"),
    (r"(?:benign )?(?:compound |junctional |intradermal |congenital |melanocytic )?nev(?:us|i)|moles?",
     "melanocytic_nevus"),
    (r"dermatofibromas?|dfs?", "dermatofibroma"),
    (r"epiderm(?:oid|al)(?: inclusion)?(?: \([^)\n]{0,25}\))? cysts?|eics?|sebaceous cysts?|infundibular cysts?|"
     r"inclusion cysts?", "epidermoid_cyst"),
    (r"pilar(?: \([^)]*\))? cysts?|trichilemmal(?: \([^)]*\))? cysts?", "pilar_cyst"),
    (r"lipomas?", "lipoma"),
    # "tags neck/axillae rub on bra straps": the plural alone is the skin's
    (r"skin tags?|acrochordons?|tags", "acrochordon"),
    (r"cherry angiomas?|hemangiomas?|angiomas?", "hemangioma"),
    # "PG R index finger": the capitals only
    (r"pyogenic granulomas?|lobular capillary hemangiomas?|(?-i:PG)", "pyogenic_granuloma"),
    (r"plantar warts?|verruca plantaris|plantar verrucae?", "plantar_wart"),
    (r"condylomas?(?: acuminat\w+)?|anogenital warts?|genital warts?", "anogenital_wart"),
    (r"(?:common |flat )?warts?|verrucae?(?: vulgaris)?|vv", "wart"),
    (r"molluscum(?: contagiosum)?", "molluscum"),
    (r"keloids?|hypertrophic scars?", "keloid"),
    (r"corns?|callus(?:es)?|calluses|clavus|callosit\w+", "corn_callus"),
    # paronychia, felon and whitlow are cellulitis of a digit (L03.01-/L03.03-, by finger or toe and side), not an
    # abscess (RULES: an I&D of a paronychia is still 10060); the reader turns this key into the code
    (r"(?:acute |chronic )?paronychia|felons?|whitlows?", PARONYCHIA),
    (r"abscess(?:es)?|furuncles?|carbuncles?|boils?", "abscess"),
    # "ingrown L great toenail": a side and the digit between
    (r"ingrow(?:n|ing) (?:(?:great|big|bilateral|left|right|l|r|lt|rt) ){0,2}(?:toe ?)?nails?|onychocryptosis",
     "ingrown_nail"),
    (r"onychomycosis|tinea unguium", "onychomycosis"),
    (r"(?:plaque )?psoriasis", "psoriasis"),
    # the dermatitides a visit treats beside a procedure (each its own ICD-10-CM code; more specific words first):
    # "seb derm face - start ketoconazole", "irritant contact dermatitis from detergent", "chronic hand dermatitis"
    (r"seborrh?eic dermatitis|seb(?:orrh?eic)? derm|sebopsoriasis", "L21.9"),
    (r"irritant contact dermatitis (?:due to|from|to|2/2|secondary to|caused by) (?:the |a |his |her |new |"
     r"laundry )*(?:detergents?|soaps?|cleansers?)", "L24.0"),
    (r"irritant contact dermatitis|irritant dermatitis", "L24.9"),
    (r"allergic contact dermatitis (?:due to|from|to|2/2|secondary to|caused by) (?:the |a |his |her |a new )*"
     r"(?:nickel|metals?|jewel(?:le)?ry|belt buckles?|cobalt|chromium|earrings?)|nickel (?:allergy|dermatitis)",
     "L23.0"),
    (r"allergic contact dermatitis", "L23.9"),
    (r"contact dermatitis", "L25.9"),
    (r"perioral dermatitis|periorificial dermatitis", "L71.0"),
    (r"dyshidrotic (?:eczema|dermatitis)|dyshidrosis|pompholyx", "L30.1"),
    (r"asteatotic (?:eczema|dermatitis)|eczema craquel[eé]|xerotic eczema", "L30.8"),
    (r"nummular (?:eczema|dermatitis)|discoid eczema", "L30.0"),
    (r"atopic (?:hand |flexural )?dermatitis|eczema", "atopic_dermatitis"),
    # "chronic hand dermatitis": the condition's name, not a lesion on the hand
    # the ICD-10-CM index: Dermatitis, stasis I87.2 (with varicose veins I83.1-, which a note names as such)
    (r"(?:venous )?stasis (?:dermatitis|eczema)|venous (?:stasis )?eczema|gravitational eczema", "I87.2"),
    (r"(?:hand |chronic )*dermatitis", "L30.9"),
    (r"lichen planus", "L43.9"),
    # "4 tender inflamed nodulocysts along the jawline": the lesions of nodulocystic acne, not cysts (L72.9)
    (r"acne(?: vulgaris)?|nodulocysts?|nodulocystic acne", "acne"),
    (r"rosacea", "rosacea"),
    (r"uncertain (?:malignant )?(?:potential|behaviou?r)", "neoplasm_uncertain_behavior"),
    # conditions with no diagnosis key: the ICD-10-CM code itself (the format accepts one in capitals)
    (r"alopecia areata", "L63.9"),
    # the scarring alopecias (ICD-10-CM L66.-): named kinds first, then the family
    (r"central centrifugal cicatricial alopecia|ccca", "L66.81"), (r"frontal fibrosing alopecia", "L66.12"),
    (r"classic lichen planopilaris|lichen planopilaris,? classic(?: pattern| type)?", "L66.11"),
    (r"lichen planopilaris|lpp", "L66.10"), (r"(?:scarring|cicatricial) alopecia", "L66.9"),
    (r"(?:bullous )?pemphigoid", "L12.0"), (r"erythema nodosum", "L52"), (r"morphea|localized scleroderma", "L94.0"),
    (r"lichen sclerosus(?: et atrophicus)?|ls&a", "L90.0"), (r"hidradenitis(?: suppurativa)?|hs", "L73.2"),
    (r"lichen simplex chronicus", "L28.0"), (r"granuloma annulare", "L92.0"), (r"vitiligo", "L80"),
    (r"sebaceous hyperplasia", "L73.8"), (r"keratoacanthoma", "L85.8"), (r"port[- ]wine stains?|pws", "Q82.5"),
    (r"prurigo nodularis", "L28.1"), (r"pityriasis rosea", "L42"),
    # a vasculitis the skin biopsy shows (limited to the skin: L95.-): "leukocytoclastic vasculitis (L95.8)"
    (r"(?:cutaneous )?leukocytoclastic vasculitis|(?:cutaneous )?small[- ]vessel vasculitis|"
     r"cutaneous vasculitis", "L95.8"),
    (r"(?:inflamed |ruptured |infected |skin )?cysts?", "L72.9"),
    # infections and conditions a visit manages beside the day's procedure
    (r"tinea cruris|cruris", "B35.6"), (r"tinea corporis|corporis", "B35.4"), (r"tinea pedis|athlete'?s foot", "B35.3"),
    (r"tinea capitis", "B35.0"), (r"tinea (?:versicolor|versicolour)|pityriasis versicolor", "B36.0"),
    (r"tinea faciei|tinea manuum", "B35.8"), (r"tinea|dermatophytosis|ringworm", "B35.9"),
    (r"candidal intertrigo|cutaneous candidiasis", "B37.2"), (r"intertrigo", "L30.4"),
    (r"chronic (?:spontaneous |idiopathic )?urticaria", "L50.8"), (r"urticaria|hives", "L50.9"),
    (r"melasma|chloasma", "L81.1"), (r"androgenetic alopecia|male pattern (?:hair loss|baldness)|"
                                      r"female pattern hair loss", "L64.9"), (r"telogen effluvium", "L65.0"),
    (r"rash(?:es)?(?:, unspecified)?", "R21"),
)
# one word boundary, then the alternatives: the boundary is tested once per position instead of once per word, and
# only the alternatives that can start with the word's first letter are tried
_DIAGNOSIS_WORDS = word_alternation("\\b", [(f"d{i}", w) for i, (w, _) in enumerate(DIAGNOSIS_WORDS)], "s?\\b",
                                    re.IGNORECASE)
_DIAGNOSIS = _DIAGNOSIS_WORDS.pattern
_CASE_SENSITIVE = {"mm", "mis", "df", "dfs", "sk", "sks", "isk", "isks", "ak", "aks", "hs", "vv", "ccca", "lpp"}
HEDGE = re.compile(r"(r/o|rule out|ruling out|concerning for|suspicious for|suspect(?:ed)?|favor|ddx|"
                   r"differential|vs\.?|versus|possible|probable|\?|likely|clinically|query|cannot exclude)"
                   r"\W*(?:\w+\W+){0,3}$", re.IGNORECASE)
PROVEN = re.compile(r"(biopsy[- ]proven|bx[- ]proven|biopsy[- ]confirmed|known|recurrent|previously biopsied|"
                    r"path[- ]proven|documented|residual)\W*(?:\w+\W+){0,2}$", re.IGNORECASE)
# "SCC (bx 9/12/26)", "nBCC R nasal tip, biopsy proven": the proof written after the diagnosis word
PROVEN_AFTER = re.compile(r"[^.;\n]{0,30}?(?:\b(?:biopsy|bx|path)[- ](?:proven|confirmed)\b|"
                          r"\(\s*(?:prior\s+|previous\s+)?(?:biopsy|bx|path(?:ology)?)\b[^)\n]{0,20}\d)", re.IGNORECASE)
VISIT_ONLY = frozenset({"psoriasis", "atopic_dermatitis", "acne", "rosacea", "onychomycosis", "L80", "L73.2",
                        "L28.0", "L92.0", "L21.9", "L24.0", "L24.9", "L23.9", "L25.9", "L71.0", "L30.0", "L30.1",
                        "L30.8", "L30.9", "B35.6", "B35.4", "B35.3", "B35.0", "B36.0", "B35.8", "B35.9", "B37.2",
                        "L30.4", "L50.8", "L50.9", "L23.0", "L81.1", "L64.9", "L65.0", "I87.2"})
# the named dermatitides: a bare "dermatitis" (L30.9) in a note that names one of them is that one
DERMATITIS = frozenset({"atopic_dermatitis", "L21.9", "L24.0", "L24.9", "L23.9", "L25.9", "L71.0", "L30.0",
                        "L30.1", "L30.8", "I87.2"})


@dataclass(frozen=True, slots=True)
class DiagnosisMention:
    key: str
    start: int
    end: int
    hedged: bool
    proven: bool
    inflamed: bool


# "seborrheic keratosis, irritated type" (not "irritated type not seen")
_INFLAMED_AFTER = re.compile(r",?\s*(?:irritated|inflamed)\b(?![\w \t]{0,12}\b(?:not|absent)\b)", re.IGNORECASE)


def find_diagnoses(text: str, offset: int = 0) -> list[DiagnosisMention]:
    """Every diagnosis word in ``text``; hedged ("r/o BCC") and proven ("biopsy-proven BCC") are marked."""
    found: list[DiagnosisMention] = []
    for m in _DIAGNOSIS.finditer(text):
        group = m.lastgroup
        if group is None:
            continue
        word = m.group(0)
        if word.lower() in _CASE_SENSITIVE and not word.isupper() and word.lower() not in ("aks", "sks", "isks"):
            continue
        if word.lower() == "mms":
            continue  # Mohs micrographic surgery, not melanomas
        if word.lower() in ("mm", "mis") and not word.isupper():
            continue
        if word.lower() == "hs" and re.search(r"(?:\d|mg|tabs?|caps?|po|q|at)\s*$",
                                              text[max(0, m.start() - 6):m.start()], re.IGNORECASE):
            continue  # "10 mg HS", "qHS": at bedtime, not hidradenitis suppurativa
        if word.lower() == "mm" and re.match(r"\s*(?:x|margin|\))", text[m.end():m.end() + 8]):
            continue
        if word.lower() in ("mm",) and re.search(r"\d\s*$", text[max(0, m.start() - 3):m.start()]):
            continue
        key = DIAGNOSIS_WORDS[_DIAGNOSIS_WORDS.index[group]][1]
        before = text[max(0, m.start() - 40):m.start()]
        # "seborrheic keratosis, irritated (type)": the report's qualifier after the name
        inflamed = word.lower().startswith(("isk", "inflamed", "irritated")) or (
            key == "seborrheic_keratosis" and bool(_INFLAMED_AFTER.match(text, m.end())))
        found.append(DiagnosisMention(key, m.start() + offset, m.end() + offset, bool(HEDGE.search(before)),
                                      bool(PROVEN.search(before) or PROVEN_AFTER.match(text, m.end())), inflamed))
    return found


SYMPTOM_WORDS: tuple[tuple[str, str], ...] = (
    (r"bleed\w*|bled|hemorrhag\w*", "bleeding"),
    (r"itch\w*|prurit\w*", "itching"),
    (r"pain\w*|tender\w*|sore", "pain"),
    (r"inflamed|inflammation|erythematous|red and swollen|crusted|oozing", "inflamed"),
    (r"irritat\w*|catch\w* on|catches|rubs?|rubbed|rubbing|traumatized", "irritated"),
    (r"rapid(?:ly)? grow\w*|enlarg\w*|growing|changing|change in (?:size|color|colour)|new and growing",
     "rapid_growth"),
    (r"obstruct\w* (?:the )?(?:vision|visual field)|impairs vision", "obstructs_vision"),
    (r"infected|purulen\w*|pus", "infected"),
    (r"suspicious|atypical|irregular|concerning|r/o|rule out|ugly duckling", "suspicious_for_malignancy"),
)
_SYMPTOM_WORDS = word_alternation("\\b", [(f"y{i}", w) for i, (w, _) in enumerate(SYMPTOM_WORDS)], "", re.IGNORECASE)
_SYMPTOM = _SYMPTOM_WORDS.pattern
_BREAK = re.compile(r"[.;](?=\s)|\n(?=\s*[^a-z\s])")
_SYMPTOM_NEGATION = re.compile(r"\b(no|not|none|neither|denies|without|nor|asymptomatic)\b[^.;]*$", re.IGNORECASE)


def find_symptoms(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Symptoms that make removal medically necessary, unless negated in the same clause ("no itching")."""
    found: list[tuple[str, int, int]] = []
    for m in _SYMPTOM.finditer(text):
        group = m.lastgroup
        if group is None:
            continue
        breaks = [b.end() for b in _BREAK.finditer(text, 0, m.start())]
        if _SYMPTOM_NEGATION.search(text[(breaks[-1] if breaks else 0):m.start()]) or \
                re.search(r"\bnon[- ]?$", text[max(0, m.start() - 4):m.start()], re.IGNORECASE):
            continue  # "no itching", "non-inflamed": the symptom is denied
        found.append((SYMPTOM_WORDS[_SYMPTOM_WORDS.index[group]][1], m.start() + offset, m.end() + offset))
    return found
