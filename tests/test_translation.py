"""lstm_attention.translation: the teacher-forced decoder against NumPy, greedy decoding and beam search."""

import itertools

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import check_layer_contract, padded_copies
from numpy_decoder import decode_teacher_forced

from lstm_attention import (
    MultiplicativeScores,
    SearchBudgetExceeded,
    TeacherForcedDecoder,
    beam_search,
    best_first_search,
    greedy_decode,
)


def weights_of(layer):
    return {
        w.path.split("/")[-1]: ops.convert_to_numpy(w).astype("float64")
        for w in layer.weights
    }


def random_decoder(K=5, n=4, m=3, d=6, T_x=5, batch=3, seed=0, score="additive"):
    keras.utils.set_random_seed(seed)
    decoder = TeacherForcedDecoder(
        units=n, output_dim=K, embedding_dim=m, score=score, return_attention=True
    )
    h = np.random.default_rng(seed).normal(size=(batch, T_x, d)).astype("float32")
    # The weights that a call would make, without running (and compiling) its loop.
    decoder.build([h.shape, (batch, 1)])
    # Larger weights than the initialisers give, so that the distributions are far from uniform.
    for weight in decoder.weights:
        weight.assign(
            2 * ops.convert_to_numpy(weight)
            + 0.3 * np.random.default_rng(seed + 1).normal(size=weight.shape)
        )
    return decoder, h


@pytest.mark.parametrize("score", ["additive", "general", "scaled_dot"])
def test_teacher_forced_decoder_matches_numpy(score):
    decoder, h = random_decoder(score=score)
    previous = np.array(
        [[1, 3, 4, 2, 0], [1, 2, 0, 0, 0], [1, 4, 4, 3, 3]], dtype="int32"
    )
    mask = np.array([[True] * 5, [True, True, True, False, False], [True] * 5])
    y, alpha = (
        ops.convert_to_numpy(v) for v in decoder([h, previous], mask=[mask, None])
    )
    y_numpy, alpha_numpy = decode_teacher_forced(
        h.astype("float64"), weights_of(decoder), previous, mask, score
    )
    np.testing.assert_allclose(y, y_numpy, atol=1e-5)
    np.testing.assert_allclose(alpha, alpha_numpy, atol=1e-5)
    np.testing.assert_array_equal(
        alpha[~np.broadcast_to(mask[:, None], alpha.shape)], 0
    )


def test_step_is_the_teacher_forced_call_one_step_at_a_time():
    decoder, h = random_decoder()
    previous = np.array([[1, 3, 4], [1, 2, 2], [1, 0, 4]], dtype="int32")
    y, alpha = (ops.convert_to_numpy(v) for v in decoder([h, previous]))
    projected = decoder.project_encoder_outputs(h)
    s = decoder.initial_state(h)
    for t in range(3):
        logits, s, alpha_t = decoder.step(previous[:, t], s, h, projected)
        np.testing.assert_allclose(
            ops.convert_to_numpy(ops.softmax(logits)), y[:, t], atol=1e-6
        )
        np.testing.assert_allclose(
            ops.convert_to_numpy(alpha_t), alpha[:, t], atol=1e-6
        )


def test_output_mask_leaves_padded_steps_out_of_the_loss():
    keras.utils.set_random_seed(0)
    h_in = keras.Input((None, 4))
    previous_in = keras.Input((None,), dtype="int32")
    model = keras.Model(
        [h_in, previous_in], TeacherForcedDecoder(3, 5)([h_in, previous_in])
    )
    model.compile(loss="sparse_categorical_crossentropy")
    h = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    previous = np.array([[1, 3, 4, 0], [1, 2, 0, 0]], dtype="int32")
    targets = np.array([[3, 4, 2, 0], [2, 2, 0, 0]], dtype="int32")
    p = ops.convert_to_numpy(model([h, previous]))
    real = previous != 0
    chosen = np.take_along_axis(p, targets[..., None], axis=-1)[..., 0]
    expected = -np.log(chosen[real]).mean()
    assert model.evaluate([h, previous], targets, verbose=0) == pytest.approx(
        expected, rel=1e-5
    )
    # Changing what padded steps should write changes nothing.
    assert model.evaluate(
        [h, previous], np.where(real, targets, 4), verbose=0
    ) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("score", ["additive", "general", "scaled_dot"])
