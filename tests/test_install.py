"""Netwright installs like a desktop application (issue 24, problem 12).

``pip install .`` into a fresh virtual environment gives a ``netwright`` command that
works from any folder (the templates and icon come along as package data); the
desktop entry is valid and ``scripts/install_desktop.sh`` installs it, its icon and
the file types for the current user; the window carries the icon and names its
desktop entry.  The fresh environment sees the checkout's installed packages
through a ``.pth`` file and pip builds without isolation or an index, so the test
takes seconds and no network.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("pyproject.toml", "README.md", "main.py", "gui", "engine", "cli", "resources")
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with Netwright pip-installed from a copy of the checkout."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    source.mkdir()
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    env = base / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    site = Path(
        sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)})
    )  # the new environment's site-packages
    (site / "checkout_packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install", "--quiet"]
        + ["--no-compile", "--no-deps", "--no-build-isolation", "--no-index", "--no-cache-dir", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return env


def test_pip_install_gives_a_netwright_command_that_runs_anywhere(installed, tmp_path):
    done = subprocess.run(
        [str(installed / "bin" / "netwright"), "--help"],
        cwd=tmp_path,  # not the checkout: everything must come from the installed environment
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: netwright ")
    assert "check" in done.stdout and "train" in done.stdout


def test_the_templates_and_the_icon_are_installed_as_package_data(installed, tmp_path):
    probe = (
        "import gui.app, gui.start_page, main\n"
        "print(main.__file__)\n"
        "print(len(list(gui.start_page.TEMPLATES_DIR.glob('*.json'))))\n"
        "print((gui.app.RESOURCES / 'icons' / 'netwright.png').is_file())\n"
    )
    done = subprocess.run(
        [str(installed / "bin" / "python"), "-c", probe],
        cwd=tmp_path,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    module, templates, icon = done.stdout.split()
    assert Path(module).is_relative_to(installed)  # the installed copy, not the checkout
    assert int(templates) == len(list((ROOT / "resources" / "designs").glob("*.json"))) > 0
    assert icon == "True"


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_is_valid():
    path = ROOT / "resources" / "netwright.desktop"
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert done.returncode == 0 and "error" not in done.stdout, done.stdout
    entry = desktop_entry(path)
    assert entry["Type"] == "Application" and entry["Name"] == "Netwright"
    assert entry["Exec"].split()[-1] in ("%f", "%F", "%u", "%U")  # a file from the file manager
    assert entry["Icon"] == "netwright" and entry["StartupWMClass"] == "Netwright"
    types = set(entry["MimeType"].strip(";").split(";"))
    assert types == {"application/x-netwright-design", "application/x-keras"}


def test_install_desktop_puts_the_launcher_icon_and_file_types_in_the_users_data_folder(installed, tmp_path):
    data = tmp_path / "data"
    command = installed / "bin" / "netwright"
    env = {**os.environ, "XDG_DATA_HOME": str(data), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install_desktop.sh"), "--exec", str(command)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    launcher = data / "applications" / "netwright.desktop"
    assert desktop_entry(launcher)["Exec"] == f'"{command}" %f'
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "netwright.svg").is_file()
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "netwright.png").is_file()
    assert (data / "mime" / "packages" / "netwright.xml").is_file()
    if shutil.which("xdg-mime") and shutil.which("update-mime-database"):

        def query(*args: str) -> str:
            asked = ["xdg-mime", "query", *args]
            return subprocess.run(asked, env=env, capture_output=True, text=True).stdout

        plain = tmp_path / "other.json"
        plain.write_text('{"a": 1}')
        assert query("filetype", str(ROOT / "resources" / "designs" / "small_cnn.json")).strip() == (
            "application/x-netwright-design"
        )
        assert query("filetype", str(plain)).strip() == "application/json"  # other JSON stays JSON
        assert query("default", "application/x-netwright-design").strip() == "netwright.desktop"
    undone = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install_desktop.sh"), "--uninstall"], env=env, capture_output=True
    )
    assert undone.returncode == 0 and not launcher.exists()


def test_the_window_shows_the_icon_and_names_its_desktop_entry(tmp_path):
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "def shown(self=None):\n"
        "    w = QApplication.topLevelWidgets()[0].window()\n"
        "    print(not w.windowIcon().isNull(), QApplication.desktopFileName())\n"
        "    return 0\n"
        "QApplication.exec = shown\n"
        "from gui.app import run_gui\n"
        "sys.exit(run_gui([]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, **QUIET, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "netwright"]
