"""A GitHub Actions workflow run here, as its runners would run it: the jobs in the order
their ``needs`` give, a matrix's jobs side by side, each job in a folder of its own, the
shell steps under ``bash -eo pipefail``, the artifacts in a folder the jobs share, and each
``${{ ... }}`` expression from a table the test gives (an unknown one fails the test)."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Container, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import partial
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# The test's own Python, with the kit installed, stands in for these.
_STAND_INS = ("actions/checkout", "actions/setup-python")


@dataclass
class Step:
    name: str
    code: int | None  # None: not run (a stand-in, a step the test leaves out, a skipped one)
    output: str = ""


@dataclass
class Job:
    name: str
    steps: list[Step] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(step.code not in (0, None) for step in self.steps)

    def codes(self) -> list[tuple[str, int | None]]:
        return [(step.name, step.code) for step in self.steps]

    def output(self, name: str) -> str:
        (step,) = [step for step in self.steps if step.name == name]
        return step.output


def expand(text: str, context: Mapping[str, str]) -> str:
    """``text`` with each ``${{ name }}`` replaced by ``context[name]``."""
    return _EXPRESSION.sub(lambda match: context[match.group(1)], text)


class Workflow:
    """``path`` run in ``root``: ``context`` gives the expressions, ``env`` overrides the
    workflow's variables, the steps named in ``leave_out`` do not run."""

    def __init__(self, path: Path, root: Path, context: Mapping[str, str],
                 env: Mapping[str, str], leave_out: Container[str] = ()) -> None:  # fmt: skip
        self.document: dict[str, Any] = yaml.safe_load(path.read_text())
        self.root = root
        self.artifacts = root / "artifacts"
        self.context = context
        self.env = env
        self.leave_out = leave_out

    def run(self) -> dict[str, list[Job]]:
        """Every job that runs, by its id: one per matrix entry."""
        done: dict[str, list[Job]] = {}
        jobs: dict[str, dict[str, Any]] = dict(self.document["jobs"])
        while len(done) < len(jobs):
            job_id, job = next((i, j) for i, j in jobs.items() if i not in done
                               and set(_needs(j)) <= set(done))  # fmt: skip
            upstream_ok = not any(run.failed for need in _needs(job) for run in done[need])
            if not _job_runs(job.get("if"), upstream_ok):
                done[job_id] = []
                continue
            entries = _matrix(job)
            with ThreadPoolExecutor(len(entries)) as pool:
                done[job_id] = list(pool.map(partial(self._job, job_id, job), entries))
        return done

    def _job(self, job_id: str, job: dict[str, Any], matrix: dict[str, Any]) -> Job:
        name = "-".join([job_id, *(str(value) for value in matrix.values())])
        folder = self.root / name
        folder.mkdir()
        context = {**self.context, **{f"matrix.{k}": str(v) for k, v in matrix.items()}}
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            **{k: expand(str(v), context) for k, v in self.document.get("env", {}).items()},
            **{k: expand(str(v), context) for k, v in job.get("env", {}).items()},
            **self.env,
        }
        run = Job(name)
        for step in job["steps"]:
            title = step.get("name") or step["uses"]
            if not _step_runs(step.get("if"), run.failed) or title in self.leave_out:
                run.steps.append(Step(title, None))
            elif "uses" in step:
                run.steps.append(self._action(title, step, folder, context))
            else:
                done = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                     expand(step["run"], context)],
                    cwd=folder, env=env, capture_output=True, text=True, timeout=900, check=False,
                )  # fmt: skip
                run.steps.append(Step(title, done.returncode, done.stdout + done.stderr))
        return run

    def _action(
        self, title: str, step: dict[str, Any], folder: Path, context: dict[str, str]
    ) -> Step:
        action = step["uses"].partition("@")[0]
        given = {k: expand(str(v), context) for k, v in step.get("with", {}).items()}
        if action in _STAND_INS:
            return Step(title, None)
        if action == "actions/upload-artifact":
            source = folder / given["path"]
            if not source.exists():  # if-no-files-found: warn, the default
                return Step(title, 0, f"no files were found at {given['path']}")
            shutil.copytree(source, self.artifacts / given["name"])
            return Step(title, 0)
        if action == "actions/download-artifact":
            target = folder / given.get("path", ".")
            pattern = given.get("pattern", given.get("name", "*"))
            merge = given.get("merge-multiple", "false").lower() == "true"
            found = sorted(a for a in self.artifacts.iterdir() if fnmatch(a.name, pattern))
            for artifact in found:
                shutil.copytree(artifact, target if merge else target / artifact.name,
                                dirs_exist_ok=True)  # fmt: skip
            return Step(title, 0 if found else 1, f"{len(found)} artifacts")
        raise AssertionError(f"{title}: no local stand-in for {step['uses']}")


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _matrix(job: dict[str, Any]) -> list[dict[str, Any]]:
    axes = dict(job.get("strategy", {}).get("matrix", {}))
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]


def _bare(condition: str) -> str:
    match = _EXPRESSION.fullmatch(condition.strip())
    return match.group(1) if match else condition.strip()


def _job_runs(condition: str | None, upstream_ok: bool) -> bool:
    if condition is None:
        return upstream_ok
    if _bare(condition) in ("always()", "!cancelled()"):
        return True
    raise AssertionError(f"job condition {condition!r} has no local stand-in")


def _step_runs(condition: str | None, failed: bool) -> bool:
    if condition is None:
        return not failed
    if _bare(condition) in ("always()", "!cancelled()"):
        return True
    raise AssertionError(f"step condition {condition!r} has no local stand-in")
