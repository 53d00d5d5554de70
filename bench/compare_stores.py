"""Whether two SQLite stores hold the same rows: every table, every column but the write times, sorted.

For a change that must leave the analysis as it was (a speed-up): fill one store with each version of the code
(`bench/scale.py --keep-stores DIR`, same articles, PYTHONHASHSEED=0) and compare them. Exit status 1 when a
table differs, naming the columns that do.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The table's columns, less those ending in `_at` (when a row was written is the clock, not analysis)."""
    names = [str(row[1]) for row in conn.execute(f'pragma table_info("{table}")')]
    return [name for name in names if not name.endswith("_at")]


def rows(conn: sqlite3.Connection, table: str, names: list[str]) -> list[tuple[object, ...]]:
    listed = ", ".join(f'"{name}"' for name in names)
    return conn.execute(f'select {listed} from "{table}" order by {listed}').fetchall()


def compare(first: Path, second: Path) -> list[str]:
    """One line per table of the first store: identical with its row count, or what differs."""
    left, right = sqlite3.connect(first), sqlite3.connect(second)
    try:
        tables = [str(row[0]) for row in left.execute("select name from sqlite_master where type='table'")]
        lines = []
        for table in sorted(tables):
            names = columns(left, table)
            ours, theirs = rows(left, table, names), rows(right, table, names)
            if ours == theirs:
                lines.append(f"{table:24} identical  {len(ours)} rows")
                continue
            differing = [
                name
                for k, name in enumerate(names)
                if sorted(repr(row[k]) for row in ours) != sorted(repr(row[k]) for row in theirs)
            ]
            lines.append(f"{table:24} DIFFERS    {len(ours)} vs {len(theirs)} rows; columns: {differing}")
        return lines
    finally:
        left.close()
        right.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args()
    for path in (args.first, args.second):
        if not path.is_file():
            raise SystemExit(f"{path} is not a store file: pass two SQLite files (DIR/SIZE/scale.db).")
    lines = compare(args.first, args.second)
    print("\n".join(lines))
    sys.exit(1 if any("DIFFERS" in line for line in lines) else 0)


if __name__ == "__main__":
    main()
