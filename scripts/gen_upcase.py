#!/usr/bin/env python3
"""Generate proto/upcase_table.inc: the simple upper-case mapping of the
Basic Multilingual Plane that proto/utf16.c uses to compare names.

    python3 scripts/gen_upcase.py > proto/upcase_table.inc

The mapping is Unicode's simple (one code point to one code point)
upper-case mapping, as Windows applies it to names one UTF-16 unit at a
time:

  - only BMP code points are mapped, and only to BMP code points;
  - nothing that would change the number of characters ("SS" for U+00DF)
    is mapped: such a character stays as it is;
  - no letter outside ASCII folds into ASCII: U+0131 (dotless i) and
    U+017F (long s) stay as they are rather than becoming 'I' and 'S'.
    Windows leaves U+0131 alone (its invariant upper case maps it to
    itself); for both, the rule keeps a name of plain ASCII from matching
    one that is not.

Python's unicodedata exposes only the full mappings (str.upper()). Where
the full upper-case mapping is one code point, it is the simple mapping.
Where it is longer, the simple mapping is the titlecase one if that is a
single code point (U+1F80 -> U+1F88, the Greek letters with
ypogegrammeni), else there is none. The script checks that the result is
idempotent (upper(upper(c)) == upper(c)).

The output depends only on the Unicode version of the Python that runs
this; it is named in the generated file.
"""

import sys
import unicodedata

# Simple mappings Windows does not make (see the docstring).
EXCLUDE = {0x0131, 0x017F}


def simple_upper(cp):
    """The simple upper-case mapping of cp, or cp itself."""
    if cp in EXCLUDE or 0xD800 <= cp <= 0xDFFF:
        return cp
    ch = chr(cp)
    up = ch.upper()
    if len(up) != 1:
        title = ch.title()
        up = title if len(title) == 1 else ch
    u = ord(up)
    if u > 0xFFFF or 0xD800 <= u <= 0xDFFF:
        return cp
    return u


def main():
    table = [simple_upper(cp) for cp in range(0x10000)]
    for cp, u in enumerate(table):
        if table[u] != u:
            sys.exit("U+%04X -> U+%04X is not a fixed point" % (cp, u))
    pages = []          # the 256-entry blocks that map anything
    index = [0] * 256   # block number -> 1 + position in pages, 0: none
    for hi in range(256):
        block = table[hi * 256:(hi + 1) * 256]
        if any(u != hi * 256 + lo for lo, u in enumerate(block)):
            pages.append(block)
            index[hi] = len(pages)
    nmapped = sum(1 for cp, u in enumerate(table) if u != cp)

    out = sys.stdout
    out.write("/*\n"
              " * upcase_table.inc - simple upper-case mapping of the "
              "BMP, included by\n"
              " * proto/utf16.c only. GENERATED, do not edit: made by\n"
              " *\n"
              " *\tpython3 scripts/gen_upcase.py > proto/upcase_table.inc"
              "\n *\n"
              " * from Python's unicodedata, Unicode %s (%d code points "
              "mapped, in\n"
              " * %d blocks of 256). See the script for the rules.\n"
              " */\n\n" % (unicodedata.unidata_version, nmapped,
                           len(pages)))
    out.write("/* High byte of a code point -> 1 + its block in "
              "upcase_pages, 0: none. */\n")
    out.write("static const uint8_t upcase_index[256] = {\n")
    for row in range(0, 256, 16):
        out.write("\t" + ", ".join("%d" % v for v in
                                   index[row:row + 16]) + ",\n")
    out.write("};\n\n")
    out.write("/* Upper case of each code point of a block, by its low "
              "byte. */\n")
    out.write("static const uint16_t upcase_pages[%d][256] = {\n" %
              len(pages))
    for hi in range(256):
        if index[hi] == 0:
            continue
        out.write("\t{\t/* U+%02X00..U+%02XFF */\n" % (hi, hi))
        block = pages[index[hi] - 1]
        for row in range(0, 256, 8):
            out.write("\t\t" + ", ".join("0x%04x" % v for v in
                                         block[row:row + 8]) + ",\n")
        out.write("\t},\n")
    out.write("};\n")


if __name__ == "__main__":
    main()
