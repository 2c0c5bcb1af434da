"""Build the compiled servers of ``tests/stacks/`` (Go, Java) into a cache outside the repository.

The toolchains are Debian's: ``golang-go`` (Go 1.19, standard library only),
``default-jdk-headless`` (OpenJDK 17) and ``libjackson2-databind-java`` (Jackson 2.14's jars in
``/usr/share/java``); ``.ci/run`` installs them. A build lives in
``$XDG_CACHE_HOME/honcho-contract-kit/stacks/`` (``~/.cache`` without it) under a name made of
the source's and the toolchain's hash: the first test of a session that needs a server builds
it, every other test (and every pytest-xdist worker, under a lock) runs that build, and it is
built again only when the source or the toolchain changes. A missing toolchain is a
:class:`StackUnavailableError` (the test skips, saying what to install); a source that does
not compile is an error.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["JACKSON_JARS", "StackUnavailableError", "go_binary", "java_command"]

JACKSON_JARS = tuple(
    Path("/usr/share/java") / f"jackson-{name}.jar" for name in ("databind", "core", "annotations")
)
BUILD_TIMEOUT = 300.0


class StackUnavailableError(Exception):
    """The stack cannot run here (no toolchain or runtime, no script): a reason to skip."""


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "honcho-contract-kit" / "stacks"


def go_binary(source: Path) -> Path:
    """``source`` built by ``go build``: the binary's path."""
    go = _tool("go", "golang-go")
    # Debian's Go ships its standard library compiled with cgo: with a C compiler at hand a
    # build reuses it (about 1 s); without one, CGO_ENABLED=0 recompiles net and os/user
    # (about 10 s, once).
    cgo = shutil.which(os.environ.get("CC") or "gcc") is not None
    key = _key(source, _version((go, "version")), f"cgo={cgo}")
    cache = cache_root()
    env = {
        "GOCACHE": str(cache / "go-build"),
        "GOPATH": str(cache / "go-path"),
        "GO111MODULE": "off",  # the standard library only: no module to resolve or download
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "",
        "CGO_ENABLED": "1" if cgo else "0",
    }

    def build(out: Path) -> None:
        _compile([go, "build", "-o", str(out / source.stem), str(source)], env)

    return _cached(f"go-{source.stem}-{key}", build) / source.stem


def java_command(source: Path) -> list[str]:
    """``source`` compiled by ``javac`` against Jackson: the ``java`` command that runs it."""
    javac = _tool("javac", "default-jdk-headless")
    java = _tool("java", "default-jdk-headless")
    missing = [str(jar) for jar in JACKSON_JARS if not jar.is_file()]
    if missing:
        raise StackUnavailableError(
            f"{', '.join(missing)} missing: install Debian's libjackson2-databind-java "
            f"to run the {source.stem} server"
        )
    # the jars are symlinks to their versioned files: the targets name the versions
    jars = [jar.resolve().name for jar in JACKSON_JARS]
    key = _key(source, _version((javac, "-version")), _version((java, "-version")), *jars)
    classpath = os.pathsep.join(str(jar) for jar in JACKSON_JARS)

    def build(out: Path) -> None:
        _compile([javac, "-encoding", "UTF-8", "-Xlint:all", "-Werror", "-cp", classpath,
                  "-d", str(out), str(source)], {})  # fmt: skip

    classes = _cached(f"java-{source.stem}-{key}", build)
    # One short-lived server on a shared 2-core machine: the serial collector and the client
    # compiler start fastest and take the least CPU.
    return [java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", f"{classes}{os.pathsep}{classpath}", source.stem]  # fmt: skip


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StackUnavailableError(
            f"{name} is not on PATH: install Debian's {package} (.ci/run does) to run this stack"
        )
    return path


@functools.cache
def _version(command: tuple[str, ...]) -> str:
    """What ``command`` prints, once a session: every server start asks."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    return done.stdout + done.stderr  # java and javac print their versions on stderr


def _key(source: Path, *parts: str) -> str:
    digest = hashlib.sha256(source.read_bytes())
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()[:16]


def _compile(command: list[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          env={**os.environ, **env}, check=False)  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )


def _cached(name: str, build: Callable[[Path], None]) -> Path:
    """The directory ``build`` filled, made once: built aside and renamed into place."""
    final = cache_root() / name
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with (final.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building it
        if final.is_dir():
            return final
        scratch = Path(tempfile.mkdtemp(prefix=f"{name}.", dir=final.parent))
        try:
            build(scratch)
            scratch.rename(final)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    return final
