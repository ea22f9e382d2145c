"""The timeline picture of one enterprise (issue 24, part 3): an SVG drawn on the server from the
same items the read models hold (`projections.items.items_of` over the history as the ledger knew
it at `known_at`), for auditors and reviewers. Permits, publicity windows and list intervals are
bars; inspections and repair steps are marks; corrections and retractions are dashed red lines
on their effective day (the time the ledger learned of them in their tooltip), and the records they changed are outlined. No script, no
chart library: readable printed (black outlines, patterns that survive grey-scale)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from domain.context import RuleContext
from domain.history import AnyFact
from projections.items import items_of

LANES: tuple[tuple[str, str, str], ...] = (
    # item kind, label, fill
    ("permit", "行政许可", "#4a7fb5"),
    ("key_sector_list", "重点领域名单", "#7aa6d6"),
    ("penalty_publicity", "处罚公示期", "#d98c1f"),
    ("abnormal_list", "经营异常名录", "#b5651d"),
    ("serious_list", "严重违法失信名单", "#a4161a"),
    ("exposure", "曝光台", "#6d2e8c"),
    ("commitment", "信用承诺", "#2e8c5a"),
    ("typical_case", "典型案例", "#555555"),
)
SUBJECTS = {"food_production": "食品生产", "special_food": "特殊食品", "special_equipment": "特种设备"}
LABEL_W, ROW_H, TOP, RIGHT = 230, 22, 46, 36
WIDTH = 1100


def timeline_svg(
    uscc: str,
    entries: Sequence[dict[str, Any]],
    history: Sequence[AnyFact],
    ctx: RuleContext,
    known_at: datetime,
    today: date,
) -> str:
    items = [i for i in items_of(history, ctx) if i.kind in {k for k, _, _ in LANES}]
    inspections = [e for e in entries if e["type"] == "inspection.concluded"]
    repairs = [e for e in entries if e["type"].startswith("repair.")]
    amendments = [e for e in entries if e["type"] in ("record.corrected", "record.retracted")]
    days = [i.start for i in items if i.start] + [date.fromisoformat(e["effective_on"]) for e in entries]
    if not days:
        days = [today]
    first = min(days).replace(month=1, day=1)
    last = max([*days, today, *(i.end for i in items if i.end and i.end < today + timedelta(days=3 * 365))])
    last = date(last.year + 1, 1, 1)
    span = max((last - first).days, 1)
    plot_w = WIDTH - LABEL_W - RIGHT

    def x(day: date | None) -> float:
        if day is None:
            return float(LABEL_W + plot_w)
        clamped = min(max(day, first), last)
        return LABEL_W + plot_w * (clamped - first).days / span

    rows: list[tuple[str, str, list[Any]]] = []
    for kind, label, colour in LANES:
        subjects = sorted({i.subject for i in items if i.kind == kind})
        for subject in subjects:
            rows.append(
                (
                    f"{label}：{SUBJECTS.get(subject, subject)}",
                    colour,
                    [i for i in items if i.kind == kind and i.subject == subject],
                )
            )
    marks_row = len(rows)
    height = TOP + ROW_H * (len(rows) + 2) + 40
    amended = {(a["amends"]["department"], a["amends"]["record_id"]) for a in amendments if "amends" in a}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="tl-title tl-desc" font-family="sans-serif" font-size="12">',
        f'<title id="tl-title">{escape(uscc)} 的时间线（截至 {escape(known_at.isoformat(timespec="minutes"))} 所知）</title>',
        f'<desc id="tl-desc">{len(items)} 个期间，{len(inspections)} 次检查，{len(repairs)} 个修复步骤，'
        f"{len(amendments)} 次更正或撤回</desc>",
        '<defs><pattern id="open" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="3" height="6" fill="#999"/></pattern></defs>',
    ]
    # years
    for year in range(first.year, last.year + 1):
        gx = x(date(year, 1, 1))
        out.append(f'<line x1="{gx:.1f}" y1="{TOP - 8}" x2="{gx:.1f}" y2="{height - 30}" stroke="#ddd"/>')
        out.append(f'<text x="{gx + 2:.1f}" y="{TOP - 12}" fill="#333">{year}</text>')
    tx = x(today)
    out.append(
        f'<line x1="{tx:.1f}" y1="{TOP - 8}" x2="{tx:.1f}" y2="{height - 30}" stroke="#000" stroke-width="1.5"/>'
    )
    out.append(f'<text x="{tx + 3:.1f}" y="{height - 18}" fill="#000">今天 {today.isoformat()}</text>')
    for n, (label, colour, spans) in enumerate(rows):
        y = TOP + n * ROW_H
        out.append(f'<text x="4" y="{y + 15}" fill="#111">{escape(_short(label))}</text>')
        for i in spans:
            x0, x1 = x(i.start), x(i.end)
            fill = colour if i.end else "url(#open)"
            until = i.end.isoformat() if i.end else "（未定）"
            out.append(
                f'<rect class="bar" data-kind="{escape(i.kind)}" x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 2):.1f}" '
                f'height="{ROW_H - 8}" fill="{fill}" stroke="#000" stroke-width="0.6">'
                f"<title>{escape(label)} {i.start} — {until}</title></rect>"
            )
    y = TOP + marks_row * ROW_H
    out.append(f'<text x="4" y="{y + 15}" fill="#111">检查（◆）与修复（●）</text>')
    for e in inspections:
        cx = x(date.fromisoformat(e["effective_on"]))
        out.append(
            f'<path class="inspection" d="M{cx:.1f} {y + 4} l6 7 l-6 7 l-6 -7 z" fill="#2e8c5a" stroke="#000" '
            f'stroke-width="0.6"><title>检查 {escape(e["effective_on"])} {escape(str(e["data"].get("result", "")))}</title></path>'
        )
    for e in repairs:
        cx = x(date.fromisoformat(e["effective_on"]))
        out.append(
            f'<circle class="repair" cx="{cx:.1f}" cy="{y + 11}" r="5" fill="#fff" stroke="#6d2e8c" stroke-width="2">'
            f"<title>{escape(e['type'])} {escape(e['effective_on'])} {escape(str(e['data'].get('application_id', '')))}</title></circle>"
        )
    for a in amendments:
        seen = a["effective_on"]
        ax = x(date.fromisoformat(seen))
        learned = (a.get("recorded_at") or "")[:16]
        word = "更正" if a["type"] == "record.corrected" else "撤回"
        target = a.get("amends", {})
        out.append(
            f'<line class="amendment" x1="{ax:.1f}" y1="{TOP - 4}" x2="{ax:.1f}" y2="{height - 30}" stroke="#d00" '
            f'stroke-width="1.5" stroke-dasharray="5 3"><title>{word} {escape(target.get("record_id", ""))}（生效 {seen}，记录于 {escape(learned)}）</title></line>'
        )
        out.append(f'<text x="{ax + 3:.1f}" y="{TOP + 2}" fill="#d00">{word}</text>')
    if amended:
        out.append(
            f'<text x="4" y="{height - 4}" fill="#d00">红色虚线：更正或撤回（其生效日）；被更正的记录：'
            f"{escape('、'.join(r for _, r in sorted(amended)))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
