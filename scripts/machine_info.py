"""What a measurement ran on, recorded beside every figure by scripts/eval and scripts/bench: date,
machine (CPU, cores, memory, load), the versions of Swift, Tesseract, OpenBLAS and poppler, the
commit and the sha256 of the recogniser's weights."""
from __future__ import annotations

import datetime
import hashlib
import os
import platform
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _out(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout + done.stderr).strip()


def _deb(package: str) -> str:
    return _out(["dpkg-query", "-W", "-f=${Version}", package]) or "unknown"


def swift_binary() -> str:
    for cand in ("swift", "/opt/swift/usr/bin/swift"):
        if _out([cand, "--version"]):
            return cand
    return "swift"


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float:
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def weights_sha256() -> str:
    path = REPO / "weights" / "crnn.safetensors"
    if not path.exists():
        return "none"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def versions() -> dict[str, str]:
    swift = _out([swift_binary(), "--version"])
    tesseract = _out(["tesseract", "--version"]).splitlines()
    return {
        "swift": (re.search(r"Swift version \S+", swift) or re.search(r".*", swift)).group(0),
        "tesseract": tesseract[0] if tesseract else "not installed",
        "leptonica": tesseract[1].strip() if len(tesseract) > 1 else "",
        "openblas": _deb("libopenblas0-pthread") if _deb("libopenblas0-pthread") != "unknown" else _deb("libopenblas0"),
        "poppler": _out(["pkg-config", "--modversion", "poppler-glib"]) or _out(["pdftoppm", "-v"]).splitlines()[0],
        "python": platform.python_version(),
    }


def machine() -> dict:
    load = os.getloadavg()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "kernel": platform.release(),
        "os": _out(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]) or platform.platform(),
        "load_average_at_start": [round(v, 2) for v in load],
    }


def provenance() -> dict:
    commit = _out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = bool(_out(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"]))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + ("+dirty" if dirty else ""),
        "weights_sha256": weights_sha256(),
        "machine": machine(),
        "versions": versions(),
    }


def describe(info: dict) -> str:
    """One paragraph for the top of a printed report."""
    m, v = info["machine"], info["versions"]
    return (f"{info['date']}, commit {info['commit']}, weights sha256 {info['weights_sha256'][:12]}\n"
            f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, "
            f"load average at start {m['load_average_at_start'][0]}\n"
            f"versions: {v['swift']}; {v['tesseract']} ({v['leptonica']}); OpenBLAS {v['openblas']}; "
            f"poppler {v['poppler']}")


def default_corpus() -> Path:
    """../shared/eval-dev relative to the repository root (one level further up from a worktree)."""
    for cand in (REPO.parent / "shared" / "eval-dev", REPO.parent.parent / "shared" / "eval-dev"):
        if cand.is_dir():
            return cand.resolve()
    return REPO.parent / "shared" / "eval-dev"


def docvault_binary(build: bool = True) -> Path:
    """The release CLI, statically linked Swift runtime as in scripts/demo. With `build`, runs the
    (incremental, so a no-op when up to date) release build first."""
    swift = swift_binary()
    args = [swift, "build", "-c", "release", "--static-swift-stdlib"]
    if build:
        done = subprocess.run(args + ["--product", "docvault"], cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit("swift build failed:\n" + (done.stdout + done.stderr)[-3000:])
    bindir = subprocess.run(args + ["--show-bin-path"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    binary = Path(bindir.strip()) / "docvault"
    if not binary.exists():
        raise SystemExit(f"{binary} does not exist: run without --no-build")
    return binary
