#!/usr/bin/env python3
"""Print format-spec.md's record tables from the common/*_fields.def lists.

    python3 tests/tools/spec-tables.py pkt conn chunk meta

Paste the output over the matching <!-- table: NAME --> blocks after a
change to a .def list; unit-spec then checks that they agree.
"""
import re
import sys

SIZES = {'u8': 1, 'i8': 1, 'u16': 2, 'u32': 4, 'u64': 8, 'i64': 8,
         'addr': 16, 'str32': 32}
TYPES = {'u8': 'u8', 'i8': 'i8', 'u16': 'u16 LE', 'u32': 'u32 LE',
         'u64': 'u64 LE', 'i64': 'i64 LE', 'addr': '16 bytes',
         'str32': '32 bytes'}

for name in sys.argv[1:]:
    macro = name.upper() + '_FIELD'
    text = open(f'common/{name}_fields.def').read()
    print(f'<!-- table: {name} -->')
    print('| OFFSET | SIZE | TYPE | NAME | MEANING |')
    print('|---:|---:|---|---|---|')
    off = 0
    for m in re.finditer(macro + r'\((\w+),\s*(\w+),\s*"((?:[^"\\]|\\.)*)"\)', text):
        t, n, d = m.groups()
        d = d.replace('\\"', '"').replace('|', '\\|')
        print(f'| {off} | {SIZES[t]} | {TYPES[t]} | {n} | {d} |')
        off += SIZES[t]
    print(f'<!-- end: {name} ({off} bytes) -->')
    if name != sys.argv[-1]:
        print()
