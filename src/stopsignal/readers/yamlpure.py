"""PyYAML's pure-Python parser, for a PyYAML installed without libyaml.

PyPI's PyYAML wheels bundle libyaml on common platforms, but a build from source without
libyaml's headers, or a platform without such a wheel, has only the pure-Python parser and no
``yaml._yaml``. This class offers what the readers use of libyaml's ``CParser``: the composer
(``check_node``, ``get_node``, ``get_single_node``), ``raw_parse`` (syntax only) and
``dispose``. Reading then gives the same results, several times slower.
"""

from __future__ import annotations

from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner


class PureParser(Reader, Scanner, Parser, Composer):
    """libyaml's ``CParser`` API on PyYAML's Python reader, scanner, parser and composer."""

    def __init__(self, stream: bytes) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)

    def raw_parse(self) -> int:
        """Parse to the end without building nodes (syntax errors raise); the event count."""
        events = 0
        while self.check_event():
            self.get_event()  # type: ignore[no-untyped-call]
            events += 1
        return events
