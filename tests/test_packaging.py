"""The README's first set-up command on a fresh virtual environment: install, then serve.

``pip install .`` builds a wheel (not editable); the mock then runs from any directory, so
the document and the fixtures must travel inside the wheel. The command runs once, and its
venv serves every test here that needs the kit installed alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cli_process import MockProcess, console_script
from readme import setup_commands

ROOT = Path(__file__).resolve().parent.parent
# tox -e latest leaves these out: a fresh venv resolves the newest versions by itself.
pytestmark = [pytest.mark.slow, pytest.mark.once]


@dataclass(frozen=True)
class ReadmeInstall:
    """The README's install-and-run command, run once in a fresh venv."""

    bin: Path  # the venv's bin folder: ``pip install .`` alone put the kit there
    url: str  # where the mock it started listened
    status: int  # the mock's answer to a valid request
    stderr: str  # the mock's stderr, once stopped by SIGTERM


@pytest.fixture(scope="module")
def readme_install(tmp_path_factory: pytest.TempPathFactory) -> ReadmeInstall:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install_and_run, _ = setup_commands()
    path = f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    mock = MockProcess(
        ["bash", "-c", install_and_run.command],
        cwd=ROOT,
        env={"PATH": path, "HONCHO_MOCK_PORT": "0"},
    )
    url = mock.wait_listening(timeout=300)
    response = httpx.post(
        f"{url}/v2/workspaces/ws-1/trigger_dream", json={"observer": "a", "dream_type": "agent"}
    )
    _, err = mock.stop(signal.SIGTERM)  # the shell dies of the signal; the mock shuts down
    return ReadmeInstall(venv / "bin", url, response.status_code, err)


def test_readme_install_and_run_command(readme_install: ReadmeInstall, tmp_path: Path) -> None:
    install_and_run, _ = setup_commands()
    assert install_and_run.command == "python3 -m pip install . && honcho-mock"
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
    # The README's example is this command.
    assert "\nhoncho-contract prism install " in (ROOT / "README.md").read_text()
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
