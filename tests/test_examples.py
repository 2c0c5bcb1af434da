"""The CI examples in ``examples/``: their shell steps, run in order as the runners would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.prism.driver import free_port
from mock_server import BackgroundServer, MockSettings

from gallery import CASES
from readme import yaml_blocks
from workflow import Job, Step, Workflow

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "github-actions.yml"
pytestmark = [pytest.mark.slow, pytest.mark.once]


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


SHARDS = ROOT / "examples" / "github-actions-shards.yml"
FUZZ_STEPS = ["actions/setup-python@v5", "Install the kit", "Fuzz this shard",
              "actions/upload-artifact@v4"]  # fmt: skip
MERGE_STEPS = ["actions/setup-python@v5", "Install the kit", "actions/download-artifact@v4",
               "Merge the shards' reports", "actions/upload-artifact@v4"]  # fmt: skip


def campaign(url: str, root: Path, duration: str) -> dict[str, list[Job]]:
    """The sharded workflow against ``url``: its variables as the repository and the run
    would give them, its campaign ``duration`` long, each shard fuzzing in one process (its
    lanes are tested in test_lanes.py; four shards of four lanes each would be sixteen
    processes on this machine's cores)."""
    context = {"vars.STAGING_URL": url, "github.run_id": "8675309"}
    return Workflow(SHARDS, root, context, env={"DURATION": duration, "WORKERS": "1"},
                    leave_out={"Install the kit"}).run()  # fmt: skip


def test_four_shards_fuzz_and_one_job_merges_their_reports(tmp_path: Path) -> None:
    with BackgroundServer(MockSettings(port=0, log_level="critical")) as server:
        # a campaign's fuzzing is tested in test_campaign.py: here the runners' plumbing
        jobs = campaign(server.url, tmp_path, duration="5s")
    shards = jobs["fuzz"]
    assert [job.name for job in shards] == ["fuzz-1", "fuzz-2", "fuzz-3", "fuzz-4"]
    for job in shards:
        assert job.codes() == [(name, None if i < 2 else 0) for i, name in enumerate(FUZZ_STEPS)]
        assert "0 failures" in job.output("Fuzz this shard")
    (merge,) = jobs["merge"]
    assert merge.codes() == [(name, None if i < 2 else 0) for i, name in enumerate(MERGE_STEPS)]
    for shard in (1, 2, 3, 4):
        report = json.loads((tmp_path / "artifacts" / f"shard-{shard}" / f"shard-{shard}.json")
                            .read_text())  # fmt: skip
        assert (report["shard"], report["seed"]) == (f"{shard}/4", 8675309)
    merged = tmp_path / "artifacts" / "campaign-reports"
    assert json.loads((merged / "contract.json").read_text())["failures"] == []
    assert (merged / "contract.xml").read_text().startswith("<?xml")


def test_a_shard_that_finds_a_violation_keeps_its_report_and_fails_the_merge(
    tmp_path: Path,
) -> None:
    (broken,) = [case for case in CASES if case.name == "a 422 without detail"]
    with BackgroundServer(MockSettings(port=0, log_level="critical"), app=broken.app()) as server:
        jobs = campaign(server.url, tmp_path, duration="1s")  # the fixed phases find it
    for job in jobs["fuzz"]:
        assert job.codes()[2:] == [("Fuzz this shard", 1), ("actions/upload-artifact@v4", 0)]
    (merge,) = jobs["merge"]
    assert merge.codes()[2:] == [("actions/download-artifact@v4", 0),
                                 ("Merge the shards' reports", 1),
                                 ("actions/upload-artifact@v4", 0)]  # fmt: skip
    merged = tmp_path / "artifacts" / "campaign-reports"
    failures = json.loads((merged / "contract.json").read_text())["failures"]
    assert "validation_error_shape" in {failure["check"] for failure in failures}
    assert "<failure" in (merged / "contract.xml").read_text()


def test_each_shard_runs_its_share_of_one_run() -> None:
    workflow = yaml.safe_load(SHARDS.read_text())
    shard_count = len(workflow["jobs"]["fuzz"]["strategy"]["matrix"]["shard"])
    fuzz = next(s for s in workflow["jobs"]["fuzz"]["steps"] if s.get("name") == "Fuzz this shard")
    assert f"--shard ${{{{ matrix.shard }}}}/{shard_count}" in fuzz["run"]
    assert workflow["jobs"]["merge"]["needs"] == "fuzz"
    installs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"]
                if step.get("name") == "Install the kit"]  # fmt: skip
    assert installs == ['python3 -m pip install "$KIT"'] * 2


