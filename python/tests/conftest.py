import os
from pathlib import Path

import pytest

import convalgebra


@pytest.fixture(scope="session", autouse=True)
def binary():
    """The binary under test: $CONVALGEBRA_BIN, else this checkout's build (make test-python sets it)."""
    if not os.environ.get("CONVALGEBRA_BIN"):
        root = Path(__file__).resolve().parents[2]
        for config in ("debug", "release"):
            candidate = root / ".build" / config / "convalgebra"
            if candidate.is_file():
                os.environ["CONVALGEBRA_BIN"] = str(candidate)
                break
    return convalgebra.find_binary()
