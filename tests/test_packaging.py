"""The README's installs on a fresh virtual environment: from a clone, from the repository's
URL, and the release's sdist and wheel, each running the README's commands.

``pip install .`` builds a wheel (not editable); the mock then runs from any directory, so
the document and the fixtures must travel inside the wheel. The clone's install runs once,
in a copy of the checkout (it makes ``.venv`` there), and its venv serves every test here
that needs the kit installed alone; the other installs go into it over the first.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cli_process import MockProcess, console_script
from readme import README, python_test_files, readme_examples, setup_commands, text, url_install

ROOT = Path(__file__).resolve().parent.parent
# tox -e latest leaves these out: a fresh venv resolves the newest versions by itself.
pytestmark = [pytest.mark.slow, pytest.mark.once]


@dataclass(frozen=True)
class ReadmeInstall:
    """The README's install-and-run command, run once in a fresh venv."""

    bin: Path  # the venv's bin folder: ``pip install .`` alone put the kit there
    checkout: Path  # the copy of the checkout it ran in
    url: str  # where the mock it started listened
    status: int  # the mock's answer to a valid request
    stderr: str  # the mock's stderr, once stopped by SIGTERM


def copy_checkout(dest: Path) -> Path:
    """The files git tracks, as they are in the work tree: a fresh clone of this state (the
    whole tree but what the kit's runs leave, outside a git checkout)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            timeout=60, check=False)  # fmt: skip
    if listed.returncode != 0:
        ignore = shutil.ignore_patterns(".git", ".tox", ".venv", "node_modules", "__pycache__")
        shutil.copytree(ROOT, dest, ignore=ignore)
        return dest
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


@pytest.fixture(scope="module")
def readme_install(tmp_path_factory: pytest.TempPathFactory) -> ReadmeInstall:
    checkout = copy_checkout(tmp_path_factory.mktemp("fresh") / "clone")
    install_and_run, _ = setup_commands()
    # python3 is the tests' own: its venv module makes a venv of the interpreter beneath
    path = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
    mock = MockProcess(
        ["bash", "-c", install_and_run.command],
        cwd=checkout,
        env={"PATH": path, "HONCHO_MOCK_PORT": "0"},
    )
    url = mock.wait_listening(timeout=300)
    response = httpx.post(
        f"{url}/v2/workspaces/ws-1/trigger_dream", json={"observer": "a", "dream_type": "agent"}
    )
    _, err = mock.stop(signal.SIGTERM)  # the shell dies of the signal; the mock shuts down
    return ReadmeInstall(checkout / ".venv" / "bin", checkout, url, response.status_code, err)


def test_readme_install_and_run_command(readme_install: ReadmeInstall, tmp_path: Path) -> None:
    install_and_run, _ = setup_commands()
    assert install_and_run.command == (
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && honcho-mock"
    )
    assert install_and_run.output == ["listening on http://127.0.0.1:8000"]
    assert readme_install.url.startswith("http://127.0.0.1:")
    assert readme_install.status == 204
    assert "Finished server process" in readme_install.stderr
    assert "Traceback" not in readme_install.stderr

    elsewhere = MockProcess(
        [console_script("honcho-mock", readme_install.bin), "--port", "0"], cwd=tmp_path
    )
    url = elsewhere.wait_listening()
    invalid = httpx.post(f"{url}/v2/workspaces/ws-1/trigger_dream", json={})
    elsewhere.stop(signal.SIGTERM)
    assert invalid.status_code == 422
    assert [item["loc"] for item in invalid.json()["detail"]] == [
        ["body", "observer"],
        ["body", "dream_type"],
    ]


def test_one_install_gives_every_command_and_an_unbroken_pytest(
    readme_install: ReadmeInstall, tmp_path: Path
) -> None:
    installed = readme_install.bin
    # Both commands, and pytest with the kit's plugins loaded, on a test that has nothing to
    # do with the kit.
    for script in ("honcho-contract", "honcho-mock"):
        done = subprocess.run([console_script(script, installed), "--help"], capture_output=True,
                              text=True, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    (tmp_path / "test_unrelated.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    python = str(installed / "python")
    done = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_prism_from_any_install(
    readme_install: ReadmeInstall, tmp_path: Path, mock_url: str
) -> None:
    installed = readme_install.bin
    # From the wheel, in another directory: prism install, then the proxy finds that Prism.
    # The docs' example is this command.
    assert "\nhoncho-contract prism install " in text()
    contract = console_script("honcho-contract", installed)
    env = {**os.environ, "HONCHO_CONTRACT_PRISM_HOME": str(tmp_path / "prism")}
    done = subprocess.run([contract, "prism", "install"], capture_output=True, text=True,
                          timeout=600, check=False, cwd=tmp_path, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Prism 5.16.0 installed: ")
    proxy = subprocess.Popen([contract, "proxy", "--upstream", mock_url, "--port", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=tmp_path, env=env)  # fmt: skip
    try:
        assert proxy.stdout is not None
        first = proxy.stdout.readline()
    finally:
        proxy.send_signal(signal.SIGINT)
        _, err = proxy.communicate(timeout=60)
    assert first.startswith("proxying http://127.0.0.1:"), err
    assert proxy.returncode == 0, err


def readme_uses(installed: Path, tmp_path: Path) -> None:
    """The README's examples of the three uses, on the kit installed in ``installed``: the
    mock's curls, the suite against that mock, the fixture's test file under pytest. The
    venv holds the newest versions the kit allows, so the suite's count of cases may differ
    from the README's (the pinned versions'): its verdict may not."""
    mock = MockProcess([console_script("honcho-mock", installed), "--port", "0"], cwd=tmp_path)
    url = mock.wait_listening()
    env = {"PATH": f"{installed}:/usr/bin:/bin"}
    try:
        for example in readme_examples():
            done = subprocess.run(
                ["bash", "-c", example.command.replace("http://127.0.0.1:8000", url)],
                capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path, check=True,
            )  # fmt: skip
            output = done.stdout.replace(url, "http://127.0.0.1:8000")
            if example.command.startswith("honcho-contract "):
                assert output.splitlines()[-1].startswith("0 failures, 2 warnings in "), output
            else:
                assert example.matches(output), output
    finally:
        mock.stop(signal.SIGTERM)
    ((name, source),) = python_test_files(README.read_text(encoding="utf-8"))
    (tmp_path / name).write_text(source, encoding="utf-8")
    done = subprocess.run([str(installed / "python"), "-m", "pytest", "-q", "-p",
                           "no:cacheprovider", name], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def reinstall(installed: Path, *requirement: str) -> None:
    """``requirement`` over the kit in the shared venv: its dependencies are there already."""
    subprocess.run([str(installed / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--force-reinstall", *requirement], check=True, capture_output=True,
                   timeout=600)  # fmt: skip


@pytest.fixture(scope="module")
def release(readme_install: ReadmeInstall, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build``'s sdist and wheel (the wheel built from the sdist), as tox's
    ``package`` env makes them, from the clone's copy."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist),
                    str(readme_install.checkout)], check=True, capture_output=True,
                   timeout=600)  # fmt: skip
    return dist


def test_the_sdist_carries_what_its_tests_read(release: Path) -> None:
    # tests/readme.py reads the README and docs/; the docs env builds with mkdocs.yml
    (sdist,) = release.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    wanted = {
        "README.md",
        "CHANGELOG.md",
        "mkdocs.yml",
        "docs/index.md",
        "docs/numbers.toml",
        "tools/docs/hooks.py",
        "tests/readme.py",
        "benchmarks/results/2026-11-28T1428.json",
    }
    assert wanted <= names, wanted - names


@pytest.mark.parametrize("artifact", ["*.tar.gz", "*.whl"], ids=["sdist", "wheel"])
def test_the_release_installs_and_runs_the_readmes_examples(
    artifact: str, readme_install: ReadmeInstall, release: Path, tmp_path: Path
) -> None:
    (built,) = release.glob(artifact)
    reinstall(readme_install.bin, str(built))
    readme_uses(readme_install.bin, tmp_path)


def test_the_readmes_install_from_the_repository_url(
    readme_install: ReadmeInstall, tmp_path: Path
) -> None:
    # The README's URL install, with a local repository of this state for the URL.
    venv_part = "python3 -m venv .venv && . .venv/bin/activate && "
    command = url_install().command
    assert command.startswith(venv_part)
    repository = copy_checkout(tmp_path / "repository")
    git = ["git", "-C", str(repository), "-c", "user.name=kit", "-c", "user.email=kit@localhost"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the kit"]):
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=120)
    url = command.split("'")[1].replace("https://github.com/YOUR-ORG/honcho-contract-kit",
                                        f"file://localhost{repository}")  # fmt: skip
    assert url.startswith("honcho-contract-kit @ git+file://localhost/"), url
    reinstall(readme_install.bin, url)
    mock = MockProcess([console_script("honcho-mock", readme_install.bin), "--port", "0"],
                       cwd=tmp_path)  # fmt: skip
    served = mock.wait_listening()
    answer = httpx.post(f"{served}/v2/workspaces/ws-1/trigger_dream", json={})
    mock.stop(signal.SIGTERM)
    assert answer.status_code == 422


# A client developer's suite: pytest-playwright's plugin set (it brings pytest-base-url),
# pytest-profiling, and tests that use their flags beside the kit's fixture.
OTHER_PLUGINS = ("pytest-playwright", "pytest-base-url", "pytest-profiling")
CLIENT_SUITE = """\
import httpx


