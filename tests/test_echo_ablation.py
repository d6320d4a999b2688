"""The decoders of experiments/echo_ablation.py cut exactly the path they name (chapter 07)."""

import importlib.util
import sys
from pathlib import Path

import keras
import numpy as np
from keras import ops

SCRIPT = Path(__file__).resolve().parents[1] / "experiments" / "echo_ablation.py"
# The script imports experiments/common.py as `common`, as it does when run from its folder.
sys.path.insert(0, str(SCRIPT.parent))
spec = importlib.util.spec_from_file_location("echo_ablation", SCRIPT)
ablation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ablation)

BATCH, T_X, D, N, K = 3, 4, 6, 5, 7


def decoder_and_weights(decoder_class):
    "A built decoder of `decoder_class` whose weights are those of seed 0."
    keras.utils.set_random_seed(0)
    decoder = decoder_class(N, K, return_attention=True, unroll=True)
    decoder.build((BATCH, T_X, D))
    return decoder


def encoder_outputs(seed):
    return np.random.default_rng(seed).normal(size=(BATCH, T_X, D)).astype("float32")


def test_the_full_arm_is_the_package_decoder():
    assert ablation.ARMS["on", "h_1"] is ablation.AttentionDecoder


def test_zero_start_starts_from_zero_and_changes_nothing_else():
    h = encoder_outputs(0)
    zero_start = decoder_and_weights(ablation.ZeroStartDecoder)
    full = decoder_and_weights(ablation.AttentionDecoder)
    s_0 = ops.convert_to_numpy(zero_start.initial_state(h))
    np.testing.assert_array_equal(s_0, np.zeros((BATCH, N)))
    assert np.abs(ops.convert_to_numpy(full.initial_state(h))).max() > 0
    # Same weights, same step: from the same state, both write the same y_1.
    projected = full.project_encoder_outputs(h)
    y_0 = full.first_input(h)
    for a, b in zip(
        full.step(y_0, s_0, h, projected), zero_start.step(y_0, s_0, h, projected)
    ):
        np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b))


def test_no_context_sees_the_source_only_through_h_1():
    h, other = encoder_outputs(0), encoder_outputs(1)
    changed = h.copy()
    changed[:, 1:] = other[:, 1:]  # every h_j but h_1 from other sequences
    no_context = decoder_and_weights(ablation.NoContextDecoder)
    y, _ = no_context(h)
    y_changed, _ = no_context(changed)
    np.testing.assert_allclose(
        ops.convert_to_numpy(y), ops.convert_to_numpy(y_changed), atol=1e-6
    )
    full = decoder_and_weights(ablation.AttentionDecoder)
    y_full, _ = full(h)
    y_full_changed, _ = full(changed)
    difference = ops.convert_to_numpy(y_full) - ops.convert_to_numpy(y_full_changed)
    assert np.abs(difference).max() > 1e-4


def test_neither_path_ignores_the_source():
    h, other = encoder_outputs(0), encoder_outputs(1)
    neither = decoder_and_weights(ablation.NoContextZeroStartDecoder)
    y, _ = neither(h)
    y_other, _ = neither(other)  # every h_j from other sequences
    np.testing.assert_allclose(
        ops.convert_to_numpy(y), ops.convert_to_numpy(y_other), atol=1e-6
    )
