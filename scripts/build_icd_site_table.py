"""Write dermbill's ICD-10-CM site table: (diagnosis family, site key, laterality, sex) -> billable code.

Usage:
    python scripts/build_icd_site_table.py [OUTPUT_CSV]

OUTPUT_CSV defaults to dermbill/reference/tables/icd10cm_by_site/codes.csv. Columns:
``family,site,laterality,sex,code``. ``laterality`` is ``left``/``right`` for the paired sites of
encounter.md and empty otherwise; ``sex`` is ``F``/``M`` on the two ``genitalia`` rows of each family (the
genital-organ code depends on the organ) and empty otherwise.

Source: ICD-10-CM FY2026, April 1 2026 release (Tabular List), read through the PyPI package
simple-icd-10-cm 1.5.0 (data file icd10c-tabular-April-1-2026.xml). Every code written is checked to be a
valid billable leaf of that Tabular; if any is not, or a combination has no code, the script names each
offending combination on stderr and exits non-zero without writing the table. The mapping and the reasons
for its judgement calls (Excludes1/Excludes2 notes and inclusion terms of the Tabular) are documented in
dermbill/reference/tables/icd10cm_by_site/README.md.
"""

from __future__ import annotations

import csv
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import simple_icd_10_cm as cm

EXPECTED_PACKAGE_VERSION = "1.5.0"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "dermbill/reference/tables/icd10cm_by_site/codes.csv"
HEADER = ("family", "site", "laterality", "sex", "code")

# A code spec is a code (same for every side/sex), {"right": ..., "left": ...} for a paired site, or
# {"F": ..., "M": ...} for genitalia.
Spec = str | dict[str, str]


def lr(right: str, left: str) -> dict[str, str]:
    return {"right": right, "left": left}


def fm(female: str, male: str) -> dict[str, str]:
    return {"F": female, "M": male}


# Site keys of encounter.md, in its order, with the neoplasm site group each one is coded to.
SITE_GROUP: dict[str, str] = {
    # head and neck
    "scalp": "scalp_neck",
    "forehead": "face_other",
    "temple": "face_other",
    "eyebrow": "face_other",  # eyebrow is not in the eyelid subcategories' titles or inclusion terms
    "eyelid_upper": "eyelid_upper",
    "eyelid_lower": "eyelid_lower",
    "nose": "nose",
    "cheek": "face_other",
    "ear": "ear",
    "lip_vermilion": "lip_vermilion",
    "lip_upper_cutaneous": "lip_skin",
    "lip_lower_cutaneous": "lip_skin",
    "chin": "face_other",
    "jaw": "face_other",
    "oral_mucosa": "oral_mucosa",
    "neck": "scalp_neck",
    # trunk
    "chest": "trunk_other",
    "breast": "breast_skin",
    "abdomen": "trunk_other",
    "back_upper": "trunk_other",
    "back_lower": "trunk_other",
    "flank": "trunk_other",
    "axilla": "trunk_other",
    "buttock": "trunk_other",
    "groin": "trunk_other",
    "perianal": "anal_skin",
    "genitalia": "genitalia",
    # upper limb (incl. shoulder)
    "shoulder": "upper_limb",
    "upper_arm": "upper_limb",
    "elbow": "upper_limb",
    "forearm": "upper_limb",
    "wrist": "upper_limb",
    "hand_dorsum": "upper_limb",
    "palm": "upper_limb",
    "finger": "upper_limb",
    # lower limb (incl. hip)
    "hip": "lower_limb",
    "thigh": "lower_limb",
    "knee": "lower_limb",
    "lower_leg": "lower_limb",
    "ankle": "lower_limb",
    "foot_dorsum": "lower_limb",
    "sole": "lower_limb",
    "toe": "lower_limb",
}

PAIRED_SITES = frozenset({
    "eyelid_upper", "eyelid_lower", "eyebrow", "ear", "cheek", "temple", "breast", "axilla", "buttock", "groin",
    "shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand_dorsum", "palm", "finger",
    "hip", "thigh", "knee", "lower_leg", "ankle", "foot_dorsum", "sole", "toe",
})
GENITAL_SITES = frozenset({"genitalia"})

