"""Check that requirements.lock satisfies every requirement in pyproject.toml.

The lock is `pip freeze --exclude-editable` of a venv made from it; `make install`
installs the lock alone, so a pin missing from it would never be installed.
"""

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        pins.extend(extra)
    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            locked[normalise(name)] = version.strip()
    problems = []
    for pin in pins:
        requirement = Requirement(pin)
        version = locked.get(normalise(requirement.name))
        if version is None or version not in requirement.specifier:
            problems.append(f"{pin}: lock has {version or 'nothing'}")
    for problem in problems:
        sys.stderr.write(
            f"requirements.lock out of step with pyproject.toml: {problem}\n"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
