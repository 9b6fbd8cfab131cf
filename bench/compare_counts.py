#!/usr/bin/env python3
"""heal's counts (loaded, quarantined by reason) against a peer reference's counts JSON (PIPELINE.md reasons)."""
import json, sqlite3, sys

# heal's rule:column → PIPELINE.md's reason
REASONS = {
    "not_null:sale_id": "null_sale_id", "not_null:date": "null_date", "not_null:amount": "null_amount",
    "type:amount": "invalid_amount", "pattern:amount": "invalid_amount", "range:amount": "amount_out_of_range",
    "type:date": "invalid_date", "unique:sale_id": "duplicate_sale_id",
}

metadata, reference = sys.argv[1], sys.argv[2]
peer = json.loads(open(reference).read().strip().splitlines()[-1])
db = sqlite3.connect(metadata)
loaded, read = db.execute("select rows_loaded, rows_read from runs order by started_at desc limit 1").fetchone()
ours = {reason: 0 for reason in peer["quarantined"]}
for (text,) in db.execute("select reasons from quarantine_batches"):
    for key, n in json.loads(text).items():
        ours[REASONS.get(key, key)] = ours.get(REASONS.get(key, key), 0) + n
ok = loaded == peer["loaded"] and read == peer["read"] and ours == peer["quarantined"]
print(f"counts: heal read {read:,}, loaded {loaded:,}, quarantined {sum(ours.values()):,}; reference loaded {peer['loaded']:,}, "
      f"quarantined {peer['quarantined_total']:,}; by reason {'equal' if ours == peer['quarantined'] else 'DIFFERENT'}")
for reason in sorted(peer["quarantined"]):
    mark = "" if ours.get(reason, 0) == peer["quarantined"][reason] else "   <-- differs"
    print(f"  {reason:22} heal {ours.get(reason, 0):>8,}  reference {peer['quarantined'][reason]:>8,}{mark}")
sys.exit(0 if ok else 1)
