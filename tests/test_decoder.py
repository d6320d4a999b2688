"""Unit tests of the AttentionDecoder layer (chapter 06): eqs. 1-8 in a loop."""

import keras
import numpy as np
import pytest
from autodiff import variable_gradients
from keras import ops
from layer_contract import check_layer_contract, padded_copies
from numpy_decoder import decode

from lstm_attention import AttentionDecoder

BACKEND = keras.backend.backend()


def randomised(decoder, h, seed=0):
    "Build `decoder` on h and give every weight (biases included) random values; return the weights by name."
    decoder(h)
    rng = np.random.default_rng(seed)
    for w in decoder.weights:
        w.assign(rng.normal(scale=0.5, size=w.shape))
    return {w.name: ops.convert_to_numpy(w).astype("float64") for w in decoder.weights}


def random_h(batch, T_x, d, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, T_x, d)).astype("float32")


NOTATION_SHAPES = {  # the weights of the Notation page, with n = 5, K = 3, d = 4
    "W_s": (4, 5),
    "W_a": (5, 5),
    "U_a": (4, 5),
    "b_a": (5,),
    "V_a": (5,),
    "W_r": (3, 5),
    "W_z": (3, 5),
    "W_p": (3, 5),
    "U_r": (5, 5),
    "U_z": (5, 5),
    "U_p": (5, 5),
    "C_r": (4, 5),
    "C_z": (4, 5),
    "C_p": (4, 5),
    "b_r": (5,),
    "b_z": (5,),
    "b_p": (5,),
    "W_o": (3, 3),
    "U_o": (5, 3),
    "C_o": (4, 3),
    "b_o": (3,),
}


def test_weights_carry_the_names_and_shapes_of_the_notation_page():
    decoder = AttentionDecoder(units=5, output_dim=3)
    decoder(random_h(2, 6, 4))
    assert {w.name: tuple(w.shape) for w in decoder.weights} == NOTATION_SHAPES
    assert len(decoder.weights) == len(NOTATION_SHAPES)


@pytest.mark.parametrize(
    "batch, T_x, d, output_length",
    [(1, 1, 1, None), (1, 7, 3, 2), (4, 5, 6, None), (9, 12, 2, 20)],
)
@pytest.mark.parametrize("unroll", [False, True])
def test_output_shapes_and_distributions(batch, T_x, d, output_length, unroll):
    decoder = AttentionDecoder(
        units=4,
        output_dim=3,
        output_length=output_length,
        return_attention=True,
        unroll=unroll,
    )
    y, alpha = (ops.convert_to_numpy(v) for v in decoder(random_h(batch, T_x, d)))
    T_y = output_length or T_x
    assert y.shape == (batch, T_y, 3) and alpha.shape == (batch, T_y, T_x)
    np.testing.assert_allclose(y.sum(-1), 1, atol=1e-6)
    np.testing.assert_allclose(alpha.sum(-1), 1, atol=1e-6)
    assert decoder.compute_output_shape((batch, T_x, d)) == [
        (batch, T_y, 3),
        (batch, T_y, T_x),
    ]


def test_without_return_attention_only_y_comes_back():
    y = AttentionDecoder(units=4, output_dim=3, output_length=2)(random_h(2, 5, 6))
    assert tuple(y.shape) == (2, 2, 3)


@pytest.mark.parametrize("unroll", [False, True])
def test_matches_numpy_reference_over_the_whole_sequence(unroll):
    h = random_h(3, 7, 4, seed=1)
    decoder = AttentionDecoder(
        units=5, output_dim=3, output_length=6, return_attention=True, unroll=unroll
    )
    weights = randomised(decoder, h, seed=2)
    y, alpha = (ops.convert_to_numpy(v) for v in decoder(h))
    y_expected, alpha_expected = decode(h.astype("float64"), weights, T_y=6)
    np.testing.assert_allclose(y, y_expected, atol=1e-5)
    np.testing.assert_allclose(alpha, alpha_expected, atol=1e-5)


def test_scan_and_unrolled_loops_agree():
    h = random_h(2, 6, 4, seed=3)
    scanned = AttentionDecoder(units=5, output_dim=3, return_attention=True)
    unrolled = AttentionDecoder(
        units=5, output_dim=3, return_attention=True, unroll=True
    )
    scanned(h), unrolled(h)
    unrolled.set_weights(scanned.get_weights())
    for a, b in zip(scanned(h), unrolled(h)):
        np.testing.assert_allclose(
            ops.convert_to_numpy(a), ops.convert_to_numpy(b), atol=1e-6
        )


