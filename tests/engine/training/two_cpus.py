"""Scripts run in a fresh process whose CPU is split into two logical devices.

Logical devices must be configured before TensorFlow initialises, so a test that
needs two replicas runs its script in a new process; the script prints one line of
JSON last, which is returned.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRELUDE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
"""


def on_two_cpus(script: str, *args: str) -> dict:
    """The JSON the script prints last; ``sys.argv[2:]`` in the script are ``args``."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + script, str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