# Neoplasm families: family -> site group -> spec. C44 lateral codes use 2 = right, 9 = left; C43, C4A, D03,
# D04, D22, D23 use 1 = right, 2 = left.
NEOPLASM: dict[str, dict[str, Spec]] = {
    "melanoma": {
        "lip_skin": "C43.0",
        "lip_vermilion": "C00.2",  # C43.0 Excludes1 vermilion border of lip (C00.0-C00.2); side of lip unknown
        "oral_mucosa": "C06.0",  # C43 Excludes2: sites other than skin - code to malignant neoplasm of the site
        "eyelid_upper": lr("C43.111", "C43.121"),
        "eyelid_lower": lr("C43.112", "C43.122"),
        "ear": lr("C43.21", "C43.22"),
        "nose": "C43.31",
        "face_other": "C43.39",
        "scalp_neck": "C43.4",
        "anal_skin": "C43.51",
        "breast_skin": "C43.52",
        "trunk_other": "C43.59",
        "upper_limb": lr("C43.61", "C43.62"),
        "lower_limb": lr("C43.71", "C43.72"),
        "genitalia": fm("C51.9", "C60.9"),  # C43 Excludes2 melanoma of skin of genital organs (C51-C52, C60.-)
    },
    "melanoma_in_situ": {
        "lip_skin": "D03.0",
        "lip_vermilion": "D03.0",  # D00 Excludes1 melanoma in situ (D03.-); D03.0 has no vermilion exclusion
        "oral_mucosa": "D03.8",  # D00 Excludes1 melanoma in situ (D03.-): other sites
        "eyelid_upper": lr("D03.111", "D03.121"),
        "eyelid_lower": lr("D03.112", "D03.122"),
        "ear": lr("D03.21", "D03.22"),
        "nose": "D03.39",  # D03 has no nose code
        "face_other": "D03.39",
        "scalp_neck": "D03.4",
        "anal_skin": "D03.51",
        "breast_skin": "D03.52",
        "trunk_other": "D03.59",
        "upper_limb": lr("D03.61", "D03.62"),
        "lower_limb": lr("D03.71", "D03.72"),
        # D03.8 inclusion term "Melanoma in situ of scrotum"; D07 Excludes1 melanoma in situ
        "genitalia": fm("D03.8", "D03.8"),
    },
    "bcc": {
        "lip_skin": "C44.01",
        "lip_vermilion": "C00.2",  # C44.0 Excludes1 malignant neoplasm of lip (C00.-)
        "oral_mucosa": "C06.0",
        "eyelid_upper": lr("C44.1121", "C44.1191"),
        "eyelid_lower": lr("C44.1122", "C44.1192"),
        "ear": lr("C44.212", "C44.219"),
        "nose": "C44.311",
        "face_other": "C44.319",
        "scalp_neck": "C44.41",
        "anal_skin": "C44.510",
        "breast_skin": "C44.511",
        "trunk_other": "C44.519",
        "upper_limb": lr("C44.612", "C44.619"),
        "lower_limb": lr("C44.712", "C44.719"),
        "genitalia": fm("C51.9", "C60.9"),  # C44 Excludes1 skin of genital organs (C51-C52, C60.-, C63.2)
    },
    "scc": {
        "lip_skin": "C44.02",
        "lip_vermilion": "C00.2",
        "oral_mucosa": "C06.0",
        "eyelid_upper": lr("C44.1221", "C44.1291"),
        "eyelid_lower": lr("C44.1222", "C44.1292"),
        "ear": lr("C44.222", "C44.229"),
        "nose": "C44.321",
        "face_other": "C44.329",
        "scalp_neck": "C44.42",
        "anal_skin": "C44.520",
        "breast_skin": "C44.521",
        "trunk_other": "C44.529",
        "upper_limb": lr("C44.622", "C44.629"),
        "lower_limb": lr("C44.722", "C44.729"),
        "genitalia": fm("C51.9", "C60.9"),
    },
    "merkel_cell": {
        "lip_skin": "C4A.0",
        "lip_vermilion": "C00.2",  # C4A.0 Excludes1 vermilion border of lip (C00.0-C00.2)
        "oral_mucosa": "C06.0",  # every C4A subcategory is a skin site; mucosa goes to the site's code
        "eyelid_upper": lr("C4A.111", "C4A.121"),
        "eyelid_lower": lr("C4A.112", "C4A.122"),
        "ear": lr("C4A.21", "C4A.22"),
        "nose": "C4A.31",
        "face_other": "C4A.39",
        "scalp_neck": "C4A.4",
        "anal_skin": "C4A.51",
        "breast_skin": "C4A.52",
        "trunk_other": "C4A.59",
        "upper_limb": lr("C4A.61", "C4A.62"),
        "lower_limb": lr("C4A.71", "C4A.72"),
        # C4A.5 Excludes2 scrotum (C63.2); blocks C51-C58 / C60-C63 include skin of genital organs
        "genitalia": fm("C51.9", "C60.9"),
    },
    "scc_in_situ": {
        "lip_skin": "D04.0",
        "lip_vermilion": "D00.01",  # D04.0 Excludes2 carcinoma in situ of vermilion border of lip (D00.01)
        "oral_mucosa": "D00.02",
        "eyelid_upper": lr("D04.111", "D04.121"),
        "eyelid_lower": lr("D04.112", "D04.122"),
        "ear": lr("D04.21", "D04.22"),
        "nose": "D04.39",
        "face_other": "D04.39",
        "scalp_neck": "D04.4",
        "anal_skin": "D04.5",
        "breast_skin": "D04.5",
        "trunk_other": "D04.5",
        "upper_limb": lr("D04.61", "D04.62"),
        "lower_limb": lr("D04.71", "D04.72"),
        "genitalia": fm("D07.1", "D07.4"),  # D04.5 Excludes1 carcinoma in situ of skin of genital organs (D07.-)
    },
    "melanocytic_nevus": {
        "lip_skin": "D22.0",
        "lip_vermilion": "D10.0",  # D10.0 includes vermilion border; Excludes1 skin of lip (D22.0, D23.0)
        "oral_mucosa": "D10.39",  # D22 has no mucosal site
        "eyelid_upper": lr("D22.111", "D22.121"),
        "eyelid_lower": lr("D22.112", "D22.122"),
        "ear": lr("D22.21", "D22.22"),
        "nose": "D22.39",
        "face_other": "D22.39",
        "scalp_neck": "D22.4",
        "anal_skin": "D22.5",
        "breast_skin": "D22.5",
        "trunk_other": "D22.5",
        "upper_limb": lr("D22.61", "D22.62"),
        "lower_limb": lr("D22.71", "D22.72"),
        "genitalia": fm("D28.0", "D29.0"),  # D28 / D29 include benign neoplasm of skin of genital organs
    },
    "benign_neoplasm": {
        "lip_skin": "D23.0",
        "lip_vermilion": "D10.0",  # D23.0 Excludes1 benign neoplasm of vermilion border of lip (D10.0)
        "oral_mucosa": "D10.39",
        "eyelid_upper": lr("D23.111", "D23.121"),
        "eyelid_lower": lr("D23.112", "D23.122"),
        "ear": lr("D23.21", "D23.22"),
        "nose": "D23.39",
        "face_other": "D23.39",
        "scalp_neck": "D23.4",
        "anal_skin": "D23.5",
        "breast_skin": "D23.5",
        "trunk_other": "D23.5",
        "upper_limb": lr("D23.61", "D23.62"),
        "lower_limb": lr("D23.71", "D23.72"),
        "genitalia": fm("D28.0", "D29.0"),
    },
    "uncertain_behavior": {
        **dict.fromkeys(
            ("lip_skin", "eyelid_upper", "eyelid_lower", "ear", "nose", "face_other", "scalp_neck", "anal_skin",
             "breast_skin", "trunk_other", "upper_limb", "lower_limb"),
            "D48.5",
        ),
        "lip_vermilion": "D37.01",  # D48.5 Excludes1 vermilion border of lip (D37.0); D37.01 includes it
        "oral_mucosa": "D37.09",
        "genitalia": fm("D39.8", "D40.8"),  # D48.5 Excludes1 skin of genital organs (D39.8, D40.8)
    },
    "unspecified_behavior": {
        **dict.fromkeys(
            ("lip_skin", "eyelid_upper", "eyelid_lower", "ear", "nose", "face_other", "scalp_neck", "anal_skin",
             "breast_skin", "trunk_other", "upper_limb", "lower_limb"),
            "D49.2",
        ),
        "lip_vermilion": "D49.0",  # D49.2 Excludes1 vermilion border of lip (D49.0)
        "oral_mucosa": "D49.0",
        "genitalia": fm("D49.59", "D49.59"),  # D49.2 Excludes1 skin of genital organs (D49.59)
    },
    # Lipoma of skin and subcutaneous tissue, D17.0-D17.3 by body region.
    "lipoma": {
        **dict.fromkeys(
            ("lip_skin", "lip_vermilion", "eyelid_upper", "eyelid_lower", "ear", "nose", "face_other",
             "scalp_neck"),
            "D17.0",
        ),
        "oral_mucosa": "D17.79",  # not skin or subcutaneous tissue: lipomatous neoplasm of other sites
        **dict.fromkeys(("anal_skin", "breast_skin", "trunk_other"), "D17.1"),
        "upper_limb": lr("D17.21", "D17.22"),
        "lower_limb": lr("D17.23", "D17.24"),
        "genitalia": fm("D17.39", "D17.39"),  # skin and subcutaneous tissue of other sites
    },
}

