"""Start-up on a real X display: from ``python main.py`` to the window being mapped.

Starts its own Xvfb (needs Xvfb and xdotool), then launches the app three
times with fresh settings (so the start page opens, as on a first run) and
bytecode compiled by a warm-up run into a scratch folder, and polls
``xdotool search --onlyvisible --name Netwright`` every 5 ms until the
window is mapped.  ``xdotool search --sync`` itself sleeps 0.5 s between
looks, too coarse to measure with.

Run: .venv/bin/python benchmarks/startup_x11.py [--runs 3] [--size 1280x800]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_xvfb(size: str) -> tuple[subprocess.Popen, str]:
    """An X server on a display number it picks itself (``-displayfd``): a number that looks free
    here may be taken by a server that shares this machine's network namespace but not its /tmp."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{size}x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # written once the server accepts clients
    if not number:
        server.kill()
        raise SystemExit("could not start Xvfb")
    return server, f":{number}"


def mapped(env: dict[str, str]) -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "Netwright"],
        env=env,
        capture_output=True,
        text=True,
    )
    return bool(found.stdout.strip())


def one_run(display: str, bytecode: str) -> float:
    home = tempfile.mkdtemp(prefix="netwright-startup-")
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPYCACHEPREFIX": bytecode,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_CACHE_HOME": os.path.join(home, "cache"),
    }
    log = open(os.path.join(home, "stderr.txt"), "w+")  # noqa: SIM115 - read back on failure
    start = time.perf_counter()
    app = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        while not mapped(env):
            if app.poll() is not None:
                log.seek(0)
                raise SystemExit(
                    f"the app exited with {app.returncode} before its window appeared:\n{log.read()[-2000:]}"
                )
            if time.perf_counter() - start > 30:
                raise SystemExit("no window after 30 s")
            time.sleep(0.005)
        return (time.perf_counter() - start) * 1000
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, default=3)
    args.add_argument("--size", default="1280x800")
    opts = args.parse_args()
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        raise SystemExit("needs Xvfb and xdotool (apt-get install xvfb xdotool)")
    server, display = start_xvfb(opts.size)
    bytecode = tempfile.mkdtemp(prefix="netwright-bytecode-")
    try:
        # Warm the file cache and write the bytecode (as any second start, or `pip install`, has it):
        # a first run after an install reads everything from disk and compiles every module.
        one_run(display, bytecode)
        times = [one_run(display, bytecode) for _ in range(opts.runs)]
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(bytecode, ignore_errors=True)
    for i, ms in enumerate(times, 1):
        print(f"run {i}: {ms:.0f} ms")
    print(
        f"start-up to a mapped window on X ({opts.size}): median {statistics.median(times):.0f} ms, "
        f"worst {max(times):.0f} ms (target < 450 ms on a quiet machine)"
    )


if __name__ == "__main__":
    main()
