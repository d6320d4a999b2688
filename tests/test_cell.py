"""One attention cell and one loop (chapter 06) under both decoders: the step contract, s_0 from
the first real source position, and the decoder-side errors that name the problem."""

import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import check_layer_contract, padded_copies
from numpy_decoder import energies, softmax, step

from lstm_attention import (
    AttentionCell,
    AttentionDecoder,
    MultiplicativeScores,
    TeacherForcedDecoder,
    beam_search,
    greedy_decode,
    plot_attention,
)


def numpy_of(x):
    return ops.convert_to_numpy(x)


def random_h(batch=3, T_x=5, d=4, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, T_x, d)).astype("float32")


def padded_in_front(h):
    "h with 2 positions of noise in front, and the mask that marks them."
    return padded_copies(h, np.ones(h.shape[:2], bool), padding=2)[1]


def padded_at_the_end(h):
    return padded_copies(h, np.ones(h.shape[:2], bool), padding=2)[0]


def teacher_forced(seed=0, K=6, score="additive"):
    keras.utils.set_random_seed(seed)
    decoder = TeacherForcedDecoder(
        4, K, embedding_dim=3, score=score, return_attention=True
    )
    decoder([random_h(), np.ones((3, 1), "int32")])
    rng = np.random.default_rng(seed + 1)
    for weight in decoder.weights:  # far from uniform distributions
        weight.assign(rng.normal(scale=0.8, size=weight.shape))
    return decoder


# The cell and the loop


def test_both_decoders_hold_their_weights_in_one_attention_cell():
    attention = AttentionDecoder(5, 3)
    attention(random_h())
    forced = TeacherForcedDecoder(5, 3, embedding_dim=2)
    forced([random_h(), np.ones((3, 2), "int32")])
    for decoder in (attention, forced):
        assert isinstance(decoder.cell, AttentionCell)
        cell_weights = {w.name for w in decoder.cell.weights}
        assert {
            "W_s",
            "W_a",
            "U_a",
            "V_a",
            "W_r",
            "U_p",
            "C_z",
            "W_o",
            "b_o",
        } <= cell_weights
    assert [w.name for w in forced.weights if w.name not in cell_weights] == ["E"]


def test_the_cell_config_round_trips_with_its_alignment():
    cell = AttentionCell(
        4, 6, embedding_dim=3, alignment=MultiplicativeScores(4, scaled=True)
    )
    again = AttentionCell.from_config(cell.get_config())
    assert (again.units, again.output_dim, again.embedding_dim) == (4, 6, 3)
    assert isinstance(again.alignment, MultiplicativeScores) and again.alignment.scaled


def numpy_weights(layer):
    return {w.name: numpy_of(w).astype("float64") for w in layer.weights}


@pytest.mark.parametrize("scaled", [None, True])
def test_layer_contract(tmp_path, scaled):
    # The cell called as a layer is one step: [y_prev, s_prev, h] -> [logits, s, alpha].
    alignment = None if scaled is None else MultiplicativeScores(4, scaled=scaled)
    rng = np.random.default_rng(0)
    y_prev = rng.dirichlet(np.ones(7), size=3).astype("float32")
    s_prev = np.tanh(rng.normal(size=(3, 4))).astype("float32")
    h = random_h(3, 5, 6)
    mask = np.ones((3, 5), bool)
    mask[1, 3:] = False
    padded = [
        (
            [y_prev, s_prev, h_padded],
            {"mask": [None, None, mask_padded]},
            lambda out, real=real: [out[0], out[1], out[2][..., real]],
        )
        for (h_padded, mask_padded), real in zip(
            padded_copies(h, mask), (slice(None, 5), slice(3, None))
        )
    ]
    result = check_layer_contract(
        AttentionCell(4, 7, alignment=alignment, name="cell"),
        [y_prev, s_prev, h],
        tmp_path,
        call_kwargs={"mask": [None, None, mask]},
        input_shapes=[(7,), (4,), (None, 6)],
        padded=padded,
    )
    score = "additive" if scaled is None else "scaled_dot"
    y, s, alpha, _ = step(
        *(x.astype("float64") for x in (y_prev, s_prev, h)),
        numpy_weights(result.loaded),
        mask,
        score=score,
    )
    logits, s_layer, alpha_layer = result.output
    for actual, expected in zip((softmax(logits), s_layer, alpha_layer), (y, s, alpha)):
        np.testing.assert_allclose(actual, expected, atol=1e-5)


