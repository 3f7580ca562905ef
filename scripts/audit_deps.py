"""Check the installed dependencies for known vulnerabilities with pip-audit (a dev extra).

Exit 0: checked, none known; 1: vulnerabilities found (listed); 2: not checked, because
pip-audit is missing or its vulnerability database could not be reached. A machine without
network access must never read as "no known vulnerabilities".
Usage: python scripts/audit_deps.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

UNREACHABLE_HINTS = ("connection", "resolve", "timed out", "network", "max retries", "ssl")


def main() -> int:
    if shutil.which("pip-audit") is None:
        print("NOT CHECKED: pip-audit is not installed (pip install -e '.[dev]')")
        return 2
    done = subprocess.run(
        ["pip-audit", "--format", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        unreachable = any(hint in done.stderr.lower() for hint in UNREACHABLE_HINTS)
        what = "the vulnerability database could not be reached" if unreachable else "it failed"
        print(f"NOT CHECKED: {what}: {reason}")
        return 2
    found = [
        (dep["name"], dep["version"], vuln["id"])
        for dep in report.get("dependencies", [])
        for vuln in dep.get("vulns", [])
    ]
    for name, version, vuln_id in found:
        print(f"{name} {version}: {vuln_id}")
    checked = len(report.get("dependencies", []))
    print(f"{len(found)} known vulnerabilities in {checked} installed packages")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