# Cutaneous abscess is coded by site key (its L02 subdivisions are finer than the neoplasm groups); where an
# L02 Excludes note sends a site to another chapter, that chapter's billable code is used.
ABSCESS: dict[str, Spec] = {
    "scalp": "L02.811",  # head [any part, except face]
    "forehead": "L02.01",
    "temple": "L02.01",
    "eyebrow": "L02.01",
    "eyelid_upper": lr("H00.031", "H00.034"),  # L02.0 Excludes2 abscess of eyelid (H00.0)
    "eyelid_lower": lr("H00.032", "H00.035"),
    "nose": "J34.0",  # L02.0 Excludes2 abscess of nose (J34.0)
    "cheek": "L02.01",
    "ear": lr("H60.01", "H60.02"),  # L02.0 Excludes2 abscess of ear, external (H60.0)
    "lip_vermilion": "K13.0",  # K13.0 inclusion term "Abscess of lips"
    "lip_upper_cutaneous": "K13.0",
    "lip_lower_cutaneous": "K13.0",
    "chin": "L02.01",
    "jaw": "L02.01",
    "oral_mucosa": "K12.2",  # L02.0 Excludes2 abscess of mouth (K12.2)
    "neck": "L02.11",
    "chest": "L02.213",
    "breast": "N61.1",  # L02.2 Excludes2 abscess of breast (N61.1)
    "abdomen": "L02.211",
    "back_upper": "L02.212",
    "back_lower": "L02.212",
    "flank": "L02.217",  # own code; L02.212 is back "except buttock and flank"
    "axilla": lr("L02.411", "L02.412"),
    "buttock": "L02.31",
    "groin": "L02.214",
    "perianal": "K61.0",  # L02 Excludes2 abscess of anus and rectal regions (K61.-); K61.0 includes perianal
    "genitalia": fm("N76.4", "N48.21"),  # L02 Excludes2 female (N76.4) / male (N48.2, N49.-) genital abscess
    **dict.fromkeys(("shoulder", "upper_arm", "elbow", "forearm", "wrist"), lr("L02.413", "L02.414")),
    **dict.fromkeys(("hand_dorsum", "palm", "finger"), lr("L02.511", "L02.512")),
    **dict.fromkeys(("hip", "thigh", "knee", "lower_leg", "ankle"), lr("L02.415", "L02.416")),
    **dict.fromkeys(("foot_dorsum", "sole", "toe"), lr("L02.611", "L02.612")),
}

