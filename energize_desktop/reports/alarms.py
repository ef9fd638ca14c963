"""The report's anomalies and alerts: warning-or-worse events of the period less those the user
dismissed, counted by meter and kind, the ten largest by energy at stake, every one in an
appendix table, and the alerts with their status. The summary's top findings rank by the same
measure (`ranked_alarms`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from energize_desktop.reports.model import Note, Table


def anomalies(ctx) -> list:
    names = {m.id: m for m in ctx.ws.meters(ctx.site)}
    events, left_out = alarms(ctx)
    blocks = []
    if events:
        counts: dict[tuple[str, str], int] = {}
        for e in events:
            key = (names[e["meter_id"]].name, e["kind"])
            counts[key] = counts.get(key, 0) + 1
        blocks.append(Table(("Meter", "Kind", "Alarms"),
                            tuple((m, k, str(n)) for (m, k), n in sorted(counts.items())),
                            f"{len(events)} alarms (warnings and above) in the period, by meter "
                            "and kind" + (f"; {left_out} the user marked as not an anomaly "
                                          "are left out" if left_out else "")))
        top = ranked_alarms(ctx)[:10]
        blocks.append(Table(_ALARM_COLUMNS, tuple(_alarm_row(ctx, names, e) for e in top),
                            "The ten largest, by energy at stake"))
        if len(events) > len(top):
            rows = tuple(_alarm_row(ctx, names, e)
                         for e in sorted(events, key=lambda e: e["start_us"])[:200])
            blocks.append(Table(_ALARM_COLUMNS, rows,
                                "Appendix: every alarm in the period, in time order"
                                + (", the first 200" if len(events) > 200 else "")))
    else:
        blocks.append(Note("No anomalies of warning level or above are stored for this period: "
                           "detection has not been run on it, or found none."))
    from energize_desktop.storage.alerts import AlertStore

    alerts = [a for a in AlertStore(ctx.ws).alerts(("open", "acknowledged", "resolved"))
              if a["meter_id"] in names]
    if alerts:
        blocks.append(Table(("Opened", "State", "Severity", "Message"),
                            tuple((str(a["opened_at"])[:16], a["state"], a["severity"],
                                   a["message"]) for a in alerts), "Alerts and their status"))
    else:
        blocks.append(Note("No alerts were raised for this site."))
    return blocks


_ALARM_COLUMNS = ("Meter", "Kind", "Severity", "Starts (local)", "At stake", "Explanation")


def _alarm_row(ctx, names, e) -> tuple[str, ...]:
    m = names[e["meter_id"]]
    when = datetime.fromtimestamp(e["start_us"] / 1e6, ZoneInfo(ctx.tz))
    stake = f"{e['stake']:,.1f} {m.amount_unit}" if e.get("stake") is not None else "–"
    return (m.name, e["kind"], e["severity"], f"{when:%Y-%m-%d %H:%M}", stake,
            e["explanation"])


def alarms(ctx) -> tuple[list[dict], int]:
    """The period's warning-or-worse events, less those the user dismissed (read once)."""
    from energize_desktop.storage.anomalies import AnomalyStore

    if "alarms" not in ctx.cache:
        ids = [m.id for m in ctx.ws.meters(ctx.site)]
        stored = AnomalyStore(ctx.ws).events(ids, ctx.start_us, ctx.end_us,
                                             min_severity="warning")
        kept = [e for e in stored if not _dismissed(ctx.ws, e)]
        ctx.cache["alarms"] = kept, len(stored) - len(kept)
    return ctx.cache["alarms"]


def ranked_alarms(ctx) -> list[dict]:
    """Largest energy at stake first (an event without one ranks by its score after them)."""
    return sorted(alarms(ctx)[0], key=lambda e: (-(abs(e.get("stake") or 0.0)), -e["score"]))


def _dismissed(ws, event: dict) -> bool:
    """Did the user mark this event "not an anomaly"? (Kept in its meter's settings.)"""
    from energize_desktop.jobs.detection import settings_for

    return any(d.start_us == event["start_us"] and d.end_us == event["end_us"]
               and d.kind == event["kind"]
               for d in settings_for(ws, event["meter_id"]).dismissed)
