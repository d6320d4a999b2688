"""The exercises' checkers: a correct answer passes, the stub is "not written yet", and each
known mistake, written out, is named (one mutation test per diagnosis)."""

import numpy as np
import pytest
from numpy_decoder import sigmoid, softmax

from lstm_attention import exercises


def stub(*args, **kwargs):
    raise NotImplementedError


# Chapter 01, eq. 1
def energies(s_prev, h, W_a, U_a, b_a, V_a):
    return np.tanh((s_prev @ W_a)[:, None, :] + h @ U_a + b_a) @ V_a


def energies_transposed(s_prev, h, W_a, U_a, b_a, V_a):
    return np.tanh((s_prev @ W_a.T)[:, None, :] + h @ U_a + b_a) @ V_a


def energies_no_tanh(s_prev, h, W_a, U_a, b_a, V_a):
    return ((s_prev @ W_a)[:, None, :] + h @ U_a + b_a) @ V_a


def energies_no_bias(s_prev, h, W_a, U_a, b_a, V_a):
    return np.tanh((s_prev @ W_a)[:, None, :] + h @ U_a) @ V_a


def energies_softmaxed(s_prev, h, W_a, U_a, b_a, V_a):
    return softmax(energies(s_prev, h, W_a, U_a, b_a, V_a))


def energies_off_by_one(s_prev, h, W_a, U_a, b_a, V_a):
    e = energies(s_prev, h, W_a, U_a, b_a, V_a)
    e[0, 1] += 0.5
    return e


# Chapter 02, eq. 2
def attention_weights(e, mask):
    m = mask[:, None, :]  # (batch, 1, T_x)
    maximum = np.where(m, e, -np.inf).max(axis=-1, keepdims=True)
    maximum = np.where(np.isfinite(maximum), maximum, 0.0)
    exponentials = np.where(m, np.exp(np.where(m, e - maximum, 0.0)), 0.0)
    total = exponentials.sum(axis=-1, keepdims=True)
    return exponentials / np.where(total > 0, total, 1.0)


def weights_wrong_axis(e, mask):
    return softmax(np.where(mask[:, None, :], e, -np.inf), axis=1)


def weights_not_masked(e, mask):
    return softmax(e)


def weights_masked_after(e, mask):
    return softmax(e) * mask[:, None, :]


def weights_no_shift(e, mask):
    exponentials = np.exp(e) * mask[:, None, :]
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def weights_nan_empty_row(e, mask):
    m = mask[:, None, :]
    exponentials = np.exp(np.where(m, e - e.max(axis=-1, keepdims=True), -np.inf))
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def weights_large_negative_fill(e, mask):
    return softmax(np.where(mask[:, None, :], e, -1e9))


# Chapter 03, eq. 3
def context(alpha, h):
    return alpha @ h


def context_transposed(alpha, h):
    return np.swapaxes(alpha, 1, 2) @ h


def context_mean(alpha, h):
    return np.repeat(h.mean(axis=1, keepdims=True), alpha.shape[1], axis=1)


def context_sum(alpha, h):
    return np.repeat(h.sum(axis=1, keepdims=True), alpha.shape[1], axis=1)


def context_divided(alpha, h):
    return (alpha[..., None] * h[:, None]).mean(axis=2)


# Chapter 04, eqs. 4-7
def new_state(y_prev, s_prev, c, weights, swap=False, after=False, transpose=False):
    w = weights
    U = {g: w[f"U_{g}"].T if transpose else w[f"U_{g}"] for g in "rzp"}
    r = sigmoid(y_prev @ w["W_r"] + s_prev @ U["r"] + c @ w["C_r"] + w["b_r"])
    z = sigmoid(y_prev @ w["W_z"] + s_prev @ U["z"] + c @ w["C_z"] + w["b_z"])
    reset = r * (s_prev @ U["p"]) if after else (r * s_prev) @ U["p"]
    s_tilde = np.tanh(y_prev @ w["W_p"] + reset + c @ w["C_p"] + w["b_p"])
    if swap:
        return z * s_prev + (1 - z) * s_tilde
    return (1 - z) * s_prev + z * s_tilde


def new_state_no_reset(y_prev, s_prev, c, weights):
    w = weights
    z = sigmoid(y_prev @ w["W_z"] + s_prev @ w["U_z"] + c @ w["C_z"] + w["b_z"])
    s_tilde = np.tanh(y_prev @ w["W_p"] + s_prev @ w["U_p"] + c @ w["C_p"] + w["b_p"])
    return (1 - z) * s_prev + z * s_tilde