@pytest.mark.parametrize("scaled", [False, True])
def test_multiplicative_scores_layer_contract(tmp_path, scaled):
    rng = np.random.default_rng(0)
    s_prev = rng.normal(size=(3, 4)).astype("float32")
    h = random_h(3, 5, 6)
    result = check_layer_contract(
        MultiplicativeScores(4, scaled=scaled, name="scores"),
        [s_prev, h],
        tmp_path,
        input_shapes=[(4,), (None, 6)],
    )
    score = "scaled_dot" if scaled else "general"
    expected = energies(
        s_prev.astype("float64"),
        h.astype("float64"),
        numpy_weights(result.loaded),
        score,
    )
    np.testing.assert_allclose(result.output, expected, atol=1e-5)


def test_the_cell_called_as_a_layer_is_one_step():
    keras.utils.set_random_seed(0)
    cell = AttentionCell(4, 6)
    h, y_prev = random_h(), np.full((3, 6), 1 / 6, "float32")
    s_prev = np.zeros((3, 4), "float32")
    cell.build(h.shape)
    logits, s, alpha = cell([y_prev, s_prev, h])
    expected = cell.step(y_prev, s_prev, h, cell.project_encoder_outputs(h))
    for actual, wanted in zip((logits, s, alpha), expected):
        np.testing.assert_allclose(numpy_of(actual), numpy_of(wanted), atol=1e-6)
    assert [tuple(x.shape) for x in (logits, s, alpha)] == [(3, 6), (3, 4), (3, 5)]


@pytest.mark.parametrize("unroll", [False, True])
def test_attention_decoder_is_its_step_fed_back_from_y_0(unroll):
    keras.utils.set_random_seed(0)
    decoder = AttentionDecoder(
        4, 6, output_length=3, return_attention=True, unroll=unroll
    )
    h = random_h()
    y, alpha = (numpy_of(v) for v in decoder(h))
    projected = decoder.project_encoder_outputs(h)
    s, y_prev = decoder.initial_state(h), decoder.first_input(h)
    assert not numpy_of(y_prev).any()  # y_0 = 0
    for t in range(3):
        logits, s, alpha_t = decoder.step(y_prev, s, h, projected)
        y_prev = decoder.feed_back(logits)
        np.testing.assert_allclose(numpy_of(y_prev), y[:, t], atol=1e-6)
        np.testing.assert_allclose(numpy_of(alpha_t), alpha[:, t], atol=1e-6)


def test_teacher_forced_scan_and_unrolled_loops_agree():
    decoder = teacher_forced()
    unrolled = TeacherForcedDecoder(
        4, 6, embedding_dim=3, return_attention=True, unroll=True
    )
    h, previous = random_h(), np.array([[1, 3, 4], [1, 2, 0], [1, 5, 5]], "int32")
    unrolled([h, previous])
    for mine, theirs in zip(unrolled.weights, decoder.weights):
        mine.assign(theirs)
    for a, b in zip(decoder([h, previous]), unrolled([h, previous])):
        np.testing.assert_allclose(numpy_of(a), numpy_of(b), atol=1e-6)
    assert unrolled.get_config()["unroll"] is True


def test_an_empty_batch_gives_an_empty_batch_back_in_both_decoders():
    y = AttentionDecoder(4, 6)(np.zeros((0, 5, 4), "float32"))
    y_forced, alpha = teacher_forced()(
        [np.zeros((0, 5, 4), "float32"), np.zeros((0, 3), "int32")]
    )
    assert tuple(y.shape) == (0, 5, 6)
    assert (tuple(y_forced.shape), tuple(alpha.shape)) == ((0, 3, 6), (0, 3, 5))


# s_0 respects the mask: padding in front or at the end decodes as no padding


@pytest.mark.parametrize("pad", [padded_in_front, padded_at_the_end])
@pytest.mark.parametrize("unroll", [False, True])
def test_attention_decoder_decodes_a_padded_sequence_as_the_unpadded_one(pad, unroll):
    keras.utils.set_random_seed(0)
    decoder = AttentionDecoder(
        4, 6, output_length=4, return_attention=True, unroll=unroll
    )
    h = random_h()
    y, alpha = (numpy_of(v) for v in decoder(h))
    h_padded, mask = pad(h)
    y_padded, alpha_padded = (numpy_of(v) for v in decoder(h_padded, mask=mask))
    np.testing.assert_allclose(y_padded, y, atol=1e-6)
    np.testing.assert_allclose(alpha_padded[:, :, mask[0]], alpha, atol=1e-6)
    assert not alpha_padded[:, :, ~mask[0]].any()


