"""Reads an iCalendar file from stdin as a calendar app would, with the
`icalendar` package, and prints what it found as JSON: the calendar's
properties, its VTIMEZONE turned into a time zone of its own (not looked up
by name, so the offsets come from the file), and every VTODO's fields.
Used by the calendar feed's tests; a file the package cannot read fails."""

import json
import sys
from datetime import date, datetime, timezone

import icalendar


def moment(value):
    """A DATE or DATE-TIME property as the test compares it."""
    if value is None:
        return None
    when = value.dt
    if isinstance(when, datetime):
        return {
            "local": when.replace(tzinfo=None).isoformat(),
            "tzid": value.params.get("TZID"),
            "utc": when.astimezone(timezone.utc).isoformat() if when.tzinfo else None,
        }
    if isinstance(when, date):
        return {"date": when.isoformat()}
    raise SystemExit(f"not a date: {when!r}")


def main():
    calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
    zones = {}
    for vtimezone in calendar.walk("VTIMEZONE"):
        tzid = str(vtimezone["TZID"])
        tz = vtimezone.to_tz(lookup_tzid=False)
        probes = {}
        for probe in ("2026-01-15T12:00:00", "2026-07-15T12:00:00",
                      "2026-03-29T00:30:00", "2026-03-29T01:30:00",
                      "2026-11-01T05:30:00", "2026-11-01T06:30:00"):
            instant = datetime.fromisoformat(probe).replace(tzinfo=timezone.utc)
            probes[probe] = instant.astimezone(tz).utcoffset().total_seconds()
        zones[tzid] = {
            "offsets": probes,
            "observances": len(vtimezone.subcomponents),
        }
    todos = []
    for todo in calendar.walk("VTODO"):
        rrule = todo.get("RRULE")
        categories = todo.get("CATEGORIES")
        alarms = []
        for alarm in todo.walk("VALARM"):
            trigger = alarm["TRIGGER"]
            alarms.append({
                "action": str(alarm["ACTION"]),
                "description": str(alarm.get("DESCRIPTION", "")),
                "related": trigger.params.get("RELATED"),
                "seconds": trigger.dt.total_seconds(),
            })
        todos.append({
            "uid": str(todo["UID"]),
            "summary": str(todo["SUMMARY"]),
            "description": str(todo["DESCRIPTION"]) if "DESCRIPTION" in todo else None,
            "categories": [str(c) for c in categories.cats] if categories else [],
            "priority": int(todo["PRIORITY"]) if "PRIORITY" in todo else None,
            "status": str(todo["STATUS"]),
            "due": moment(todo.get("DUE")),
            "dtstart": moment(todo.get("DTSTART")),
            "dtstamp": moment(todo.get("DTSTAMP")),
            "last_modified": moment(todo.get("LAST-MODIFIED")),
            "rrule": rrule.to_ical().decode() if rrule else None,
            "alarms": alarms,
        })
    print(json.dumps({
        "version": str(calendar["VERSION"]),
        "prodid": str(calendar["PRODID"]),
        "zones": zones,
        "todos": todos,
    }))


main()
