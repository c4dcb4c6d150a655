import json
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
sys.path.insert(0, "/work/main")
from own import O
from rewritten import R

from dermbill.services.coding import code_document


def canon(lines):
    return sorted((l["code"], l["units"], tuple(sorted("59" if m == "XS" else m for m in l["modifiers"]))) for l in lines)

out = []
examples = [json.loads(l) for l in open("/work/shared/derm-coding/examples.jsonl")]
for ex in examples:
    note, mnc, rf = R[ex["id"]]
    e = ex["encounter"]
    out.append({"id": ex["id"].replace("ex-", "dev-ex-"), "note": note, "dos": e["date_of_service"], "payer": e["payer"],
                "age": e["patient"]["age"], "sex": e["patient"]["sex"],
                "expected": {"lines": [{k: l[k] for k in ("code", "units", "modifiers")} for l in ex["expected"]["lines"]],
                             "icd10": ex["expected"]["icd10"], "holds": ex["expected"]["holds"], "warnings": ex["expected"]["warnings"]},
                "must_not_code": mnc, "removable_facts": rf, "source": f"{ex['id']} (rewritten)", "encounter": e})
for k, o in O.items():
    out.append({"id": "dev-" + k, "note": o["note"], "dos": o["dos"], "payer": o["payer"], "age": o["age"], "sex": o["sex"],
                "expected": o["expected"], "must_not_code": o["must_not_code"], "removable_facts": o["removable_facts"],
                "source": "own", "encounter": o["encounter"]})
bad = 0
for d in out:
    r = code_document(d["encounter"]).to_json()
    got = canon(r["lines"]); want = canon(d["expected"]["lines"])
    icd_ok = sorted(r["diagnoses"]) == sorted(d["expected"]["icd10"])
    if d["source"] == "own":
        d["expected"].setdefault("holds", sorted({h["code"] for h in r["holds"]}))
        d["expected"].setdefault("warnings", sorted({w["code"] for w in r["warnings"]}))
    if got != want or not icd_ok:
        bad += 1
        print("DISAGREE", d["id"], "engine", got, r["diagnoses"], "hand", want, d["expected"]["icd10"])
        for l in r["lines"]: print("   ", l["code"], l["units"], l["modifiers"], l["explanation"])
        print("    holds", r["holds"], "warnings", r["warnings"])
    for rf in d["removable_facts"]:
        c = d["note"].count(rf["remove"])
        if c != 1: print("REMOVE NOT UNIQUE", d["id"], rf["remove"], c)
    for c in d["must_not_code"]:
        if any(l["code"] == c for l in d["expected"]["lines"]): print("MNC IN EXPECTED", d["id"], c)
print(len(out), "notes", bad, "disagreements", sum(len(d["removable_facts"]) for d in out), "removable",
      sum(1 for d in out if d["removable_facts"]), "notes with removable", sum(1 for d in out if d["must_not_code"]), "with mnc")
with open(sys.argv[1], "w") as f:
    for d in out: f.write(json.dumps(d, ensure_ascii=False) + "\n")