FAMILIES = (
    "melanoma", "melanoma_in_situ", "merkel_cell", "bcc", "scc", "scc_in_situ", "melanocytic_nevus",
    "benign_neoplasm", "lipoma", "abscess", "uncertain_behavior", "unspecified_behavior",
)


def spec_for(family: str, site: str) -> Spec | None:
    if family == "abscess":
        return ABSCESS.get(site)
    return NEOPLASM[family].get(SITE_GROUP[site])


def variants(site: str) -> tuple[tuple[str, str], ...]:
    """(laterality, sex) of each row a site gets."""
    if site in PAIRED_SITES:
        return (("left", ""), ("right", ""))
    if site in GENITAL_SITES:
        return (("", "F"), ("", "M"))
    return (("", ""),)


def resolve(spec: Spec | None, laterality: str, sex: str) -> str | None:
    if spec is None or isinstance(spec, str):
        return spec
    key = laterality or sex
    if set(spec) != ({"left", "right"} if laterality else {"F", "M"} if sex else set()):
        return None  # a lateral spec on an unpaired site or the reverse: reported as unmapped
    return spec[key]


def is_billable_leaf(code: str) -> bool:
    return bool(cm.is_valid_item(code) and cm.is_leaf(code))


def build_rows() -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    rows: list[tuple[str, str, str, str, str]] = []
    errors: list[str] = []
    for family in FAMILIES:
        for site in SITE_GROUP:
            for laterality, sex in variants(site):
                combo = f"{family}/{site}/{laterality or '-'}/{sex or '-'}"
                code = resolve(spec_for(family, site), laterality, sex)
                if code is None:
                    errors.append(f"{combo}: no code mapped")
                elif not is_billable_leaf(code):
                    errors.append(f"{combo}: {code} is not a billable leaf of the ICD-10-CM tabular")
                else:
                    rows.append((family, site, laterality, sex, code))
    return rows, errors


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else DEFAULT_OUTPUT
    try:
        installed = version("simple-icd-10-cm")
    except PackageNotFoundError:
        installed = "unknown"
    if installed != EXPECTED_PACKAGE_VERSION:
        print(f"warning: simple-icd-10-cm {installed} installed, table was curated against "
              f"{EXPECTED_PACKAGE_VERSION}", file=sys.stderr)
    unknown = (set(PAIRED_SITES) | set(GENITAL_SITES)) - set(SITE_GROUP)
    rows, errors = build_rows()
    errors += [f"paired/genital site {s} is not a site key" for s in sorted(unknown)]
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(errors)} combination(s) without a billable code; nothing written", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
