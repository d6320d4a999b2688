"""Draw the book's picture of one decoder step: `make figures` runs this and writes images/architecture*.svg.

    python tools/architecture.py [OUTPUT_DIR]     # default: images/ beside this folder

One picture, six files: `architecture.svg` shows the whole step (the intro); `architecture-01.svg` ..
`architecture-05.svg` highlight the piece that chapters 01-05 build (eq. 1, eq. 2, eq. 3, eqs. 4-7, eq. 8),
with the wires into and out of it, in one fixed colour, and mute the rest. The picture sits on its own
light card, so it reads the same on the book's light and dark themes. Text is set by matplotlib's
mathtext and stored as paths, so the files look the same in every browser, with or without its fonts,
and the output is byte for byte the same on every run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon
from matplotlib.text import Text

ROOT = Path(__file__).resolve().parents[1]

# The canvas, in points; y grows downwards.
WIDTH, HEIGHT = 660, 492

# Colours. The card is light in both themes of the book; everything on it is chosen for a light ground.
CARD, CARD_EDGE = "#ffffff", "#c9ced6"
INK = "#1f2328"  # formulas and labels
NORMAL = dict(fill="#eaf1fa", edge="#2f5f98", title="#1f4a7a", ink=INK, wire="#4b5563")
MUTED = dict(
    fill="#f5f6f8", edge="#c4c9d0", title="#9aa1ab", ink="#9aa1ab", wire="#c4c9d0"
)
HIGHLIGHT = dict(
    fill="#fff0e4", edge="#d9480f", title="#b8400e", ink=INK, wire="#d9480f"
)

# Set only while drawing (matplotlib.rc_context), so importing this module changes nothing for its caller.
STYLE = {
    "svg.fonttype": "path",  # glyphs as paths: no dependence on the reader's fonts
    "svg.hashsalt": "lstm-attention",  # stable ids, so a rebuild changes no byte
    "mathtext.fontset": "dejavuserif",
    "font.family": "DejaVu Sans",
}


@dataclass(frozen=True)
class Box:
    key: str  # the piece it belongs to: eq1, eq2, eq3, gates, output, or "" for the shared parts
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


# The pieces: one box per equation group, as the chapters build them.
EQ1 = Box("eq1", 18, 346, 246, 424)
EQ2 = Box("eq2", 290, 346, 452, 424)
EQ3 = Box("eq3", 496, 346, 642, 424)
BAR = Box(
    "", 262, 118, 276, 312
)  # where y_{t-1}, s_{t-1} and c_t meet: eqs. 4-6 and 8 each read all three
OUTPUT = Box("output", 304, 112, 600, 190)
GATES = Box("gates", 304, 212, 600, 318)
ENCODER = [Box("", 44 + 46 * i, 450, 80 + 46 * i, 482) for i in range(5)]

# The two feedback loops, outermost first: s_t comes back as s_{t-1}, y_t as y_{t-1}.
S_TOP, S_LEFT, S_RIGHT, S_BUS = 14, 12, 646, 92
Y_TOP, Y_LEFT, Y_RIGHT, Y_BUS = 32, 30, 628, 64


def styles(key: str, highlighted: str | None) -> dict:
    if highlighted is None:
        return NORMAL
    return HIGHLIGHT if key == highlighted else MUTED


def draw_box(
    ax, box: Box, style: dict, title: str, lines: list[str], size: float = 12.5
) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (box.x0, box.y0),
            box.x1 - box.x0,
            box.y1 - box.y0,
            boxstyle="round,pad=0,rounding_size=7",
            facecolor=style["fill"],
            edgecolor=style["edge"],
            linewidth=1.6 if style is HIGHLIGHT else 1.1,
            zorder=2,
        )
    )
    top = box.y0 + 16
    ax.text(
        box.cx,
        top,
        title,
        ha="center",
        va="center",
        fontsize=11,
        color=style["title"],
        fontweight="bold",
        zorder=3,
    )
    step = (box.y1 - top - 6) / (len(lines) + 0.2)
    for i, line in enumerate(lines):
        ax.text(
            box.cx,
            top + step * (i + 0.85),
            line,
            ha="center",
            va="center",
            fontsize=size,
            color=style["ink"],
            zorder=3,
        )


def wire(ax, points, color, *, head=True, dashed=False, width=1.4) -> None:
    """An orthogonal wire through `points`, with an arrowhead at the last one."""
    xs, ys = zip(*points)
    ax.plot(
        xs,
        ys,
        color=color,
        linewidth=width,
        linestyle=(0, (4, 3)) if dashed else "-",
        solid_capstyle="butt",
        zorder=1,
    )
    if head:
        (x0, y0), (x1, y1) = points[-2], points[-1]
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        size, half = 8.0, 3.6
        base = (x1 - ux * size, y1 - uy * size)
        tip = [
            (x1, y1),
            (base[0] - uy * half, base[1] + ux * half),
            (base[0] + uy * half, base[1] - ux * half),
        ]
        ax.add_patch(
            Polygon(
                tip,
                closed=True,
                facecolor=color,
                edgecolor=color,
                linewidth=0.5,
                zorder=1,
            )
        )


def label(ax, x, y, text, color, size=12.5, ha="center", va="center", **kwargs) -> None:
    ax.text(x, y, text, ha=ha, va=va, fontsize=size, color=color, zorder=4, **kwargs)


def draw(highlighted: str | None = None):
    """The figure of one decoder step, with the piece `highlighted` (or none) in the highlight colour."""
    fig = Figure(figsize=(WIDTH / 72, HEIGHT / 72))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(HEIGHT, 0)
    ax.set_axis_off()
    fig.patch.set_alpha(0)
    ax.add_patch(
        FancyBboxPatch(
            (1.5, 1.5),
            WIDTH - 3,
            HEIGHT - 3,
            boxstyle="round,pad=0,rounding_size=12",
            facecolor=CARD,
            edgecolor=CARD_EDGE,
            linewidth=1,
            zorder=0,
        )
    )

    def wire_color(*keys: str) -> str:
        """A wire is highlighted when it enters or leaves the highlighted piece."""
        if highlighted is None:
            return NORMAL["wire"]
        return HIGHLIGHT["wire"] if highlighted in keys else MUTED["wire"]

    def ink(*keys: str) -> str:
        if highlighted is None or highlighted in keys:
            return INK
        return MUTED["ink"]

    # Encoder outputs h_1 .. h_{T_x}: one vector of size d per input position.
    encoder_ink = ink("eq1", "eq3")
    for box, name in zip(
        ENCODER, [r"$h_1$", r"$h_2$", r"$h_3$", r"$\cdots$", r"$h_{T_x}$"]
    ):
        if name == r"$\cdots$":
            label(ax, box.cx, box.cy, name, encoder_ink)
            continue
        ax.add_patch(
            FancyBboxPatch(
                (box.x0, box.y0),
                box.x1 - box.x0,
                box.y1 - box.y0,
                boxstyle="round,pad=0,rounding_size=4",
                facecolor=CARD,
                edgecolor=wire_color("eq1", "eq3"),
                linewidth=1.1,
                zorder=2,
            )
        )
        label(ax, box.cx, box.cy, name, encoder_ink, size=12)
    label(
        ax,
        ENCODER[-1].x1 + 12,
        ENCODER[0].cy,
        "encoder outputs, one per input position",
        encoder_ink,
        size=10,
        ha="left",
        style="italic",
    )

    # Eqs. 1-3: the attention.
    draw_box(
        ax,
        EQ1,
        styles("eq1", highlighted),
        "eq. 1  alignment model",
        [r"$e_{tj} = V_a^\top \tanh(W_a s_{t-1} + U_a h_j + b_a)$"],
    )
    draw_box(
        ax,
        EQ2,
        styles("eq2", highlighted),
        "eq. 2  softmax over $j$",
        [r"$\alpha_{tj} = \exp(e_{tj}) \,/\, \Sigma_k \exp(e_{tk})$"],
    )
    draw_box(
        ax,
        EQ3,
        styles("eq3", highlighted),
        "eq. 3  context vector",
        [r"$c_t = \Sigma_j\, \alpha_{tj} h_j$"],
    )
    # Eqs. 4-8: the decoder's GRU with the context, and the output.
    draw_box(
        ax,
        OUTPUT,
        styles("output", highlighted),
        "eq. 8  output",
        [r"$y_t = \mathrm{softmax}(W_o y_{t-1} + U_o s_{t-1} + C_o c_t + b_o)$"],
    )
    draw_box(
        ax,
        GATES,
        styles("gates", highlighted),
        "eqs. 4-7  GRU gates and new state",
        [
            r"$r_t = \sigma(\cdots)$, $\;z_t = \sigma(\cdots)$",
            r"$\tilde{s}_t = \tanh(\cdots r_t \circ s_{t-1} \cdots)$",
            r"$s_t = (1 - z_t) \circ s_{t-1} + z_t \circ \tilde{s}_t$",
        ],
    )
    decoder_inputs = ("gates", "output")
    bar_style = (
        HIGHLIGHT
        if highlighted in decoder_inputs
        else (NORMAL if highlighted is None else MUTED)
    )
    ax.add_patch(
        FancyBboxPatch(
            (BAR.x0, BAR.y0),
            BAR.x1 - BAR.x0,
            BAR.y1 - BAR.y0,
            boxstyle="round,pad=0,rounding_size=3",
            facecolor=bar_style["edge"],
            edgecolor=bar_style["edge"],
            linewidth=1,
            zorder=2,
        )
    )

    # h_j into eqs. 1 and 3.
    wire(ax, [(EQ1.cx - 40, ENCODER[0].y0), (EQ1.cx - 40, EQ1.y1)], wire_color("eq1"))
    label(ax, EQ1.cx - 30, 437, r"$h_j$", ink("eq1"), ha="left")
    wire(
        ax,
        [
            (ENCODER[-1].x1, ENCODER[-1].cy + 9),
            (EQ3.cx, ENCODER[-1].cy + 9),
            (EQ3.cx, EQ3.y1),
        ],
        wire_color("eq3"),
    )
    label(ax, EQ3.cx + 10, 437, r"$h_j$", ink("eq3"), ha="left")
    # e_tj and alpha_tj along the attention row; c_t up into the decoder.
    wire(ax, [(EQ1.x1, EQ1.cy), (EQ2.x0, EQ2.cy)], wire_color("eq1", "eq2"))
    label(ax, (EQ1.x1 + EQ2.x0) / 2, EQ1.cy - 13, r"$e_{tj}$", ink("eq1", "eq2"))
    wire(ax, [(EQ2.x1, EQ2.cy), (EQ3.x0, EQ3.cy)], wire_color("eq2", "eq3"))
    label(ax, (EQ2.x1 + EQ3.x0) / 2, EQ2.cy - 13, r"$\alpha_{tj}$", ink("eq2", "eq3"))
    c_color = wire_color("eq3", "gates", "output")
    wire(
        ax, [(EQ3.cx, EQ3.y0), (EQ3.cx, 332), (BAR.cx, 332), (BAR.cx, BAR.y1)], c_color
    )
    label(ax, EQ3.cx + 8, 336, r"$c_t$", ink("eq3", "gates", "output"), ha="left")

    # y_{t-1} and s_{t-1}: the buses from the previous step.
    y_color = wire_color("gates", "output")
    s_color = wire_color("eq1", "gates", "output")
    wire(ax, [(Y_LEFT, Y_BUS), (BAR.cx, Y_BUS), (BAR.cx, BAR.y0)], y_color)
    label(ax, 58, Y_BUS - 11, r"$y_{t-1}$", ink("gates", "output"))
    junction = EQ1.cx - 60
    wire(ax, [(S_LEFT, S_BUS), (junction, S_BUS)], s_color, head=False)
    wire(
        ax,
        [(junction, S_BUS), (BAR.x0 - 30, S_BUS), (BAR.x0 - 30, 150), (BAR.x0, 150)],
        y_color,
    )
    label(ax, 58, S_BUS - 11, r"$s_{t-1}$", ink("eq1", "gates", "output"))
    ax.plot([junction], [S_BUS], marker="o", markersize=4, color=s_color, zorder=1)
    wire(ax, [(junction, S_BUS), (junction, EQ1.y0)], wire_color("eq1"))
    label(ax, junction + 8, 300, r"$s_{t-1}$", ink("eq1"), ha="left")
    label(
        ax,
        BAR.x0 - 14,
        228,
        "eqs. 4-6 and 8 each read",
        ink("gates", "output"),
        size=10,
        ha="right",
        style="italic",
    )
    label(
        ax,
        BAR.x0 - 14,
        246,
        r"$y_{t-1}$, $s_{t-1}$ and $c_t$",
        ink("gates", "output"),
        size=10,
        ha="right",
        style="italic",
    )
    # The meeting point feeds both boxes: eqs. 4-6 and 8 each read y_{t-1}, s_{t-1} and c_t.
    wire(ax, [(BAR.x1, OUTPUT.cy), (OUTPUT.x0, OUTPUT.cy)], wire_color("output"))
    wire(ax, [(BAR.x1, GATES.cy), (GATES.x0, GATES.cy)], wire_color("gates"))

    # The outputs of step t, and the loops that hand them to step t + 1.
    wire(
        ax,
        [(OUTPUT.x1, OUTPUT.cy), (Y_RIGHT, OUTPUT.cy)],
        wire_color("output"),
        head=False,
    )
    label(ax, OUTPUT.x1 + 11, OUTPUT.cy - 11, r"$y_t$", ink("output"), ha="left")
    wire(
        ax, [(GATES.x1, GATES.cy), (S_RIGHT, GATES.cy)], wire_color("gates"), head=False
    )
    label(ax, GATES.x1 + 11, GATES.cy - 11, r"$s_t$", ink("gates"), ha="left")
    loop = MUTED["wire"] if highlighted else NORMAL["wire"]
    wire(
        ax,
        [(Y_RIGHT, OUTPUT.cy), (Y_RIGHT, Y_TOP), (Y_LEFT, Y_TOP), (Y_LEFT, Y_BUS)],
        loop,
        dashed=True,
        head=False,
        width=1.1,
    )
    wire(
        ax,
        [(S_RIGHT, GATES.cy), (S_RIGHT, S_TOP), (S_LEFT, S_TOP), (S_LEFT, S_BUS)],
        loop,
        dashed=True,
        head=False,
        width=1.1,
    )
    note = ink()
    label(
        ax,
        WIDTH / 2 - 40,
        Y_TOP + 13,
        r"next step: $y_t$ comes back as $y_{t-1}$, $s_t$ as $s_{t-1}$",
        note,
        size=10,
        style="italic",
    )
    return fig


UNROLLED_WIDTH, UNROLLED_HEIGHT = 660, 318
STEPS = [Box("", 74 + 190 * i, 92, 214 + 190 * i, 196) for i in range(3)]
UNROLLED_ENCODER = [Box("", 150 + 76 * i, 246, 206 + 76 * i, 274) for i in range(5)]


def draw_unrolled():
    """The decoder unrolled over t: the step of the figure above, three times, with s_t and y_t carried from
    each step to the next and every step reading all of h_1 .. h_{T_x} (chapter 6)."""
    fig = Figure(figsize=(UNROLLED_WIDTH / 72, UNROLLED_HEIGHT / 72))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, UNROLLED_WIDTH)
    ax.set_ylim(UNROLLED_HEIGHT, 0)
    ax.set_axis_off()
    fig.patch.set_alpha(0)
    ax.add_patch(
        FancyBboxPatch(
            (1.5, 1.5),
            UNROLLED_WIDTH - 3,
            UNROLLED_HEIGHT - 3,
            boxstyle="round,pad=0,rounding_size=12",
            facecolor=CARD,
            edgecolor=CARD_EDGE,
            linewidth=1,
            zorder=0,
        )
    )
    colour = NORMAL["wire"]
    s_row, y_row = 128, 170
    for t, box in enumerate(STEPS, start=1):
        draw_box(
            ax,
            box,
            NORMAL,
            f"step {t}",
            [rf"attends: $c_{t}$", rf"writes: $s_{t}$,  $y_{t}$"],
        )
        # y_t leaves the step as its output
        wire(ax, [(box.cx, box.y0), (box.cx, 42)], colour)
        label(ax, box.cx, 28, rf"$y_{t}$", INK, size=13)
        # every step reads all of the encoder's outputs
        wire(
            ax,
            [(box.cx, UNROLLED_ENCODER[0].y0 - 4), (box.cx, box.y1)],
            colour,
            dashed=True,
        )
    # s_{t-1} and y_{t-1} come in from the left, and are carried from each step to the next
    starts = [12, *(box.x1 for box in STEPS)]
    ends = [*(box.x0 for box in STEPS), UNROLLED_WIDTH - 30]
    for t, (x0, x1) in enumerate(zip(starts, ends)):
        for row, name in ((s_row, "s"), (y_row, "y")):
            wire(ax, [(x0 + 4, row), (x1, row)], colour)
            label(ax, (x0 + x1) / 2 + 2, row - 10, rf"${name}_{t}$", INK, size=12.5)
    label(ax, UNROLLED_WIDTH - 16, (s_row + y_row) / 2, r"$\cdots$", INK, size=13)
    # the encoder's outputs h_1 .. h_{T_x}
    ax.plot(
        [STEPS[0].cx, STEPS[-1].cx],
        [UNROLLED_ENCODER[0].y0 - 4] * 2,
        color=colour,
        linewidth=1.4,
        linestyle=(0, (4, 3)),
        zorder=1,
    )
    names = [r"$h_1$", r"$h_2$", r"$h_3$", r"$\cdots$", r"$h_{T_x}$"]
    for box, name in zip(UNROLLED_ENCODER, names):
        draw_box(ax, box, MUTED, "", [])
        label(ax, box.cx, box.cy, name, INK, size=12.5)
    label(
        ax,
        UNROLLED_WIDTH / 2,
        298,
        "the encoder's outputs: one vector per input position, read at every step",
        INK,
        size=11,
        style="italic",
    )
    return fig


# Pictures that are not the decoder step: written by `make figures` too.
OTHER_FIGURES = {"decoder-unrolled.svg": draw_unrolled}


FIGURES = {
    "architecture.svg": None,
    "architecture-01.svg": "eq1",
    "architecture-02.svg": "eq2",
    "architecture-03.svg": "eq3",
    "architecture-04.svg": "gates",
    "architecture-05.svg": "output",
}


def smallest_font(fig) -> str:
    """The size of the figure's smallest text, written into the SVG's description: its glyphs are paths, so
    `make test-book` reads it there to check how large the text is as the book shows the figure."""
    sizes = [text.get_fontsize() for text in fig.findobj(Text) if text.get_text()]
    return f"smallest font size: {min(sizes):g}pt"


def write_figures(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    drawings = {name: lambda h=h: draw(h) for name, h in FIGURES.items()}
    for name, drawing in {**drawings, **OTHER_FIGURES}.items():
        path = out_dir / name
        with matplotlib.rc_context(STYLE):
            fig = drawing()
            fig.savefig(
                path,
                format="svg",
                metadata={
                    "Date": None,
                    "Creator": None,
                    "Description": smallest_font(fig),
                },
                transparent=True,
            )
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "images"
    for path in write_figures(target):
        print(
            f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
        )
