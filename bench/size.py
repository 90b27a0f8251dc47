#!/usr/bin/env python3
"""Where a Roster database's bytes go: every table and index (SQLite's dbstat), largest first,
with its share of the file and its bytes per customer. Read-only.

usage: python3 bench/size.py path/to/roster.sqlite3
"""

import sqlite3
import sys


def main():
    path = sys.argv[1]
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    customers = db.execute("SELECT COUNT(*) FROM accounts WHERE kind = 'customer'").fetchone()[0]
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    owners = dict(db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"))
    rows = db.execute(
        "SELECT name, SUM(pgsize), SUM(payload), SUM(unused) FROM dbstat GROUP BY name "
        "ORDER BY SUM(pgsize) DESC").fetchall()
    total = page_size * pages
    per = max(customers, 1)
    print(f"{path}: {total / 2**20:,.1f} MiB, {customers:,} customers, "
          f"{total / per:,.0f} bytes per customer\n")
    print("| object | table | MiB | share | bytes/customer | payload | unused |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, size, payload, unused in rows:
        print(f"| {name} | {owners.get(name, '')} | {size / 2**20:,.1f} | {100 * size / total:.1f} % "
              f"| {size / per:,.0f} | {payload / 2**20:,.1f} | {unused / 2**20:,.1f} |")


if __name__ == "__main__":
    main()
