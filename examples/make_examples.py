#!/usr/bin/env python3
"""Regenerates the shipped example days from bench/peers/gen_sales.py (deterministic).

- examples/landing/sales_20261118.csv  a clean day
- examples/landing/sales_20261119.csv  about 2% bad rows (nulls, duplicates, out-of-range amounts, bad dates)
- examples/mirror/sales_20261120.csv   a day missing from landing/ whose mirror copy exists (fallback_source)
- examples/products.csv                the enrichment table
- examples/landing/sales_20261122.csv  schema drift: renamed and reordered columns, a new column, dd.MM.yyyy dates
- examples/landing/sales_20261117.csv  format drift: a spreadsheet's European export (title lines, ';', dd.MM.yyyy, 1.234,56 €)
sale_id gets the day as a prefix so days never share keys.
"""
import csv, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "bench", "peers", "gen_sales.py")
CLEAN = ["--null-rate", "0", "--dup-rate", "0", "--range-rate", "0", "--bad-date-rate", "0"]
BAD = ["--null-rate", "0.01", "--dup-rate", "0.006", "--range-rate", "0.008", "--bad-date-rate", "0.005"]
DAYS = [("2026-11-17", "landing", CLEAN, 15), ("2026-11-18", "landing", CLEAN, 11), ("2026-11-19", "landing", BAD, 12), ("2026-11-20", "mirror", CLEAN, 13),
        ("2026-11-22", "landing", CLEAN, 14)]
EUROPEAN_DAY = "2026-11-17"


def european(row):
    """The same columns as a European spreadsheet writes them: day-first dotted dates, decimal commas and euros."""
    sale_id, date, amount, product, customer, qty, store, channel = row
    if "/" in date:
        m, d, y = date.split("/")
    else:
        y, m, d = date.split("-")
    whole, _, cents = amount.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".") if whole else whole
    return [sale_id, f"{d}.{m}.{y}", f"{grouped},{cents} €" if amount else "", product, customer, qty, store, channel]
DRIFT_DAY = "2026-11-22"
DRIFT_HEADER = ["channel", "SaleID", "date", "Amount", "Product ID", "cust_id", "quantity", "store", "promo_code"]


def drift(row, n):
    """The producer's new export: other names and order, a promo column, day-first dotted dates."""
    sale_id, date, amount, product, customer, qty, store, channel = row
    if "/" in date:
        m, d, y = date.split("/")
    else:
        y, m, d = date.split("-")
    return [channel, sale_id, f"{d}.{m}.{y}", amount, product, customer, qty, store, f"PROMO{n % 7}" if n % 5 == 0 else ""]


for day, folder, rates, seed in DAYS:
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "sales.csv")
        subprocess.run([sys.executable, GEN, "--rows", "500", "--seed", str(seed), "--day", day, "--out", raw,
                        "--products", os.path.join(HERE, "products.csv"), "--n-products", "40"] + rates, check=True)
        out = os.path.join(HERE, folder, f"sales_{day.replace('-', '')}.csv")
        with open(raw, newline="", encoding="utf-8") as src, open(out, "w", newline="", encoding="utf-8") as dst:
            reader = csv.reader(src)
            writer = csv.writer(dst, lineterminator="\n", delimiter=";" if day == EUROPEAN_DAY else ",")
            if day == EUROPEAN_DAY:
                dst.write("Umsatzbericht;;;;;;;\nExport 17.11.2026;;;;;;;\n")
            header = next(reader)
            writer.writerow(DRIFT_HEADER if day == DRIFT_DAY else header)
            for n, row in enumerate(reader):
                if row[0].strip():
                    row[0] = row[0].replace("S", f"S{day.replace('-', '')}-", 1)
                writer.writerow(drift(row, n) if day == DRIFT_DAY else european(row) if day == EUROPEAN_DAY else row)