# Chapter 05, eq. 8
def output_distribution(y_prev, s_prev, s, c, W_o, U_o, C_o, b_o):
    return softmax(y_prev @ W_o + s_prev @ U_o + c @ C_o + b_o)


def output_uses_s(y_prev, s_prev, s, c, W_o, U_o, C_o, b_o):
    return softmax(y_prev @ W_o + s @ U_o + c @ C_o + b_o)


def output_batch_axis(y_prev, s_prev, s, c, W_o, U_o, C_o, b_o):
    return softmax(y_prev @ W_o + s_prev @ U_o + c @ C_o + b_o, axis=0)


def output_logits(y_prev, s_prev, s, c, W_o, U_o, C_o, b_o):
    return y_prev @ W_o + s_prev @ U_o + c @ C_o + b_o


def output_no_shift(y_prev, s_prev, s, c, W_o, U_o, C_o, b_o):
    exponentials = np.exp(y_prev @ W_o + s_prev @ U_o + c @ C_o + b_o)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def output_transposed(y_prev, s_prev, s, c, W_o, U_o, C_o, b_o):
    return softmax(y_prev @ W_o.T + s_prev @ U_o + c @ C_o + b_o)


# Chapter 06, eqs. 1-8 as one step
def decoder_step(y_prev, s_prev, h, projected, mask, weights, mistake=None):
    w = weights
    if mistake == "recompute":
        projected = h @ w["U_a"] + w["b_a"]
    e = np.tanh((s_prev @ w["W_a"])[:, None, :] + projected) @ w["V_a"]
    mask = np.ones_like(mask) if mistake == "unmasked" else mask
    alpha = attention_weights(e[:, None, :], mask)[:, 0]  # (batch, T_x)
    c = np.einsum("bj,bjd->bd", alpha, h)
    s = new_state(y_prev, s_prev, c, w, swap=mistake == "swap")
    state = s if mistake == "s_t" else s_prev
    y = output_distribution(y_prev, s_prev, state, c, *(w[n] for n in OUTPUT))
    if mistake == "s_t":
        y = output_distribution(y_prev, s, s, c, *(w[n] for n in OUTPUT))
    return y, s, alpha


OUTPUT = ["W_o", "U_o", "C_o", "b_o"]


def step_with(mistake):
    def step(y_prev, s_prev, h, projected, mask, weights):
        return decoder_step(y_prev, s_prev, h, projected, mask, weights, mistake)

    return step


# Chapter 10, one beam-search expansion
def expand_beam(scores, log_p, end_id, add=True, keep=False, refill=False, record=True):
    k, K = log_p.shape
    extended = ((scores[:, None] if add else 0.0) + log_p).reshape(-1)
    extended[np.repeat(~np.isfinite(scores), K)] = -np.inf
    order = np.argsort(-extended, kind="stable")
    parents, symbols = np.zeros(k, int), np.zeros(k, int)
    new_scores, finished, slot = np.full(k, -np.inf), [], 0
    for index in order if refill else order[:k]:
        if slot == k or not np.isfinite(extended[index]):
            break
        parent, symbol = divmod(int(index), K)
        if symbol == end_id and not keep:
            if record:
                finished.append((parent, symbol, extended[index]))
            continue
        parents[slot], symbols[slot] = parent, symbol
        new_scores[slot] = extended[index]
        slot += 1
    return parents, symbols, new_scores, finished


def expand_with(**mistake):
    def expand(scores, log_p, end_id):
        return expand_beam(scores, log_p, end_id, **mistake)

    return expand


