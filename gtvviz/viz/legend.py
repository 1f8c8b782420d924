"""The colour key of the graph views, as a small self-contained HTML snippet: one swatch per cluster in its colour,
a grey swatch for an undecided node (a node's colour fades to grey as its confidence falls to 1/K), and a light to
dark edge ramp for the edges' GTV share :math:`\\tfrac12 \\lVert s_i - s_j \\rVert_1`.

The same snippet sits next to the live graph (inside its component) and above the Compare panels, so every view of
a run is read with one key.
"""

from __future__ import annotations

from html import escape

from gtvviz.viz.assignment import SHARE_LEVELS
from gtvviz.viz.figures import EDGE_COLOR, GREY_HEX, cluster_colors, share_line

#: Clusters listed by name at most (beyond, "…").
LEGEND_CLUSTERS = 10


def legend_html(k: int, font_px: int = 14) -> str:
    """The colour key for ``k`` clusters at ``font_px`` text size (inline styles only, no script); a narrow screen
    wraps it between entries, never inside one."""
    dot = ("display:inline-block;width:{s}px;height:{s}px;border-radius:50%;background:{c};"
           "vertical-align:middle;margin:0 3px 0 8px;border:1px solid #999")
    size = round(font_px * 0.9)
    parts = [f'<span style="white-space:nowrap"><span style="{dot.format(s=size, c=color)}"></span>{i}</span>'
             for i, color in enumerate(cluster_colors(k)[:LEGEND_CLUSTERS])]
    if k > LEGEND_CLUSTERS:
        parts.append(" …")
    ramp = [EDGE_COLOR] + [share_line(level)["color"] for level in range(1, SHARE_LEVELS + 1)]
    edges = "".join(f'<span style="display:inline-block;width:{round(font_px * 1.4)}px;height:0;border-top:'
                    f'{1 + level}px solid {color};vertical-align:middle"></span>' for level, color in enumerate(ramp))
    return (
        f'<div class="gtvviz-legend" style="font:{font_px}px sans-serif;color:#222;line-height:1.6">'
        f"<b>colour</b> = cluster {''.join(parts)}"
        f'<span style="white-space:nowrap"><span style="{dot.format(s=size, c=GREY_HEX)}"></span>pale = undecided'
        '</span> <span style="margin-left:14px;white-space:nowrap">'  # each entry wraps whole, never inside
        f'<b>edge</b> 0 {edges} 1 = {escape("GTV share ½‖sᵢ − sⱼ‖₁")}</span></div>'
    )
