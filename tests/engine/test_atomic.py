"""Atomic writes survive kill -9; reads open only regular files."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.atomic import atomic_path, clean_stale_temps, read_regular_file, write_text_atomic

ROOT = Path(__file__).resolve().parents[2]

SLOW_WRITER = """
import sys, time
from engine.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp, open(tmp, "wb") as f:
    f.write(b"partial")
    f.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_kill_during_a_write_leaves_the_old_file_and_the_next_write_cleans_up(tmp_path):
    target = tmp_path / "model.keras"
    target.write_bytes(b"the previous model")
    writer = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline() == "writing\n"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert target.read_bytes() == b"the previous model"
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert len(leftovers) == 1 and leftovers[0].name.endswith(".tmp-model.keras")
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and sorted(tmp_path.iterdir()) == [target]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "history.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_temp_files_of_live_writers_are_left_alone(tmp_path):
    target = tmp_path / "a[1].png"  # glob characters in the name match nothing else
    live = tmp_path / f".{target.name}.{os.getpid()}.abcd.tmp-{target.name}"
    other = tmp_path / ".a1.png.999999999.abcd.tmp-a1.png"
    live.write_text("")
    other.write_text("")
    assert clean_stale_temps(target) == []
    assert live.exists() and other.exists()


def test_a_missing_folder_is_an_error_before_anything_is_written(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder does not exist"):
        write_text_atomic(tmp_path / "no" / "such" / "file.json", "{}")


def test_reads_refuse_pipes_devices_folders_and_oversized_files(tmp_path):
    fifo = tmp_path / "design.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(ValueError, match="a pipe, device or socket"):
        read_regular_file(fifo, 1000)
    assert time.monotonic() - started < 5  # it did not wait for a writer
    with pytest.raises(ValueError, match="a pipe, device or socket"):
        read_regular_file("/dev/zero", 1000)
    with pytest.raises(ValueError, match="a folder"):
        read_regular_file(tmp_path, 1000)
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 3 * 2**20)
    with pytest.raises(ValueError, match=r"the file is 3\.0 MB; files are at most 2\.0 MB"):
        read_regular_file(big, 2 * 2**20)
    assert read_regular_file(big, 4 * 2**20) == b"x" * 3 * 2**20


def test_writes_never_replace_devices_pipes_or_folders_and_follow_links(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    for target in (tmp_path / "pipe", tmp_path, Path("/dev/null")):
        with pytest.raises(OSError, match="not a regular file"):
            write_text_atomic(target, "x")
    assert (tmp_path / "pipe").is_fifo() and Path("/dev/null").is_char_device()
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    write_text_atomic(tmp_path / "link.json", "new")
    assert (tmp_path / "link.json").is_symlink() and (tmp_path / "real.json").read_text() == "new"