def test_padded_positions_get_zero_attention_and_do_not_change_the_rest():
    symbols = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(12, 4, mask_zero=True)(symbols)
    h = keras.layers.LSTM(6, return_sequences=True)(embedded)
    model = keras.Model(
        symbols, AttentionDecoder(5, 3, output_length=4, return_attention=True)(h)
    )
    short = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]])
    y, alpha = (ops.convert_to_numpy(v) for v in model(short))
    assert np.all(alpha[0, :, 3:] == 0) and np.all(alpha[1] > 0)
    np.testing.assert_allclose(alpha.sum(-1), 1, atol=1e-6)
    # The padded sequence decodes exactly as the same sequence without its padding.
    y_alone, alpha_alone = (ops.convert_to_numpy(v) for v in model(short[:1, :3]))
    np.testing.assert_allclose(y[0], y_alone[0], atol=1e-6)
    np.testing.assert_allclose(alpha[0, :, :3], alpha_alone[0], atol=1e-6)


def test_mask_matches_numpy_reference():
    h = random_h(2, 6, 4, seed=4)
    mask = np.array([[True] * 4 + [False] * 2, [True] * 6])
    decoder = AttentionDecoder(units=5, output_dim=3, return_attention=True)
    weights = randomised(decoder, h, seed=5)
    y, alpha = (ops.convert_to_numpy(v) for v in decoder(h, mask=mask))
    y_expected, alpha_expected = decode(h.astype("float64"), weights, T_y=6, mask=mask)
    np.testing.assert_allclose(y, y_expected, atol=1e-5)
    np.testing.assert_allclose(alpha, alpha_expected, atol=1e-5)


@pytest.mark.skipif(
    BACKEND != "tensorflow",
    reason="Keras 3.15 computes some float64 operations in float32 on JAX and PyTorch "
    "(dtypes.result_type gives float32: ops.tanh on JAX, ops.matmul on PyTorch), so "
    "there are no float64 finite differences there; the next test checks those backends",
)
@pytest.mark.parametrize("unroll", [False, True])
def test_gradients_match_finite_differences_in_float64(unroll):
    decoder = AttentionDecoder(
        units=3,
        output_dim=2,
        output_length=3,
        return_attention=True,
        unroll=unroll,
        dtype="float64",
    )
    h = np.random.default_rng(6).normal(size=(2, 4, 3))
    randomised(decoder, h, seed=7)
    probes = [
        np.random.default_rng(8).normal(size=(2, 3, 2)),
        np.random.default_rng(9).normal(size=(2, 3, 4)),
    ]

    def loss():
        # ops.multiply, not *: on PyTorch, a NumPy array times a tensor fails.
        outputs = decoder(h)
        return sum(ops.sum(ops.multiply(o, p)) for o, p in zip(outputs, probes))

    _, gradients = variable_gradients(loss, decoder.trainable_variables)
    epsilon = 1e-6
    for w, gradient in zip(decoder.trainable_variables, gradients):
        original = ops.convert_to_numpy(w).copy()
        for index in np.ndindex(original.shape):
            shifted = [original.copy(), original.copy()]
            shifted[0][index] += epsilon
            shifted[1][index] -= epsilon
            w.assign(shifted[0])
            plus = float(loss())
            w.assign(shifted[1])
            minus = float(loss())
            w.assign(original)
            assert abs((plus - minus) / (2 * epsilon) - gradient[index]) < 1e-7, (
                w.name,
                index,
            )


