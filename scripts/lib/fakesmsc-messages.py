#!/usr/bin/env python3
"""Kannel's fake SMS centre's output (stdin) as one line per message received: `from to text`.

fakesmsc prints `Got message N: <from to TYPE DATA>` at debug level; DATA is the message's
bytes URL-encoded, UTF-16 big-endian when TYPE is `ucs-2` (Cyrillic), the text itself when
`text` (the same decoding as Tests/SchedulingTests/KannelHarness.swift). Lines go out as
they come, so a reader of the output file (`crm demo --running --sms-file`) sees each SMS
once Kannel delivered it.
"""
import re
import sys
from urllib.parse import unquote_to_bytes

MESSAGE = re.compile(r"Got message \d+: <(\S*) (\S*) (\S+) (.*)>")

for line in sys.stdin:
    match = MESSAGE.search(line)
    if not match:
        continue
    sender, receiver, kind, data = match.groups()
    raw = unquote_to_bytes(data.replace("+", " "))
    if kind == "ucs-2":
        text = raw.decode("utf-16-be", errors="replace")
    elif kind == "text":
        text = raw.decode("utf-8", errors="replace")
    else:
        continue
    print(sender, receiver, text.replace("\n", " "), flush=True)
