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
    steps: list[Step] = field(default_factory=list)  # a composite action's own

    def codes(self) -> list[tuple[str, int | None]]:
        return [(step.name, step.code) for step in self.steps]


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
    workflow's variables, the steps named in ``leave_out`` do not run (in a composite
    action's steps too), ``actions`` are the folders of composite actions by the name a
    step ``uses`` (``OWNER/NAME``, any ref)."""

    def __init__(self, path: Path, root: Path, context: Mapping[str, str],
                 env: Mapping[str, str], *, leave_out: Container[str] = (),
                 actions: Mapping[str, Path] | None = None) -> None:  # fmt: skip
        self.document: dict[str, Any] = yaml.safe_load(path.read_text())
        self.root = root
        self.artifacts = root / "artifacts"
        self.context = context
        self.env = env
        self.leave_out = leave_out
        self.actions = dict(actions or {})

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
        env["GITHUB_STEP_SUMMARY"] = str(folder / "step-summary.md")
        context = {**context, **{f"env.{k}": v for k, v in env.items()}}
        run = Job(name)
        run.steps = self._steps(job["steps"], folder, context, env)
        return run

    def _steps(self, steps: list[dict[str, Any]], folder: Path, context: dict[str, str],
               env: dict[str, str]) -> list[Step]:  # fmt: skip
        """Each of ``steps`` run in ``folder``, as a job (or a composite action) runs them:
        after a failure, only the steps that ask to."""
        done: list[Step] = []
        for step in steps:
            title = step.get("name") or step["uses"]
            failed = any(s.code not in (0, None) for s in done)
            if not _step_runs(step.get("if"), failed) or title in self.leave_out:
                done.append(Step(title, None))
            elif "uses" in step:
                done.append(self._action(title, step, folder, context, env))
            else:
                step_env = {**env, **{k: expand(str(v), context)
                                      for k, v in step.get("env", {}).items()}}  # fmt: skip
                ran = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                     expand(step["run"], context)],
                    cwd=folder, env=step_env, capture_output=True, text=True, timeout=900,
                    check=False,
                )  # fmt: skip
                done.append(Step(title, ran.returncode, ran.stdout + ran.stderr))
        return done

    def _action(self, title: str, step: dict[str, Any], folder: Path, context: dict[str, str],
                env: dict[str, str]) -> Step:  # fmt: skip
        action = step["uses"].partition("@")[0]
        given = {k: expand(str(v), context) for k, v in step.get("with", {}).items()}
        if action in _STAND_INS:
            return Step(title, None)
        if action in self.actions:
            return self._composite(
                title, self.actions[action], given, folder=folder, context=context, env=env
            )
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

    def _composite(self, title: str, path: Path, given: dict[str, str], *, folder: Path,
                   context: dict[str, str], env: dict[str, str]) -> Step:  # fmt: skip
        """A composite action's steps, its inputs from ``given`` and its defaults; the
        step's result that of its first failing step (its output all of theirs)."""
        action = yaml.safe_load((path / "action.yml").read_text())
        assert action["runs"]["using"] == "composite", f"{title}: not a composite action"
        declared: dict[str, dict[str, Any]] = action.get("inputs", {})
        unknown = set(given) - set(declared)
        assert not unknown, f"{title}: inputs the action does not declare: {sorted(unknown)}"
        inputs = {}
        for name, spec in declared.items():
            if name not in given and spec.get("required"):
                return Step(title, 1, f"Input required and not supplied: {name}")
            inputs[f"inputs.{name}"] = given.get(name, str(spec.get("default", "")))
        inner = {**context, **inputs, "github.action_path": str(path)}
        for step in action["runs"]["steps"]:
            assert "uses" in step or step.get("shell") == "bash", f"{title}: a step without shell"
        steps = self._steps(action["runs"]["steps"], folder, inner, env)
        codes = [s.code for s in steps if s.code not in (0, None)]
        output = "".join(f"[{s.name}] {s.output}" for s in steps)
        return Step(title, codes[0] if codes else 0, output, steps)


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