def test_s_0_is_read_at_the_first_real_position():
    keras.utils.set_random_seed(0)
    decoder = AttentionDecoder(4, 6)
    h = random_h()
    decoder(h)
    mask = np.array([[1, 1, 1, 1, 1], [0, 1, 1, 1, 0], [0, 0, 0, 1, 1]], bool)
    s_0 = numpy_of(decoder.initial_state(h, mask))
    W_s = numpy_of(decoder.cell.W_s)
    first = [0, 1, 3]
    np.testing.assert_allclose(s_0, np.tanh(h[np.arange(3), first] @ W_s), atol=1e-6)


def test_a_sequence_with_no_real_position_starts_from_zero_and_reads_nothing():
    keras.utils.set_random_seed(0)
    decoder = AttentionDecoder(4, 6, output_length=2, return_attention=True)
    h = random_h()
    mask = np.ones((3, 5), bool)
    mask[1] = False
    _, alpha = decoder(h, mask=mask)
    assert not numpy_of(decoder.initial_state(h, mask))[1].any()
    assert not numpy_of(alpha)[1].any()


def test_left_padding_from_pad_sequences_through_an_lstm_changes_nothing():
    keras.utils.set_random_seed(0)
    symbols = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 8, mask_zero=True)(symbols)
    h = keras.layers.LSTM(6, return_sequences=True)(embedded)
    model = keras.Model(symbols, AttentionDecoder(5, 4, output_length=3)(h))
    sequences = [[3, 1, 4], [2, 7, 1, 8, 2], [5]]
    left = keras.utils.pad_sequences(sequences)  # padding="pre", the default
    right = keras.utils.pad_sequences(sequences, padding="post")
    y_left, y_right = numpy_of(model(left)), numpy_of(model(right))
    for row, sequence in enumerate(sequences):
        alone = numpy_of(model(np.array([sequence])))[0]
        np.testing.assert_allclose(y_left[row], alone, atol=1e-5)
        np.testing.assert_allclose(y_right[row], alone, atol=1e-5)


@pytest.mark.parametrize("pad", [padded_in_front, padded_at_the_end])
def test_teacher_forcing_and_decoding_read_a_padded_source_as_the_unpadded_one(pad):
    decoder = teacher_forced()
    h, previous = random_h(), np.array([[1, 3, 4], [1, 2, 0], [1, 5, 5]], "int32")
    y, _ = decoder([h, previous])
    h_padded, mask = pad(h)
    y_padded, _ = decoder([h_padded, previous], mask=[mask, None])
    np.testing.assert_allclose(numpy_of(y_padded), numpy_of(y), atol=1e-6)
    arguments = dict(start_id=1, end_id=2, max_length=5)
    unpadded = greedy_decode(decoder, h, **arguments)
    padded = greedy_decode(decoder, h_padded, mask, **arguments)
    assert padded[0] == unpadded[0]
    np.testing.assert_allclose(padded[1], unpadded[1], atol=1e-5)
    beams = beam_search(decoder, h, k=3, **arguments)
    padded_beams = beam_search(decoder, h_padded, mask, k=3, **arguments)
    assert padded_beams[0] == beams[0]
    np.testing.assert_allclose(padded_beams[1], beams[1], atol=1e-5)


# Errors that name the problem


def test_float_symbol_ids_are_a_type_error():
    decoder, h = teacher_forced(), random_h()
    with pytest.raises(TypeError, match="previous_symbols must be integer symbol ids"):
        decoder([h, np.array([[1.0, 2.7]] * 3)])
    with pytest.raises(TypeError, match="previous_symbol must be integer symbol ids"):
        decoder.step(
            np.array([1.0, 2.0, 3.0]),
            decoder.initial_state(h),
            h,
            decoder.project_encoder_outputs(h),
        )


