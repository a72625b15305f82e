"""Builds Alpha packets with alphasignpy (PyPI), an implementation callboard did not write, for
the commands callboard's packets carry, and prints them as hex, one packet a line.

Input (stdin), one packet a line: `text LABEL POSITION MODE MESSAGE` or
`strings LABEL:DATA LABEL:DATA ...`, every field in hex. alphasignpy writes a timing marker
(0xFF) after each STX for its own sender to pause on; it is never sent to a sign and is taken
out here, as its `Sign.send` does.
"""

import sys
import types

from alphasign.commands.string_file import WriteString
from alphasign.commands.text import WriteText
from alphasign.packet import Packet
from alphasign.protocol import DELAY


def code(hex_byte):
    # alphasignpy's position and mode enums disagree with the protocol document on some
    # display positions; the byte itself is what is compared, so it is given as it is.
    return types.SimpleNamespace(value=bytes.fromhex(hex_byte))


for line in sys.stdin:
    fields = line.split()
    if not fields:
        continue
    packet = Packet(type_code=b"Z", address=sys.argv[1])
    if fields[0] == "text":
        label, position, mode = fields[1:4]
        message = bytes.fromhex(fields[4]) if len(fields) > 4 else b""
        packet.add(WriteText(message, label=bytes.fromhex(label).decode(), position=code(position), mode=code(mode)))
    elif fields[0] == "strings":
        for item in fields[1:]:
            label, _, data = item.partition(":")
            packet.add(WriteString(bytes.fromhex(data), label=bytes.fromhex(label).decode()))
    else:
        raise SystemExit(f"unknown line: {line!r}")
    print(packet.to_bytes().replace(DELAY, b"").hex())
