#!/usr/bin/env python3
"""excerpt.py: cuts a WITSML 1.4.1.1 time log down to a time window and a set of
curves, keeping it a valid log: the header as it was, the logCurveInfo of the
curves kept, mnemonicList/unitList and every row's cells in step, start and end
indexes set to the window. Rows and cells are the original text, unchanged.

  excerpt.py IN.xml OUT.xml FROM TO [CURVE ...]

FROM, TO: ISO 8601 UTC times (TO excluded); no CURVE keeps them all (the index
curve is always kept)."""
import re
import sys


def main():
    src, dst, t_from, t_to, *keep = sys.argv[1:]
    text = open(src, encoding="utf-8").read()
    mn = re.search(r"<mnemonicList>([^<]*)</mnemonicList>", text).group(1).split(",")
    un = re.search(r"<unitList>([^<]*)</unitList>", text).group(1).split(",")
    cols = [i for i, m in enumerate(mn) if i == 0 or not keep or m in keep]
    missing = set(keep) - set(mn)
    if missing:
        sys.exit(f"excerpt.py: {src} has no curve {', '.join(sorted(missing))}")

    def curve_info(m):
        name = m.group(0)
        mnem = re.search(r"<mnemonic>([^<]*)</mnemonic>", name).group(1)
        return name if mnem == mn[0] or not keep or mnem in keep else ""
    text = re.sub(r"<logCurveInfo\b.*?</logCurveInfo>", curve_info, text, flags=re.S)
    text = text.replace(f"<mnemonicList>{','.join(mn)}</mnemonicList>",
                        f"<mnemonicList>{','.join(mn[i] for i in cols)}</mnemonicList>")
    text = text.replace(f"<unitList>{','.join(un)}</unitList>",
                        f"<unitList>{','.join(un[i] for i in cols)}</unitList>")
    rows = []

    def row(m):
        cells = m.group(1).split(",")
        if t_from <= cells[0] < t_to:
            rows.append(cells[0])
            return "<data>" + ",".join(cells[i] for i in cols) + "</data>"
        return ""
    text = re.sub(r"<data>([^<]*)</data>", row, text)
    if not rows:
        sys.exit(f"excerpt.py: no row of {src} in [{t_from}, {t_to})")
    for tag, value in (("startDateTimeIndex", rows[0]), ("endDateTimeIndex", rows[-1])):
        text = re.sub(rf"<{tag}>[^<]*</{tag}>", f"<{tag}>{value}</{tag}>", text, count=1)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{dst}: {len(rows)} rows, {rows[0]} to {rows[-1]}, {len(cols)} curves")


if __name__ == "__main__":
    main()