@pytest.mark.parametrize("bad", [-1, 6])
def test_symbol_ids_out_of_range_are_a_value_error(bad):
    decoder, h = teacher_forced(), random_h()
    previous = np.array([[1, bad], [1, 2], [1, 3]], "int32")
    with pytest.raises(
        ValueError, match=r"previous_symbols must be symbol ids in 0\.\.5"
    ):
        decoder([h, previous])
    with pytest.raises(
        ValueError, match=r"previous_symbols must be symbol ids in 0\.\.5"
    ):
        decoder([h, ops.convert_to_tensor(previous)])


def test_a_single_mask_where_one_per_input_belongs_is_rejected():
    decoder, h = teacher_forced(), random_h()
    mask = np.ones((3, 5), bool)
    with pytest.raises(ValueError, match=r"mask=\[source_mask, None\]"):
        decoder([h, np.ones((3, 2), "int32")], mask=mask)


def test_a_source_mask_of_the_wrong_shape_is_rejected():
    decoder, h = teacher_forced(), random_h()
    with pytest.raises(ValueError, match=r"the mask must be \(batch, T_x\) = \(3, 5\)"):
        decoder([h, np.ones((3, 2), "int32")], mask=[np.ones((3, 4), bool), None])


def test_h_and_previous_symbols_of_different_batches_are_rejected():
    decoder, h = teacher_forced(), random_h()
    with pytest.raises(
        ValueError, match="h and previous_symbols have different batch sizes, 3 and 2"
    ):
        decoder([h, np.ones((2, 4), "int32")])


@pytest.mark.parametrize("scaled", ["False", 0, None])
def test_scaled_must_be_a_bool(scaled):
    with pytest.raises(ValueError, match="`scaled` must be True or False"):
        MultiplicativeScores(4, scaled=scaled)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_decoding_an_all_padding_source_is_a_value_error(decode):
    decoder, h = teacher_forced(), random_h()
    mask = np.ones((3, 5), bool)
    mask[2] = False
    extra = {"k": 2} if decode is beam_search else {}
    with pytest.raises(
        ValueError, match=r"no real source position in sequence\(s\) \[2\]"
    ):
        decode(decoder, h, mask, start_id=1, end_id=2, max_length=3, **extra)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_decoding_with_nan_weights_is_a_value_error(decode):
    decoder, h = teacher_forced(), random_h()
    decoder.cell.output_distribution.b_o.assign(np.full((6,), np.nan))
    extra = {"k": 2} if decode is beam_search else {}
    with pytest.raises(
        ValueError, match="scores are NaN or infinite: check its weights"
    ):
        decode(decoder, h, start_id=1, end_id=2, max_length=3, **extra)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_decoding_nan_encoder_outputs_is_a_value_error(decode):
    decoder, h = teacher_forced(), random_h()
    h[0, 1, 2] = np.nan
    extra = {"k": 2} if decode is beam_search else {}
    with pytest.raises(
        ValueError, match="encoder outputs, holds NaN or infinite values"
    ):
        decode(decoder, h, start_id=1, end_id=2, max_length=3, **extra)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_decoding_needs_a_teacher_forced_decoder(decode):
    decoder = AttentionDecoder(4, 6)
    decoder(random_h())
    extra = {"k": 2} if decode is beam_search else {}
    with pytest.raises(
        TypeError, match="Decoding needs a TeacherForcedDecoder.*got AttentionDecoder"
    ):
        decode(decoder, random_h(), start_id=1, end_id=2, max_length=3, **extra)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_decoding_with_an_unbuilt_decoder_is_a_value_error(decode):
    extra = {"k": 2} if decode is beam_search else {}
    with pytest.raises(ValueError, match="The decoder is not built yet"):
        decode(
            TeacherForcedDecoder(4, 6),
            random_h(),
            start_id=1,
            end_id=2,
            max_length=3,
            **extra,
        )


def test_decoding_encoder_outputs_of_another_size_is_a_value_error():
    decoder = teacher_forced()
    with pytest.raises(ValueError, match="built for encoder outputs of size d=4"):
        greedy_decode(decoder, random_h(d=7), start_id=1, end_id=2, max_length=3)


# plot_attention needs matplotlib only when it draws


def test_the_package_imports_without_matplotlib():
    code = (
        "import sys; sys.modules['matplotlib'] = sys.modules['matplotlib.pyplot'] = None; "
        "import lstm_attention.decoder; print('imported')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.stdout.strip() == "imported", result.stderr[-2000:]


def test_plot_attention_without_matplotlib_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_attention(np.full((2, 3), 1 / 3))
