"""Procedure words -> procedure types and techniques of the encounter format.

"sbx" -> biopsy (tangential), "pbx" -> biopsy (punch), "ED&C" -> destruction (electrosurgery), "LN2" -> destruction
(cryotherapy), "Mohs" -> mohs, "layered closure" -> repair (intermediate), "advancement flap" -> adjacent tissue
transfer, "I&D" -> incision and drainage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dermbill.notes.alternation import word_alternation

PROCEDURE_WORDS: tuple[tuple[str, str, str | None], ...] = (
    # (pattern, type, detail)
    (r"mohs(?: micrographic)?(?: surgery)?|micrographic surgery|mms", "mohs", None),
    (r"photodynamic therapy|pdt|blu-?light|levulan|ameluz|metvix", "photodynamic_therapy", None),
    (r"excimer(?: laser)?|xtrac|nb-?uvb|narrow-?band uvb|uvb phototherapy|phototherapy|puva|goeckerman",
     "phototherapy", None),
    (r"incision and drainage|incised and drained|i\s?&\s?d|i and d|lanced|"
     # "#11 blade inserted under the lateral nail fold, pus drained": the drainage of a collection is the I&D
     r"(?:pus|purulen\w+(?: material)?|abscess(?: cavity)?)\s+(?:was\s+|were\s+)?(?:drained|evacuated)|"
     r"drained (?:the )?(?:pus|abscess)", "incision_drainage", None),
    # "Cruciate incision; loculations broken up, purulent material expressed": an incision that lets out pus
    # (kept only when the pus follows, below)
    (r"(?:stab |cruciate |linear |small |\d(?:\.\d)? ?cm )?incision|incised", "incision_drainage", "opened"),
    (r"(?:partial |complete |total )?(?:nail )?avulsion|avulsed", "nail_avulsion", None),
    (r"(?:nail )?debridement of (?:\w+ ){0,3}(?:toe|finger)?nails|nails? (?:were |was )?debrided|"
     r"debrided (?:\w+ ){0,3}nails?|nail debridement|"
     # "mechanically debrided in thickness and length": the words of the nail debridement code itself
     r"debrided in (?:thickness|length)|debridement in (?:thickness|length)", "nail_debridement", None),
    (r"pared|paring|trimmed", "paring", None),
    (r"snip(?:ped)?(?: excision)?|snipped|clipped", "skin_tag_removal", None),
    (r"(?:punch|pbx)(?: biops(?:y|ies))?|punch(?:ed)?", "biopsy", "punch"),
    (r"incisional biops(?:y|ies)|wedge biops(?:y|ies)|incisional", "biopsy", "incisional"),
    (r"(?:shave|tangential|saucerization|saucerized|scoop|deep shave|curette) (?:biops(?:y|ies|ied)|bx)|sbx|"
     r"biops(?:y|ied|ies) (?:by|via|with) (?:shave|tangential|saucerization)|saucerization|saucerized",
     "biopsy", "tangential"),
    (r"biops(?:y|ies|ied)|bx", "biopsy", None),
    (r"shave (?:removal|excision)|removed (?:by|with|via) (?:a )?(?:deep )?shave|shaved(?: off)?(?: flush)?|"
     r"tangential removal|shave", "shave_removal", None),
    (r"(?:advancement|rotation|transposition|rhombic|bilobed|island pedicle|v-?y|o-?to-?z|a-?to-?t|"
     r"o-?z|a-?t|keystone) flap|flap|z-?plasty|w-?plasty|adjacent tissue transfer|tissue rearrangement",
     "adjacent_tissue_transfer", None),
    (r"(?:wide local |elliptical |fusiform |re-?)?excis(?:ed|ion|ional|e)|ellipse|wle", "excision", None),
    (r"ed\s?&\s?c|ed\s?\+\s?c|ed and c|c\s?&\s?d|c\s?&\s?e|electrodesiccation and curettage|"
     r"curettage and (?:electro)?desiccation|electrodessication and curettage", "destruction", "electrosurgery"),
    (r"cryo(?:therapy|surgery)?|ln2|liquid nitrogen|cryotherapy|frozen|freeze|froze", "destruction", "cryotherapy"),
    (r"curettage|curetted|curetting", "destruction", "curettage"),
    (r"electrodesiccat\w*|electrodessicat\w*|hyfrecat\w*|electrocauter\w*|fulgurat\w*|electrosurg\w*",
     "destruction", "electrosurgery"),
    (r"(?:pulsed[- ]dye |vascular |v-?beam |pdl )?laser|pdl|v-?beam", "destruction", "laser"),
    (r"cantharidin|trichloroacetic|tca|podophyll\w*|chemical destruction|chemically destroyed", "destruction",
     "chemical"),
    (r"treated with (?:cryo\w*|ln2|liquid nitrogen)", "destruction", "cryotherapy"),
    (r"destroyed|destruction", "destruction", None),
    (r"(?:intralesional(?:ly)?|il) (?:injection|kenalog|triamcinolone|steroid)|injected|injection|ilk|"
     r"intralesional(?:ly)?", "intralesional_injection", None),
    (r"(?:simple|intermediate|layered|complex|primary|linear|two[- ]layer|bilayered|single[- ]layer|"
     r"layered intermediate)\s+(?:linear )?(?:closure|repair)|"
     r"closed (?:primarily|in layers|in (?:two|2|multiple) layers|with|using|side-to-side)|"
     r"repaired|repair|closure|sutured", "repair", None),
    (r"removed|removal", "removal", None),
)
# one word boundary, then the alternatives (tested once per position, not once per word; only those that can start
# with the word's first letter)
_PROCEDURE_WORDS = word_alternation("\\b", [(f"p{i}", w) for i, (w, _, _) in enumerate(PROCEDURE_WORDS)], "s?(?![\\w])",
                                    re.IGNORECASE)
_PROCEDURE = _PROCEDURE_WORDS.pattern


# the nail or a border of it, named before "removed" in the same clause (not "nail polish removed")
_NAIL_PART_BEFORE = re.compile(r"\b(?:(?:nail|toenail|fingernail)\s+(?:plate|border|edge|spicule|margin)s?|"
                               r"(?:lateral|medial|radial|ulnar|distal)\s+(?:nail\s+)?(?:border|edge|third|quarter)s?"
                               r"(?:\s+of\s+(?:the\s+)?(?:nail|toenail|fingernail)(?:\s+plate)?)?|"
                               r"ingrown\s+(?:nail\s+)?(?:border|edge|portion|spicule)|"
                               r"(?:entire|whole|total)\s+(?:toe|finger)?nail)"
                               r"(?:(?!polish|lacquer|sutures?|dressing)[^,.;:\n]|,\s*(?=\w+(?:ed|t)\b)){0,60}$",
                               re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ProcedureMention:
    type: str
    detail: str | None
    start: int
    end: int


def find_procedures(text: str, offset: int = 0) -> list[ProcedureMention]:
    """Every procedure word in ``text``."""
    found: list[ProcedureMention] = []
    for m in _PROCEDURE.finditer(text):
        group = m.lastgroup
        if group is None:
            continue
        _, kind, detail = PROCEDURE_WORDS[_PROCEDURE_WORDS.index[group]]
        word = m.group(0).lower()
        if detail == "opened":
            if not re.match(r"[^.\n]{0,160}?\b(?:pus|purulen\w*|loculations?)\b", text[m.end():m.end() + 180],
                            re.IGNORECASE):
                continue  # "incision lines", "elliptical incision": no abscess opened
            detail = None
        if kind == "intralesional_injection" and re.search(
                r"lidocaine|anesthe|xylocaine|epinephrine|bupivacaine|marcaine",
                re.split(r"[.;\n]", text[max(0, m.start() - 40):m.start()])[-1] +
                re.split(r"[.;\n]", text[m.start():m.end() + 40])[0], re.IGNORECASE):
            continue
        if kind == "destruction" and detail == "curettage" and re.search(
                r"biops|bx", text[max(0, m.start() - 20):m.end() + 20], re.IGNORECASE):
            kind, detail = "biopsy", "tangential"
        # "closure with steri-strips" is a dressing; "Repaired, 4.1 cm. Dressing." is a repair (the next sentence's
        # dressing is not its)
        if kind == "repair" and re.search(r"hemostasis|dressing|steri|bandage|second(?:ary)? intention",
                                          re.split(r"[.;](?=\s)", text[m.start():m.end() + 30])[0], re.IGNORECASE):
            continue
        if kind == "biopsy" and (re.match(r"[- ]?(?:proven|confirmed|site|scar|report|result|showed|revealed|"
                                          r"dated|photo|picture|image|slide)", text[m.end():m.end() + 10],
                                          re.IGNORECASE)
                                 or re.search(r"(?:prior|previous|recent|outside|post|s/p|earlier)[- ]$",
                                              text[max(0, m.start() - 10):m.start()], re.IGNORECASE)):
            continue
        if kind == "excision" and re.search(r"\b(?:burow'?s?|dog[- ]?ears?|standing cones?|crescents?|triangles?|"
                                            r"redundant (?:skin|tissue)|cones?)\b[^.;]{0,25}$",
                                            text[max(0, m.start() - 40):m.start()], re.IGNORECASE):
            continue  # "crescent of skin excised at the alar crease", "Burow's triangle excised": part of the flap
        if kind == "destruction" and (
                re.search(r"hemostasis[^.;]{0,30}$", text[max(0, m.start() - 40):m.start()], re.IGNORECASE)
                or re.match(r"[^.;]{0,12}\bhemostasis", text[m.end():m.end() + 30], re.IGNORECASE)) and \
                not re.search(r"ed\s*&\s*c|ed\s*and\s*c|curett", m.group(0), re.IGNORECASE):
            continue  # "electrocautery for hemostasis" (an ED&C "x3 cycles, hemostasis w/ hyfrecator" is the treatment)
        if kind == "destruction" and detail == "electrosurgery" and (
                re.search(r"\bbase\b[^.;]{0,12}$", text[max(0, m.start() - 20):m.start()], re.IGNORECASE)
                or re.match(r"\s*(?:of\s+)?(?:the\s+)?base\b", text[m.end():m.end() + 15], re.IGNORECASE)):
            continue  # "removed by shave and the base electrodesiccated": the removal's hemostasis, not a destruction
        if kind not in ("repair", "removal") and re.match(
                r"[ \t]+(?:scars?|sites?|bed)\b(?!\s*:(?!\s*(?:sutures?|staples?|healing|healed|well|clean|c/d/i|"
                r"intact|no (?:erythema|drainage|signs))))", text[m.end():m.end() + 30], re.IGNORECASE):
            # "WLE scar well healed", "biopsy site", "excision site: sutures intact": an earlier procedure's trace
            # ("Biopsy site: R cheek" names today's)
            continue
        if kind not in ("removal",) and re.match(
                r"\s*(?:is\s+|was\s+|looks?\s+|appears?\s+|remains?\s+)?(?:viable|healing|(?:well[- ])?healed|"
                r"pink and viable|taking well|take\b|necrotic|congested|with(?:out)? (?:necrosis|congestion))\b",
                text[m.end():m.end() + 30], re.IGNORECASE):
            continue  # "flap viable", "graft take 100%", "excision healing well": an earlier procedure's wound today
        if kind == "excision" and re.match(r"[^.;\n]{0,60}\b(?:frozen sections?|slides|pathologist)\b",
                                           text[m.end():m.end() + 80], re.IGNORECASE):
            continue  # "I performed the excisions and read all frozen sections": a Mohs surgeon's attestation
        # (on the same line: "MOHS MICROGRAPHIC SURGERY" over "Surgeon and pathologist: same" is the procedure)
        if re.match(r"[ \t]+(?:surgeon|surgery (?:consult|clinic|referral|appt|appointment)|clinic|consult\w*|referral|"
                    r"center|appts?\b|appointments?\b|date\b|"
                    r"(?:pre|post)[- ]?op(?:erative)?\b|eval(?:uation)?\b)",
                    text[m.end():m.end() + 25], re.IGNORECASE):
            # "referred to Mohs surgeon": a person or a place, not a procedure; "Keep Mohs appt 11/4": a day booked
            # for it; "MOHS PRE-OPERATIVE CONSULTATION",
            # "excision post-op check": a visit about the procedure, not the procedure
            continue
        if kind == "removal" and _NAIL_PART_BEFORE.search(re.split(r"[.;](?=\s)", text[max(0, m.start() - 80):
                                                                                     m.start()])[-1]):
            # "lateral border of nail plate elevated, split and removed", "medial border removed in the same
            # manner": a part of the nail taken off is its avulsion
            kind = "nail_avulsion"
        if kind == "removal" and (
                re.search(r"\b(?:sutures?|stitch(?:es)?|staples?|steri-?strips?|dressing|packing)\s+(?:were\s+|was\s+)?$",
                          text[max(0, m.start() - 25):m.start()], re.IGNORECASE)
                or re.match(r"\s+(?:of\s+)?(?:the\s+)?(?:sutures?|stitch(?:es)?|staples?|packing)\b",
                            text[m.end():m.end() + 20], re.IGNORECASE)):
            continue  # "Suture removal 7 d (face), 14 d (arm)": the wound's follow-up, not a lesion removed
        if re.search(r"\b(?:post|pre)[- ]?op(?:erative)?\.?\s+(?:check|visit|f/?u|follow[- ]?up|eval\w*|wound check)"
                     r"\b[\s,:-]*(?:(?:of|for|after)\s+(?:the\s+|her\s+|his\s+)?)?(?:[\w&]+\s*(?:/|\+|&|and)\s*){0,2}$",
                     text[max(0, m.start() - 50):m.start()], re.IGNORECASE):
            continue  # "Post-op check, Mohs/flap L nasal ala": a visit about an earlier procedure, not one done today
        if re.match(r"[ \t]*(?:surgeon|pathologist|assistant|attending|anesthesia|performed by|provider)\b"
                    r"[^:\n]{0,30}:",
                    text[text.rfind("\n", 0, m.start()) + 1:m.start()], re.IGNORECASE):
            continue  # "Surgeon / pathologist: self (same physician for excision and frozen-section reading)": a role
        if re.search(r"\b(?:post|pre)[- ]?$", text[max(0, m.start() - 6):m.start()], re.IGNORECASE):
            continue  # "expected post-cryo blistering", "pre-Mohs photo": about a procedure, not one
        if re.search(r"\b(?:separate|distinct|apart|away|remote|different|unrelated|far)\s+(?:\w+\s+){0,2}"
                     r"(?:from|to)\s+(?:the\s+)?$", text[max(0, m.start() - 40):m.start()], re.IGNORECASE):
            continue  # "separate site from the excision": another lesion's procedure named to place this one
        if word == "frozen" and re.match(r"\W{0,3}(?:\w+\s+)?(?:sections?|h\s?&\s?e|h and e|slides?|tissue|blocks?)\b",
                                         text[m.end():m.end() + 25], re.IGNORECASE):
            continue  # "frozen sections", "frozen H&E": how a Mohs layer is read, not a lesion frozen
        if kind == "shave_removal" and word.startswith("shave") and (
                re.search(r"\b(?:pt|patient|she|he|they|who|to|avoid|not|no)\s+(?:\w+\s+)?$",
                          text[max(0, m.start() - 20):m.start()], re.IGNORECASE)
                or (word == "shaves" and re.match(r"\s+(?:(?:her|his|the)\s+)?(?:axill\w*|underarms?|armpits?|legs?|"
                                                   r"face|beard|head|groin|pubic|bikini|chest)\b",
                                                   text[m.end():m.end() + 20], re.IGNORECASE))):
            continue  # "Shaves axillae", "pt shaves her legs", "avoid shave": hair, not a lesion removed
        if kind == "skin_tag_removal" and word.startswith("clip") and (
                re.search(r"\bhair\s+(?:was\s+|were\s+)?$", text[max(0, m.start() - 12):m.start()], re.IGNORECASE)
                or re.match(r"\s*(?:the\s+)?hair\b", text[m.end():m.end() + 12], re.IGNORECASE)):
            continue  # "Hair clipped/taped": the site's preparation, not a tag removed
        if kind == "paring" and word == "trimmed" and re.search(
                r"\b(?:cartilage|fat|dog-?ears?|cones?|edges?|margins?|nails?|hair|sutures?|tails?|skin|tissue|"
                r"redundan\w*|flaps?)\s+(?:\w+\s+){0,2}$", text[max(0, m.start() - 30):m.start()], re.IGNORECASE):
            continue  # "exposed cartilage trimmed", "dog-ear trimmed": part of a repair, not a callus pared
        if found and kind in ("biopsy", "shave_removal") and found[-1].type == "biopsy" and re.fullmatch(
                r"\s*\(\s*(?:\w+\s+)?", text[found[-1].end - offset:m.start()]):
            continue  # "saucerization (deep shave)": the parenthesis restates the technique just named
        found.append(ProcedureMention(kind, detail, m.start() + offset, m.end() + offset))
    return found


def repair_complexity(text: str) -> str | None:
    """simple / intermediate / complex from the words of a repair ("layered" is intermediate)."""
    # "Closure: [ ] Simple  [x] Intermediate (layered)  [ ] Complex": an option left unchecked is not the closure
    lowered = re.sub(r"\[\s?\]\s*(?:simple|intermediate|complex|layered)\b[^\[\n]*", " ", text.lower())
    if re.search(r"\bcomplex\b|extensive undermining|wide undermining|retention sutures", lowered):
        return "complex"
    if re.search(r"intermediate|layered|in (?:2|two|multiple) layers|in layers|(?:two|2)[- ]layer|bilayer|"
                 r"deep (?:dermal )?sutures|subcutaneous sutures|buried|subcuticular|dead space", lowered):
        return "intermediate"
    if re.search(r"\b(?:vicryl|monocryl|pds|dexon|polyglactin|poliglecaprone)\b", lowered) and \
            re.search(r"\b(?:nylon|prolene|ethilon|polypropylene|fast[- ]gut)\b", lowered) and \
            not re.search(r"\bsimple\b|single[- ]layer|non-?layered", lowered):
        # "3-0 vicryl, skin 4-0 nylon": an absorbable deep layer under the skin's sutures is a layered closure
        return "intermediate"
    if re.search(r"\bsimple\b|single[- ]layer|primar(?:y|ily)|non-?layered|epidermal sutures|interrupted", lowered):
        return "simple"
    return None
