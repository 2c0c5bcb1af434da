"""The oracle as a server process, for the benchmarks: FastAPI itself answering as Honcho.

Served as ``honcho-mock`` serves the mock and the bare route (:mod:`benchmarks.bare_app`):

    python -m tests.oracle.serve --port 8002 --log-level warning    (from the checkout)
"""

import sys
from collections.abc import Sequence

from benchmarks.bare_app import serve_factory, server_arguments

from .reference_app import create_reference_app


def main(argv: Sequence[str] | None = None) -> int:
    args = server_arguments("python -m tests.oracle.serve").parse_args(argv)
    return serve_factory(
        create_reference_app, host=args.host, port=args.port, log_level=args.log_level
    )


if __name__ == "__main__":
    sys.exit(main())