@pytest.mark.parametrize("unroll", [False, True])
def test_gradients_match_finite_differences_of_the_numpy_reference(unroll):
    # On every backend: the layer's float32 gradients against central differences of
    # the float64 NumPy decoder, on the same weights.
    h = random_h(2, 4, 3, seed=13)
    decoder = AttentionDecoder(
        units=3, output_dim=2, output_length=3, return_attention=True, unroll=unroll
    )
    weights = randomised(decoder, h, seed=14)
    rng = np.random.default_rng(15)
    probe_y = rng.normal(size=(2, 3, 2)).astype("float32")
    probe_alpha = rng.normal(size=(2, 3, 4)).astype("float32")

    def loss():
        y, alpha = decoder(h)
        return ops.sum(ops.multiply(y, probe_y)) + ops.sum(
            ops.multiply(alpha, probe_alpha)
        )

    def reference_loss(w):
        y, alpha = decode(h.astype("float64"), w, T_y=3)
        return np.sum(y * probe_y) + np.sum(alpha * probe_alpha)

    _, gradients = variable_gradients(loss, decoder.trainable_variables)
    epsilon = 1e-6
    for variable, gradient in zip(decoder.trainable_variables, gradients):
        numeric = np.zeros(variable.shape)
        for index in np.ndindex(numeric.shape):
            for sign in (+1, -1):
                shifted = dict(
                    weights, **{variable.name: weights[variable.name].copy()}
                )
                shifted[variable.name][index] += sign * epsilon
                numeric[index] += sign * reference_loss(shifted) / (2 * epsilon)
        np.testing.assert_allclose(
            gradient, numeric, rtol=0, atol=2e-5, err_msg=variable.name
        )


def test_functional_and_sequential_models_fit_evaluate_predict_with_default_settings():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(16, 5, 3)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 4, size=(16, 2)), 4)
    inputs = keras.Input((5, 3))
    functional = keras.Model(
        inputs,
        AttentionDecoder(8, 4, output_length=2)(
            keras.layers.GRU(6, return_sequences=True)(inputs)
        ),
    )
    sequential = keras.Sequential(
        [
            keras.Input((5, 3)),
            keras.layers.GRU(6, return_sequences=True),
            AttentionDecoder(8, 4, output_length=2),
        ]
    )
    for model in (functional, sequential):
        model.compile(loss="categorical_crossentropy")
        history = model.fit(
            x, y, epochs=2, batch_size=5, verbose=0
        )  # 5 does not divide 16: a batch of 1 too
        assert np.all(np.isfinite(history.history["loss"]))
        assert np.isfinite(model.evaluate(x, y, verbose=0))
        assert model.predict(x[:1], verbose=0).shape == (1, 2, 4)


def test_overfits_a_handful_of_sequences():
    keras.utils.set_random_seed(0)
    sequences = np.random.default_rng(11).integers(0, 6, size=(6, 5))
    source = keras.Input((5,), dtype="int32")
    h = keras.layers.LSTM(24, return_sequences=True)(
        keras.layers.Embedding(6, 8)(source)
    )
    model = keras.Model(source, AttentionDecoder(24, 6)(h))
    model.compile(
        optimizer=keras.optimizers.Adam(0.02), loss="categorical_crossentropy"
    )
    model.fit(
        sequences,
        keras.utils.to_categorical(sequences[:, ::-1], 6),
        epochs=120,
        batch_size=6,
        verbose=0,
    )
    assert np.array_equal(
        ops.convert_to_numpy(ops.argmax(model(sequences), -1)), sequences[:, ::-1]
    )


