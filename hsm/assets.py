"""Build step of ``make assets``: ``python -m hsm.assets static`` writes the compressed copies
(``app.css.br``, ``app.css.gz``, ...) that hsm.site serves; only stale ones are rewritten."""

from __future__ import annotations

import sys
from pathlib import Path

from hsm.compression import compress_tree


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m hsm.assets STATIC_DIR", file=sys.stderr)
        return 2
    written = compress_tree(Path(argv[0]))
    print(f"compressed {len(written)} static files (br, gzip)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