def test_layer_contract(tmp_path, score):
    # Config and .keras round trips with random weights, shape inference with T_x and T_y
    # unknown, and a source padded at the end and in front reading as the unpadded one.
    h = np.random.default_rng(0).normal(size=(3, 5, 6)).astype("float32")
    mask = np.ones((3, 5), bool)
    mask[1, 3:] = False
    previous = np.array([[1, 3, 4, 0], [1, 2, 0, 0], [1, 5, 6, 2]], "int32")
    result = check_layer_contract(
        TeacherForcedDecoder(
            units=4, output_dim=7, embedding_dim=2, score=score, name="decoder"
        ),
        [h, previous],
        tmp_path,
        call_kwargs={"mask": [mask, None]},
        input_shapes=[(None, 6), (None,)],
        padded=[
            ([h_padded, previous], {"mask": [mask_padded, None]}, lambda y: y)
            for h_padded, mask_padded in padded_copies(h, mask)
        ],
    )
    config = result.loaded.get_config()
    assert (
        config["units"],
        config["output_dim"],
        config["embedding_dim"],
        config["score"],
    ) == (4, 7, 2, score)
    # What the round trips kept is the decoder of the equations, mask included.
    y, _ = decode_teacher_forced(
        h.astype("float64"), weights_of(result.loaded), previous, mask, score
    )
    np.testing.assert_allclose(result.output, y, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_beam_of_width_one_is_greedy_decoding(seed):
    decoder, h = random_decoder(K=6, batch=4, seed=seed)
    mask = np.ones(h.shape[:2], bool)
    mask[1, 3:] = False
    arguments = dict(start_id=1, end_id=2, max_length=6)
    greedy, greedy_scores, greedy_alpha = greedy_decode(decoder, h, mask, **arguments)
    beam, beam_scores, beam_alpha = beam_search(decoder, h, mask, k=1, **arguments)
    assert beam == greedy
    np.testing.assert_allclose(beam_scores, greedy_scores, atol=1e-9)
    for a, b in zip(greedy_alpha, beam_alpha):
        np.testing.assert_allclose(a, b, atol=1e-7)


def every_output(K, end_id, longest):
    "Every output of at most `longest` symbols that stops at its first end symbol."
    for length in range(1, longest + 1):
        for symbols in itertools.product(range(K), repeat=length):
            if end_id not in symbols[:-1] and (
                symbols[-1] == end_id or length == longest
            ):
                yield list(symbols)


@pytest.mark.parametrize("seed", range(6))
def test_a_wide_beam_finds_the_best_output_and_narrower_beams_score_no_higher(seed):
    K, start_id, end_id, longest = 3, 0, 2, 3
    decoder, h = random_decoder(K=K, batch=1, seed=seed)
    # Outputs that end, and outputs cut off after `longest` symbols: what beam search
    # chooses among, each scored by teacher forcing, the layer's own call, all in one
    # batch (a shorter output's previous symbols padded at the end: step t reads only
    # the symbols before it).
    outputs = list(every_output(K, end_id, longest))
    previous = [[start_id] + o[:-1] + [0] * (longest - len(o)) for o in outputs]
    p = ops.convert_to_numpy(
        decoder([np.repeat(h, len(outputs), 0), np.array(previous, "int32")])[0]
    ).astype("float64")
    log_p = [
        float(np.log(p[i, np.arange(len(o)), o]).sum()) for i, o in enumerate(outputs)
    ]
    best_score, best = max(zip(log_p, outputs))
    arguments = dict(start_id=start_id, end_id=end_id, max_length=longest)
    found, score, _ = beam_search(
        decoder, h, k=K**longest, **arguments
    )  # keeps every prefix
    assert found[0] == best
    assert score[0] == pytest.approx(best_score, abs=1e-5)
    for k in range(1, 5):
        _, narrower, _ = beam_search(decoder, h, k=k, **arguments)
        assert narrower[0] <= best_score + 1e-5


def test_beam_search_finds_a_more_probable_output_than_greedy_decoding():
    # Greedy decoding takes the best symbol at each step; a beam of 3 can keep a second
    # best first symbol whose continuations are better. On this seeded decoder it does.
    decoder, h = random_decoder(K=5, batch=8, seed=0)
    arguments = dict(start_id=1, end_id=2, max_length=5)
    greedy, greedy_scores, _ = greedy_decode(decoder, h, **arguments)
    beam, beam_scores, _ = beam_search(decoder, h, k=3, **arguments)
    better = np.flatnonzero(beam_scores > greedy_scores + 1e-3)
    assert better.size >= 1
    assert all(beam[b] != greedy[b] for b in better)
    # Not so in general (greedy's prefix can fall out of the beam), but on this decoder:
    assert (beam_scores >= greedy_scores - 1e-9).all()


@pytest.mark.parametrize("seed", range(4))
def test_best_first_search_finds_the_most_probable_output(seed):
    K, start_id, end_id, longest = 3, 0, 2, 3
    decoder, h = random_decoder(K=K, batch=2, seed=seed)
    mask = np.ones(h.shape[:2], bool)
    mask[1, 2:] = False
    arguments = dict(start_id=start_id, end_id=end_id, max_length=longest)
    found, scores, attention = best_first_search(decoder, h, mask, **arguments)
    outputs = list(every_output(K, end_id, longest))
    for b in range(2):  # against every output, scored by teacher forcing
        previous = np.array(
            [[start_id] + o[:-1] + [0] * (longest - len(o)) for o in outputs]
        )
        p = ops.convert_to_numpy(
            decoder(
                [np.repeat(h[b : b + 1], len(outputs), 0), previous.astype("int32")],
                mask=[np.repeat(mask[b : b + 1], len(outputs), 0), None],
            )[0]
        ).astype("float64")
        log_p = [
            np.log(p[i, np.arange(len(o)), o]).sum() for i, o in enumerate(outputs)
        ]
        best = int(np.argmax(log_p))
        assert found[b] == outputs[best]
        assert scores[b] == pytest.approx(log_p[best], abs=1e-5)
        assert len(attention[b]) == len(found[b])


def test_best_first_search_raises_when_its_budget_is_spent():
    decoder, h = random_decoder(K=5, batch=2, seed=1)
    arguments = dict(start_id=1, end_id=2, max_length=6)
    with pytest.raises(
        SearchBudgetExceeded, match=r"source \d needed more than max_expansions=1 "
    ):
        best_first_search(decoder, h, max_expansions=1, **arguments)
    for bad in (0, 2.5, True):
        with pytest.raises(
            ValueError, match=r"`max_expansions` must be a positive integer"
        ):
            best_first_search(decoder, h, max_expansions=bad, **arguments)


def test_length_penalty_ranks_outputs_by_score_over_length_to_the_lambda():
    decoder, h = random_decoder(K=5, batch=8, seed=2)
    arguments = dict(start_id=1, end_id=2, max_length=5, k=25)  # 4**3 > k: it prunes
    plain, plain_scores, _ = beam_search(decoder, h, **arguments)
    zero, zero_scores, _ = beam_search(decoder, h, length_penalty=0, **arguments)
    assert zero == plain and np.allclose(zero_scores, plain_scores)
    mean, mean_scores, _ = beam_search(decoder, h, length_penalty=1.0, **arguments)
    # On this decoder the mean per symbol prefers longer outputs for some sources.
    assert sum(len(m) > len(p) for m, p in zip(mean, plain)) >= 1
    assert (mean_scores <= plain_scores + 1e-9).all()  # log p, not divided
    normalised = lambda score, output: score / len(output)  # noqa: E731
    assert all(
        normalised(ms, m) >= normalised(ps, p) - 1e-9
        for m, ms, p, ps in zip(mean, mean_scores, plain, plain_scores)
    )
    for bad in (-0.5, float("nan"), float("inf"), "1", True):
        with pytest.raises(ValueError, match=r"`length_penalty` \(lambda"):
            beam_search(decoder, h, length_penalty=bad, **arguments)


@pytest.mark.parametrize("decode", [greedy_decode, beam_search])
def test_decoding_stops_at_the_end_symbol(decode):
    decoder, h = random_decoder(K=4, batch=6, seed=4)
    extra = {"k": 3} if decode is beam_search else {}
    sequences, _, attention = decode(
        decoder, h, start_id=1, end_id=2, max_length=8, **extra
    )
    for sequence, alpha in zip(sequences, attention):
        assert len(alpha) == len(sequence)
        assert 2 not in sequence[:-1]
        assert sequence[-1] == 2 or len(sequence) == 8


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(k=0), r"beam width `k` must be an integer >= 1; got 0"),
        (dict(k=2.5), r"beam width `k` must be an integer >= 1; got 2.5"),
        (dict(k=2, start_id=9), r"`start_id` must be a symbol id in 0..4; got 9"),
        (dict(k=2, max_length=0), r"`max_length` must be a positive integer; got 0"),
    ],
)
def test_beam_search_refuses_bad_arguments(arguments, message):
    decoder, h = random_decoder()
    kwargs = dict(start_id=1, end_id=2, max_length=4) | arguments
    with pytest.raises(ValueError, match=message):
        beam_search(decoder, h, **kwargs)