@pytest.mark.parametrize("unroll", [False, True])
@pytest.mark.parametrize("return_attention", [False, True])
def test_layer_contract(tmp_path, unroll, return_attention):
    # Config and .keras round trips with random weights, shape inference with T_x unknown,
    # and a padded batch, padded at the end and in front, decoding as the unpadded one.
    h = random_h(3, 5, 6)
    mask = np.ones((3, 5), bool)
    mask[1, 3:] = False
    (end, end_mask), (front, front_mask) = padded_copies(h, mask)

    def unpad(real):
        "The padded batch's output at the real positions (y has no position axis)."
        if return_attention:
            return lambda out: [out[0], out[1][..., real]]
        return lambda y: y

    result = check_layer_contract(
        AttentionDecoder(
            units=4,
            output_dim=7,
            output_length=4,
            unroll=unroll,
            return_attention=return_attention,
            name="decoder",
        ),
        h,
        tmp_path,
        call_kwargs={"mask": mask},
        input_shapes=(None, 6),
        padded=[
            (end, {"mask": end_mask}, unpad(slice(None, 5))),
            (front, {"mask": front_mask}, unpad(slice(3, None))),
        ],
    )
    clone = result.clone
    assert (
        clone.units,
        clone.output_dim,
        clone.output_length,
        clone.return_attention,
        clone.unroll,
    ) == (4, 7, 4, return_attention, unroll)
    # What the round trips kept is the decoder of the equations, mask included.
    weights = {
        w.name: ops.convert_to_numpy(w).astype("float64") for w in result.loaded.weights
    }
    y, alpha = decode(h.astype("float64"), weights, T_y=4, mask=mask)
    output = result.output if return_attention else [result.output]
    for actual, expected in zip(output, (y, alpha)):
        np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_unroll_none_stays_none_after_from_config():
    assert (
        AttentionDecoder.from_config(AttentionDecoder(4, 3).get_config()).unroll is None
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(units=0, output_dim=3), "`units` must be a positive integer; got 0"),
        (dict(units=2.0, output_dim=3), "`units` must be a positive integer; got 2.0"),
        (dict(units=4, output_dim=0), "`output_dim` must be a positive integer; got 0"),
        (
            dict(units=4, output_dim=3, output_length=0),
            "`output_length` must be a positive integer; got 0",
        ),
        (
            dict(units=4, output_dim=3, output_length=2.5),
            "`output_length` must be a positive integer; got 2.5",
        ),
        (
            dict(units=4, output_dim=3, output_length="5"),
            "`output_length` must be a positive integer; got '5'",
        ),
        (
            dict(units=4, output_dim=3, return_attention="yes"),
            "`return_attention` must be True or False; got 'yes'",
        ),
        (
            dict(units=4, output_dim=3, unroll=1),
            "`unroll` must be True, False or None; got 1",
        ),
    ],
)
def test_bad_configuration_raises_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AttentionDecoder(**kwargs)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 4, 5), (6,)])
def test_input_of_rank_other_than_3_is_rejected(shape):
    with pytest.raises(
        ValueError,
        match=r"expects encoder outputs of rank 3, \(batch, T_x, d\); got shape",
    ):
        AttentionDecoder(4, 3)(np.zeros(shape, "float32"))


def test_unknown_last_dimension_is_rejected():
    with pytest.raises(
        ValueError, match="last dimension of its input .* must be known"
    ):
        AttentionDecoder(4, 3)(keras.Input((5, None)))


def test_encoder_size_must_match_the_built_layer():
    decoder = AttentionDecoder(4, 3)
    decoder(random_h(2, 5, 6))
    with pytest.raises(
        ValueError,
        match="size 7 in its last dimension, but the layer was built for .* d=6",
    ):
        decoder(random_h(2, 5, 7))


def test_two_inputs_are_rejected():
    with pytest.raises(ValueError, match="takes one input, the encoder outputs"):
        AttentionDecoder(4, 3)([random_h(2, 5, 6), random_h(2, 5, 6)])


def test_unroll_needs_a_known_length():
    with pytest.raises(ValueError, match="unroll=True.* needs a known number of steps"):
        AttentionDecoder(4, 3, unroll=True)(keras.Input((None, 6)))


def test_only_tensorflow_with_the_scan_loop_opts_out_of_xla():
    # With jit_compile="auto", Keras compiles with XLA where every layer supports it (JAX; TensorFlow with an
    # accelerator and no distribution strategy). TensorFlow's scan cannot be differentiated under XLA (see the
    # next test), so there, and only there, the scan loop opts out.
    scan, unrolled = (
        AttentionDecoder(4, 3, unroll=False),
        AttentionDecoder(4, 3, unroll=True),
    )
    assert scan.supports_jit is (BACKEND != "tensorflow")
    assert unrolled.supports_jit is True
    assert AttentionDecoder(4, 3).supports_jit is (
        BACKEND != "tensorflow"
    )  # T_y unknown: scan
    assert (
        AttentionDecoder(4, 3, output_length=2).supports_jit is True
    )  # T_y fixed: unrolled


