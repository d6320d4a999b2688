"""Data-parallel training on 2 virtual CPU devices matches training on one device.

TensorFlow's `tf.distribute.MirroredStrategy` and JAX's `keras.distribution.DataParallel`
each split every global batch of 8 between 2 devices, run the model on each half and
average the gradients. From the same initial weights, on the same batches in the same
order, that is the same SGD step as on one device, up to float32 rounding: the tests
allow a relative difference of 1e-5 (about 80 float32 ulps) and an absolute one of 1e-6.
Each case runs tests/distributed_training.py in a fresh process (the devices must be made
before the backend starts), for the backend of the test run, about 10 seconds on a CPU.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).with_name("distributed_training.py")
RTOL, ATOL = 1e-5, 1e-6  # float32 rounding: the order of a sum changes


def run(backend, loop, devices=2):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("XLA_FLAGS", None)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), backend, str(devices), loop],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# `make test` runs the unit tests once per backend: each pass checks its own backend's engine.
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")


@pytest.mark.parametrize("loop", ["scan", "unroll"])
def test_two_devices_train_as_one(loop):
    if BACKEND not in ("tensorflow", "jax"):
        pytest.skip(f"no data-parallel engine tested for the {BACKEND} backend")
    backend = BACKEND
    result = run(backend, loop)
    assert result["replicas"] == 2  # the model really ran on 2 devices
    one, many = result["one"], result["many"]
    assert len(one["losses"]) == len(many["losses"]) == 6  # 3 epochs of 2 steps
    np.testing.assert_allclose(many["losses"], one["losses"], rtol=RTOL, atol=ATOL)
    # The steps changed the weights, so equal weights mean equal updates.
    moved = [
        np.max(np.abs(np.subtract(w, w0)))
        for w, w0 in zip(one["weights"], result["initial"])
    ]
    assert max(moved) > 1e-2
    assert len(one["weights"]) == len(many["weights"])
    for w_many, w_one in zip(many["weights"], one["weights"]):
        np.testing.assert_allclose(w_many, w_one, rtol=RTOL, atol=ATOL)
