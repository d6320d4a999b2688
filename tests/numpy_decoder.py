"""Bahdanau's decoder in NumPy, written from the equations of the Notation page, not from the
package: the one reference the tests compare the layers against.

Row vectors, batch first, x @ W as on the Notation page; `w` maps the weight names (W_s, W_a,
U_a, b_a, V_a, W_r ... b_o, and E for teacher forcing) to float64 arrays.

- s_0 = tanh(W_s h_j), j the first real position (h_1 without a mask); 0 if none is real;
- eq. 1: e_tj = V_a^T tanh(W_a s_{t-1} + U_a h_j + b_a), or a multiplicative score
  s_{t-1} . (W_a h_j) (over sqrt(n) when scaled, as in chapter 10);
- eq. 2: alpha_tj = exp(e_tj) / sum_k exp(e_tk) over the real positions, 0 at padding;
- eq. 3: c_t = sum_j alpha_tj h_j;
- eqs. 4-7: the GRU gates with the context, on y_{t-1} (or on E y_{t-1});
- eq. 8: y_t = softmax(W_o y_{t-1} + U_o s_{t-1} + C_o c_t + b_o), with s_{t-1}.
"""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x, axis=-1):
    exponentials = np.exp(x - x.max(axis=axis, keepdims=True))
    return exponentials / exponentials.sum(axis=axis, keepdims=True)


def energies(s_prev, h, w, score="additive"):
    "Eq. 1 (or a multiplicative score): s_prev (batch, n), h (batch, T_x, d) -> (batch, T_x)."
    if score == "additive":
        hidden = np.tanh((s_prev @ w["W_a"])[:, None, :] + h @ w["U_a"] + w["b_a"])
        return hidden @ w["V_a"]
    e = np.einsum("bn,bjn->bj", s_prev, h @ w["W_a"])
    return e / np.sqrt(s_prev.shape[-1]) if score == "scaled_dot" else e


def attention_weights(e, mask=None):
    "Eq. 2 over the real positions: (batch, T_x); 0 at padding, and in a row with none real."
    real = np.ones(e.shape, bool) if mask is None else np.asarray(mask, bool)
    largest = np.where(real, e, -np.inf).max(axis=-1, keepdims=True)
    largest = np.where(np.isfinite(largest), largest, 0.0)
    exponentials = np.where(real, np.exp(np.where(real, e - largest, 0.0)), 0.0)
    total = exponentials.sum(axis=-1, keepdims=True)
    return exponentials / np.where(total > 0, total, 1.0)


def initial_state(h, w, mask=None):
    "s_0 = tanh(W_s h_j), j the first real position: (batch, n); 0 where none is real."
    if mask is None:
        return np.tanh(h[:, 0] @ w["W_s"])
    mask = np.asarray(mask, bool)
    first = mask.argmax(axis=1)
    s_0 = np.tanh(h[np.arange(len(h)), first] @ w["W_s"])
    return np.where(mask.any(axis=1, keepdims=True), s_0, 0.0)


def step(y_prev, s_prev, h, w, mask=None, x=None, score="additive"):
    """Eqs. 1-8 once: y_t (batch, K), s_t (batch, n), alpha_t (batch, T_x), c_t (batch, d).

    Eq. 8 reads y_{t-1}, y_prev (batch, K); eqs. 4-6 read it too, or x = E y_{t-1}."""
    alpha = attention_weights(energies(s_prev, h, w, score), mask)  # eqs. 1-2
    c = np.einsum("bj,bjd->bd", alpha, h)  # eq. 3
    x = y_prev if x is None else x

    def gate(g, state):
        return x @ w[f"W_{g}"] + state @ w[f"U_{g}"] + c @ w[f"C_{g}"] + w[f"b_{g}"]

    r = sigmoid(gate("r", s_prev))  # eq. 4
    z = sigmoid(gate("z", s_prev))  # eq. 5
    s_tilde = np.tanh(gate("p", r * s_prev))  # eq. 6
    s = (1 - z) * s_prev + z * s_tilde  # eq. 7
    y = softmax(
        y_prev @ w["W_o"] + s_prev @ w["U_o"] + c @ w["C_o"] + w["b_o"]
    )  # eq. 8
    return y, s, alpha, c


def decode(h, w, T_y, mask=None):
    "AttentionDecoder: from y_0 = 0, each y_t fed back: y (batch, T_y, K), alpha (batch, T_y, T_x)."
    y = np.zeros((len(h), w["W_o"].shape[0]))
    s = initial_state(h, w, mask)
    ys, alphas = [], []
    for _ in range(T_y):
        y, s, alpha, _ = step(y, s, h, w, mask)
        ys.append(y)
        alphas.append(alpha)
    return np.stack(ys, axis=1), np.stack(alphas, axis=1)


def decode_teacher_forced(h, w, previous, mask=None, score="additive"):
    """TeacherForcedDecoder: step t reads the previous symbol previous[:, t] (ids, (batch,
    T_y)), E y_{t-1} in eqs. 4-6 and one-hot y_{t-1} in eq. 8: y and alpha as `decode`'s."""
    K = w["W_o"].shape[0]
    s = initial_state(h, w, mask)
    ys, alphas = [], []
    for symbols in np.asarray(previous).T:
        y, s, alpha, _ = step(np.eye(K)[symbols], s, h, w, mask, w["E"][symbols], score)
        ys.append(y)
        alphas.append(alpha)
    return np.stack(ys, axis=1), np.stack(alphas, axis=1)