CHECKS = {
    "energies": (
        exercises.check_energies,
        energies,
        {
            "W_a looks transposed": energies_transposed,
            "the tanh is missing": energies_no_tanh,
            "the bias b_a is missing": energies_no_bias,
            "these are the weights alpha_tj, softmaxed": energies_softmaxed,
        },
    ),
    "attention_weights": (
        exercises.check_attention_weights,
        attention_weights,
        {
            "the softmax ran over the decoder steps t": weights_wrong_axis,
            "the padding is not masked": weights_not_masked,
            "the padding was masked after the softmax": weights_masked_after,
            "no stabilising shift": weights_no_shift,
            "a row with no real position gives NaN": weights_nan_empty_row,
            "gives equal weights 1 / T_x to the padding": weights_large_negative_fill,
        },
    ),
    "context": (
        exercises.check_context,
        context,
        {
            "alpha is used transposed": context_transposed,
            "this is the plain mean of the h_j": context_mean,
            "this is the plain sum of the h_j": context_sum,
            "the weighted sum is divided by T_x": context_divided,
        },
    ),
    "new_state": (
        exercises.check_new_state,
        new_state,
        {
            "z_t and 1 - z_t are swapped": lambda **x: new_state(**x, swap=True),
            "the reset gate is applied after U_p": lambda **x: new_state(
                **x, after=True
            ),
            "U_r, U_z and U_p look transposed": (
                lambda **x: new_state(**x, transpose=True)
            ),
            "the reset gate r_t is not used": new_state_no_reset,
        },
    ),
    "output": (
        exercises.check_output,
        output_distribution,
        {
            "s_t is used where s_{t-1} belongs": output_uses_s,
            "the softmax ran over the batch": output_batch_axis,
            "the softmax is missing": output_logits,
            "no stabilising shift": output_no_shift,
            "W_o looks transposed": output_transposed,
        },
    ),
    "decoder_step": (
        exercises.check_decoder_step,
        decoder_step,
        {
            "U_a h_j + b_a is recomputed inside the step": step_with("recompute"),
            "s_t is used where s_{t-1} belongs in eq. 8": step_with("s_t"),
            "the padding is not masked in eq. 2": step_with("unmasked"),
            "z_t and 1 - z_t are swapped": step_with("swap"),
        },
    ),
    "expand_beam": (
        exercises.check_expand_beam,
        expand_beam,
        {
            "the prefixes' scores are not added": expand_with(add=False),
            "the prefixes that end with the end symbol stay in the beam": (
                expand_with(keep=True)
            ),
            "the beam was refilled to k": expand_with(refill=True),
            "the finished prefixes are dropped": expand_with(record=False),
        },
    ),
}
MUTATIONS = [(name, m) for name, (_, _, mistakes) in CHECKS.items() for m in mistakes]


@pytest.mark.parametrize("name", CHECKS)
def test_a_correct_answer_passes(name):
    check, correct, _ = CHECKS[name]
    verdict = check(correct)
    assert verdict.passed, verdict.message
    assert verdict.message.startswith("Passed: ")


@pytest.mark.parametrize("name", CHECKS)
def test_the_stub_is_not_written_yet(name):
    check, _, _ = CHECKS[name]
    verdict = check(stub)
    assert not verdict.passed
    assert verdict.message.startswith("Not written yet: `stub` still raises")


@pytest.mark.parametrize("name, mistake", MUTATIONS)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the mistakes overflow
def test_each_known_mistake_is_named(name, mistake):
    check, _, mistakes = CHECKS[name]
    verdict = check(mistakes[mistake])
    assert not verdict.passed
    assert mistake in verdict.message, verdict.message
    assert verdict.message.startswith("Not yet, on ")


def test_an_unknown_mistake_names_its_first_wrong_entry():
    verdict = exercises.check_energies(energies_off_by_one)
    assert not verdict.passed
    assert "`e[0, 1]` is " in verdict.message and "; expected " in verdict.message


def test_a_wrong_shape_is_named():
    verdict = exercises.check_context(lambda alpha, h: (alpha @ h)[:, 0])
    assert not verdict.passed
    assert "`c` has shape (2, 3); expected (2, 4, 3)." in verdict.message


def test_an_error_in_the_answer_is_reported_not_raised():
    verdict = exercises.check_context(lambda alpha, h: h @ alpha)
    assert not verdict.passed
    assert "your function raised ValueError" in verdict.message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_an_answer_right_on_the_first_case_only_gets_a_verdict():
    # alpha @ h divided by the row's sum is right where every row sums to one (the first case) and 0 / 0 on
    # a row with no real position; the transposed-alpha mistake cannot be formed for T_y != T_x there.
    verdict = exercises.check_context(
        lambda alpha, h: (alpha @ h) / alpha.sum(-1, keepdims=True)
    )
    assert not verdict.passed
    assert verdict.message.startswith("Not yet, on a fully masked sequence"), (
        verdict.message
    )
    assert "`c[" in verdict.message and "; expected " in verdict.message


def test_an_answer_in_keras_ops_passes_on_every_backend():
    from keras import ops

    def context_ops(alpha, h):
        return ops.matmul(ops.convert_to_tensor(alpha), ops.convert_to_tensor(h))

    assert exercises.check_context(context_ops).passed


def test_the_verdict_reads_as_its_message():
    verdict = exercises.check_context(stub)
    assert repr(verdict) == str(verdict) == verdict.message
    assert not verdict


def test_every_beam_case_has_an_extension_that_ends():
    # The beam exercise's cases test that a finished extension leaves the beam: in each
    # one, an extension that ends must be among the k best.
    for description, case in exercises._expand_cases():
        *_, finished = exercises._expand_reference(**case)
        assert finished, description
