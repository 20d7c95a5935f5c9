"""Entry point of `make bench` (`.venv/bin/python bench/run.py`).

Run as a script, Python puts `bench/` itself first on the import path; this swaps it for the
project root so the harness is imported as the `bench` package and no module of `bench/` can
shadow a standard-library or installed module.
"""

import sys
from pathlib import Path


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    sys.path[0] = str(root)
    from bench.harness import main as harness_main

    return harness_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
