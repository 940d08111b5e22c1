"""Finding and running the ``convalgebra`` binary."""
import os
import shutil
import subprocess
from pathlib import Path


class ConvAlgebraError(RuntimeError):
    """A ``convalgebra`` command failed; ``message`` is its ``error:`` line without the prefix.

    Attributes: ``line`` (the whole ``error: …`` line), ``message``, ``returncode``, ``command`` (the argument list).
    """

    def __init__(self, line, returncode, command):
        self.line = line
        self.message = line[len("error: "):] if line.startswith("error: ") else line
        self.returncode = returncode
        self.command = command
        super().__init__(self.message)


def _checkout_binaries(start):
    """``.build/{release,debug}/convalgebra`` of the ConvAlgebra checkouts at or above ``start``."""
    for directory in [start, *start.parents]:
        if (directory / "Package.swift").is_file():
            for config in ("release", "debug"):
                candidate = directory / ".build" / config / "convalgebra"
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    yield candidate


def find_binary():
    """The path of the ``convalgebra`` binary: ``$CONVALGEBRA_BIN``, else ``convalgebra`` on ``PATH``, else a
    checkout's ``.build/release`` or ``.build/debug`` build (above the working directory or this package).

    Raises :class:`FileNotFoundError` saying where it looked and how to build it.
    """
    explicit = os.environ.get("CONVALGEBRA_BIN")
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise FileNotFoundError(f"CONVALGEBRA_BIN={explicit} is not an executable file")
        return explicit
    on_path = shutil.which("convalgebra")
    if on_path:
        return on_path
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for candidate in _checkout_binaries(start):
            return str(candidate)
    raise FileNotFoundError(
        "convalgebra binary not found: set CONVALGEBRA_BIN, put convalgebra on PATH (make install), or run from a "
        "ConvAlgebra checkout built with `swift build -c release`")


def run(arguments, binary=None):
    """Runs ``convalgebra ARGUMENTS`` and returns its stdout; raises :class:`ConvAlgebraError` on failure."""
    command = [binary or find_binary(), *map(str, arguments)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [l for l in done.stderr.splitlines() if l.strip()]
        line = next((l for l in lines if l.startswith("error:")), lines[0] if lines else f"error: exit status {done.returncode}")
        raise ConvAlgebraError(line, done.returncode, command)
    return done.stdout