def test_the_app_url_is_pytest_base_urls(base_url):
    assert base_url == "http://127.0.0.1:9"


def test_the_kit_mock(honcho_mock):
    url = f"{honcho_mock.url}/v2/workspaces/ws-1/trigger_dream"
    assert httpx.post(url, json={"observer": "a", "dream_type": "agent"}).status_code == 204
    assert [dream["observer"] for dream in honcho_mock.dreams] == ["a"]
"""


def test_the_kit_beside_other_pytest_plugins(
    readme_install: ReadmeInstall, tmp_path: Path, mock_url: str
) -> None:
    # Installing the kit broke every pytest run beside pytest-base-url (--base-url) and
    # pytest-profiling (--profile): argparse's "conflicting option string". Last in this
    # module: the plugins stay in the shared venv.
    installed = readme_install.bin
    python = str(installed / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", *OTHER_PLUGINS], check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    (tmp_path / "test_client.py").write_text(CLIENT_SUITE)
    # The app's --base-url names a dead port, and a HONCHO_CONTRACT_* variable is bad: the
    # kit's plugin reads neither, and contacts nothing, when its tests are not collected.
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HONCHO_CONTRACT_SEED": "not-a-number"}
    suite = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--base-url",
         "http://127.0.0.1:9", "--profile", "test_client.py"],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert suite.returncode == 0, suite.stdout + suite.stderr
    assert "2 passed" in suite.stdout
    assert "Profiling" in suite.stdout  # pytest-profiling's own --profile ran
    assert "honcho-contract" not in suite.stdout + suite.stderr
    # The contract tests in the same environment: pytest-base-url's --base-url, the kit's
    # prefixed flags.
    contract = subprocess.run(
        [python, "-m", "pytest", "--pyargs", "contract_tests", "-q", "-p", "no:cacheprovider",
         "--base-url", mock_url, "--contract-max-examples", "5", "--contract-seed", "3"],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
        env={"PATH": env["PATH"]},
    )  # fmt: skip
    assert contract.returncode == 0, contract.stdout[-3000:] + contract.stderr[-3000:]
    assert " passed" in contract.stdout.splitlines()[-1]
    helped = subprocess.run([python, "-m", "pytest", "--help"], capture_output=True, text=True,
                            timeout=60, check=True, cwd=tmp_path)  # fmt: skip
    for flag in ("--base-url", "--profile", "--contract-profile", "--contract-seed"):
        assert f"  {flag}" in helped.stdout, flag


def test_wheel_carries_the_document_and_fixtures(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("honcho_contract_kit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "honcho_spec/_data/openapi/trigger_dream.openapi.yaml" in names
    packaged = {n for n in names if n.startswith("honcho_spec/_data/fixtures/")}
    on_disk = [path for path in (ROOT / "fixtures").rglob("*") if path.is_file()]
    assert len(packaged) == len(on_disk) > 0
    document = zipfile.ZipFile(wheel).read("honcho_spec/_data/openapi/trigger_dream.openapi.yaml")
    assert document == (ROOT / "openapi" / "trigger_dream.openapi.yaml").read_bytes()
