"""Parse Cisco NX-OS `show running-config` text into a ConfigTree.

NX-OS prints its config as IOS does: indentation nests, `!` lines are comments (`!Command:`,
`!Time:`, `!Running configuration last done at:`), `banner motd #...#` runs to its delimiter
(the first character after the keyword), `end` is rarely there. The IOS scanner reads it; what
differs is the preamble (only an echoed prompt), the top-level anchors, and the refusal of IOS text.
"""

from __future__ import annotations

import re

from ...config import ConfigTree, Rx
from ...errors import ParseError
from ..cisco_ios.parser import parse_indented

# The echoed command when a capture starts at the prompt (`switch# show running-config`).
_PROMPT = re.compile(r"^\S+#\s*(?:sh|show)\s")
# Every real NX-OS config has one of these first words at top level.
_ANCHORS = frozenset({"feature", "hostname", "switchname", "interface", "vrf", "version", "line"})
# Top-level forms only IOS prints, so an IOS config handed to this parser is refused rather than
# misread: its preamble, numbered console/vty lines (NX-OS has `line console` and `line vty`).
_IOS_ONLY = (Rx(r"^Building configuration"), Rx(r"^Current configuration\s*:"), Rx(r"^line (?:con|vty|aux) \d"))


def parse(text: str) -> ConfigTree:
    """Parse NX-OS running-config text; comments and banner bodies are kept out of the tree."""
    tree = parse_indented(text, "Cisco NX-OS", _ANCHORS, _PROMPT)
    for rx in _IOS_ONLY:
        line = tree.first(rx)
        if line is not None:
            raise ParseError("this looks like a Cisco IOS configuration, not Cisco NX-OS", line=line.number)
    return tree
