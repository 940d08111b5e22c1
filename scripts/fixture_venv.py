"""The virtual environment the fixture scripts run in (shared by the make_torch_fixtures_*.py scripts)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_venv(script, modules=("torch", "numpy"), default=".venv-torch"):
    """Re-executes `script` inside $VENV, else ROOT/`default`, created on first use with `modules` installed.

    Returns when already running inside it."""
    venv = os.environ.get("VENV") or os.path.join(ROOT, default)
    python = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    if subprocess.call([python, "-c", "import " + ", ".join(modules)]) != 0:
        subprocess.check_call([python, "-m", "pip", "install", "-q", *modules])
    os.execv(python, [python, os.path.abspath(script)] + sys.argv[1:])
