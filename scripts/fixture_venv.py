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


def write_manifest(out, script, cases, **versions):
    """Writes `out`/manifest.json (the generating script, library versions, the cases) and prints a summary."""
    import json

    manifest = dict(generator="scripts/" + os.path.basename(script), cases=cases, **versions)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(out, name)) for name in os.listdir(out))
    print(f"wrote {len(cases)} cases, {len(os.listdir(out))} files, {total} bytes to {out}")