@pytest.mark.skipif(BACKEND != "tensorflow", reason="the opt-out is TensorFlow's")
def test_tensorflow_cannot_train_the_scan_loop_under_xla():
    # keras.ops.scan is a tf.while_loop without maximum_iterations on TensorFlow, and XLA cannot compile the
    # gradient of such a loop: forcing supports_jit on shows why the layer leaves it off.
    inputs = keras.Input((5, 3))
    layer = AttentionDecoder(4, 3, unroll=False)
    model = keras.Model(inputs, layer(inputs))
    layer.supports_jit = True
    model.compile(loss="categorical_crossentropy", jit_compile=True)
    assert model.jit_compile is True
    x, y = np.zeros((2, 5, 3)), np.full((2, 5, 3), 1 / 3)
    with pytest.raises(
        Exception, match="XLA compilation requires a fixed tensor list size"
    ):
        model.train_on_batch(x, y)


@pytest.mark.skipif(
    BACKEND == "torch", reason="jit_compile=True means torch.compile, slow on a CPU"
)
@pytest.mark.parametrize("unroll", [False, True])
def test_trains_under_xla_wherever_the_layer_supports_it(unroll):
    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, AttentionDecoder(6, 4, unroll=unroll)(inputs))
    model.compile(loss="categorical_crossentropy", jit_compile=True)
    assert model.jit_compile is model.layers[-1].supports_jit
    rng = np.random.default_rng(12)
    x, y = (
        rng.normal(size=(8, 5, 3)),
        keras.utils.to_categorical(rng.integers(0, 4, (8, 5)), 4),
    )
    history = model.fit(x, y, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.skipif(
    BACKEND != "jax",
    reason="Keras's default turns XLA on by itself only on JAX and GPUs",
)
def test_the_default_model_is_compiled_with_xla_on_jax():
    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, AttentionDecoder(6, 4)(inputs))
    model.compile(loss="categorical_crossentropy")
    assert model.jit_compile is True


def test_the_default_loop_unrolls_when_output_length_is_set_and_scans_otherwise():
    assert AttentionDecoder(4, 3, output_length=5)._unrolled() is True
    assert AttentionDecoder(4, 3)._unrolled() is False
    assert AttentionDecoder(4, 3, output_length=5, unroll=False)._unrolled() is False
    assert AttentionDecoder(4, 3, unroll=True)._unrolled() is True


def test_zero_source_positions_are_rejected():
    with pytest.raises(
        ValueError,
        match=r"needs at least one source position, but its input has T_x = 0 \(shape \(2, 0, 6\)\)",
    ):
        AttentionDecoder(4, 3)(np.zeros((2, 0, 6), "float32"))
    with pytest.raises(ValueError, match="T_x = 0"):
        AttentionDecoder(4, 3, output_length=2)(keras.Input((0, 6)))


@pytest.mark.parametrize("unroll", [None, False, True])
@pytest.mark.parametrize("return_attention", [False, True])
def test_an_empty_batch_gives_an_empty_batch_back(unroll, return_attention):
    decoder = AttentionDecoder(
        4, 3, output_length=2, return_attention=return_attention, unroll=unroll
    )
    outputs = decoder(np.zeros((0, 5, 6), "float32"))
    shapes = (
        [tuple(v.shape) for v in outputs]
        if return_attention
        else [tuple(outputs.shape)]
    )
    assert shapes == [(0, 2, 3), (0, 2, 5)][: len(shapes)]
    # ... as Keras's own recurrent layers do, and a later batch decodes as usual.
    assert tuple(keras.layers.GRU(4)(np.zeros((0, 5, 6), "float32")).shape) == (0, 4)
    y = decoder(random_h(2, 5, 6))
    assert tuple((y[0] if return_attention else y).shape) == (2, 2, 3)


def test_an_empty_batch_predicts_an_empty_batch_in_a_model():
    model = keras.Sequential([keras.Input((5, 6)), AttentionDecoder(4, 3)])
    assert tuple(ops.shape(model(np.zeros((0, 5, 6), "float32")))) == (0, 5, 3)


@pytest.mark.parametrize("unroll", [False, True])
@pytest.mark.parametrize("mask_shape", [(2, 4), (3, 5), (2, 5, 1), (10,)])
def test_a_mask_of_the_wrong_shape_is_rejected_naming_both_shapes(unroll, mask_shape):
    decoder = AttentionDecoder(4, 3, output_length=2, unroll=unroll)
    message = rf"the mask has shape \({', '.join(map(str, mask_shape))},?\), but the encoder outputs have shape \(2, 5, 6\)"
    with pytest.raises(ValueError, match=message):
        decoder(random_h(2, 5, 6), mask=np.ones(mask_shape, bool))