ACTION_WORKFLOW = ROOT / "examples" / "github-actions-action.yml"
ACTION = "YOUR-ORG/honcho-contract-kit@v1"
ACTION_STEPS = ["actions/setup-python@v5", "Install the kit", "Contract suite",
                "actions/upload-artifact@v4"]  # fmt: skip
THE_SERVER = frozenset({"Install the mock", "Start the server", "Stop the server"})


def through_the_action(root: Path, url: str, given: dict[str, str] | None = None,
                       leave_out: frozenset[str] = frozenset()) -> Step:  # fmt: skip
    """examples/github-actions-action.yml against ``url`` (the action's install step left
    out: the kit is installed here), the action given ``given`` in place of the example's
    inputs: the action's step."""
    path = ACTION_WORKFLOW
    if given is not None:
        document = yaml.safe_load(ACTION_WORKFLOW.read_text())
        (job,) = document["jobs"].values()
        (uses,) = [step for step in job["steps"] if step.get("uses") == ACTION]
        uses["with"] = given
        path = root / "workflow.yml"
        path.write_text(yaml.safe_dump(document))
    (root / "run").mkdir()
    workflow = Workflow(path, root / "run", {}, env={"BASE_URL": url},
                        leave_out={"Install the kit", "Install the mock", *leave_out},
                        actions={ACTION.partition("@")[0]: ROOT})  # fmt: skip
    (job,) = workflow.run()["contract"]
    assert job.codes()[-1] == ("Stop the server", None if "Stop the server" in leave_out else 0)
    (step,) = [step for step in job.steps if step.name == ACTION]
    return step


def test_the_action_runs_the_suite_and_uploads_its_reports(tmp_path: Path) -> None:
    step = through_the_action(tmp_path, f"http://127.0.0.1:{free_port()}")
    assert step.codes() == list(zip(ACTION_STEPS, (None, None, 0, 0), strict=True)), step.output
    reports = tmp_path / "run" / "artifacts" / "contract-reports"
    assert json.loads((reports / "contract.json").read_text())["failures"] == []
    assert (reports / "contract.xml").read_text().startswith("<?xml")
    summary = (tmp_path / "run" / "contract" / "step-summary.md").read_text()
    assert summary.startswith("honcho-contract: "), summary
    assert "0 failures" in summary, summary


def test_the_action_fails_on_a_violation_and_keeps_the_reports(tmp_path: Path) -> None:
    (broken,) = [case for case in CASES if case.name == "a 422 without detail"]
    given = {"base-url": "${{ env.BASE_URL }}", "profile": "honcho",
             "args": "--max-failures 1 --checks validation_error_shape"}  # fmt: skip
    with BackgroundServer(MockSettings(port=0, log_level="critical"), app=broken.app()) as server:
        step = through_the_action(tmp_path, server.url, given, leave_out=THE_SERVER)
    assert step.codes() == list(zip(ACTION_STEPS, (None, None, 1, 0), strict=True)), step.output
    report = json.loads((tmp_path / "run" / "artifacts" / "contract-reports" / "contract.json")
                        .read_text())  # fmt: skip
    assert [f["check"] for f in report["failures"]] == ["validation_error_shape"]
    assert report["profile"] == "honcho"
    assert report["stopped"].startswith("--max-failures 1 reached")


def test_the_action_installs_itself_and_wants_a_base_url(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (install,) = [s for s in action["runs"]["steps"] if s.get("name") == "Install the kit"]
    assert install["env"] == {"KIT": "${{ github.action_path }}"}
    assert install["run"] == 'python3 -m pip install "$KIT"'
    # every input reaches the shell as a variable, never spliced into the script
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", "")
    step = through_the_action(tmp_path, "http://127.0.0.1:9", {"profile": "contract"},
                              leave_out=THE_SERVER)  # fmt: skip
    assert (step.code, step.output) == (1, "Input required and not supplied: base-url")


def test_the_docs_action_step_is_the_examples() -> None:
    (step,) = [block for block in yaml_blocks() if ACTION in block]
    assert step in ACTION_WORKFLOW.read_text(), step