def test_decoding_refuses_encoder_outputs_of_the_wrong_shape():
    decoder, h = random_decoder()
    with pytest.raises(
        ValueError, match=r"encoder outputs h of shape \(batch, T_x, d\)"
    ):
        greedy_decode(decoder, h[0], start_id=1, end_id=2, max_length=3)
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, T_x\)"):
        greedy_decode(
            decoder, h, np.ones((3, 2), bool), start_id=1, end_id=2, max_length=3
        )


def test_layer_refuses_bad_configuration_and_inputs():
    with pytest.raises(ValueError, match=r"`score` must be one of"):
        TeacherForcedDecoder(4, 5, score="dot")
    with pytest.raises(ValueError, match=r"`units` must be a positive integer; got 0"):
        TeacherForcedDecoder(0, 5)
    with pytest.raises(ValueError, match=r"takes two inputs, \[h, previous_symbols\]"):
        TeacherForcedDecoder(4, 5)(keras.Input((3, 6)))
    with pytest.raises(
        ValueError, match=r"previous_symbols must be integer ids of rank 2"
    ):
        TeacherForcedDecoder(4, 5)([keras.Input((3, 6)), keras.Input((3, 1))])


def test_multiplicative_scores_are_a_product_with_w_a():
    keras.utils.set_random_seed(0)
    scores = MultiplicativeScores(3, scaled=True)
    h = np.random.default_rng(0).normal(size=(2, 4, 5)).astype("float32")
    s = np.random.default_rng(1).normal(size=(2, 3)).astype("float32")
    scores.build([(2, 3), (2, 4, 5)])
    energies = ops.convert_to_numpy(scores.score(s, scores.project_encoder_outputs(h)))
    W_a = ops.convert_to_numpy(scores.W_a)
    np.testing.assert_allclose(
        energies, np.einsum("bn,bjd,dn->bj", s, h, W_a) / np.sqrt(3), atol=1e-5
    )


def test_exact_search_with_a_length_penalty_is_told_to_drop_one_of_them():
    from lstm_attention.tasks.numbers import translate_numbers

    # The arguments are checked before the model or the vocabulary is used.
    with pytest.raises(
        ValueError,
        match=r"the exact search finds the most probable output and takes none: "
        r"drop `length_penalty`, or give `k` without `exact` \(got length_penalty=0\.5\)",
    ):
        translate_numbers(None, ["seven"], None, exact=True, length_penalty=0.5)
