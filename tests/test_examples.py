"""The CI example in ``examples/``: its shell steps, run in order as the runner would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.prism.driver import free_port

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "github-actions.yml"
pytestmark = pytest.mark.slow


def steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    return list(job["steps"])


def test_the_workflow_runs_the_suite_and_keeps_its_reports(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "BASE_URL": f"http://127.0.0.1:{free_port()}",
    }
    ran = []
    for step in steps():
        if "run" not in step or step["name"] == "Install the kit":  # installed here already
            continue
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
        assert done.returncode == 0, f"{step['name']}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        ran.append(step["name"])
    assert ran == ["Start the server", "Wait until it answers", "Contract suite",
                   "Stop the server"]  # fmt: skip
    assert (tmp_path / "reports" / "contract.xml").read_text().startswith("<?xml")
    assert '"failures": []' in (tmp_path / "reports" / "contract.json").read_text()


def test_the_install_step_installs_the_kit() -> None:
    (install,) = [step for step in steps() if step.get("name") == "Install the kit"]
    assert install["run"] == 'python3 -m pip install "$KIT"'
