"""The DOCX chapters that evidence the involvement for the REK: method and agenda, who took
part (counted in the room beside what the app counted), and the data-protection note."""

from app.report.model import Report
from app.report.wordkit import table, text
from app.text import counted


def method(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    if not (report.method or report.agenda):
        return
    document.add_heading("Methode und Ablauf", level=1)
    if report.method:
        document.add_paragraph(text(report.method))
    if report.agenda:
        timed = any(item.time for item in report.agenda)
        when = f" am {report.date.strftime('%d.%m.%Y')}" if report.date else ""
        table(document, ["Zeit", "Programmpunkt"] if timed else ["Programmpunkt"],
              [[*([item.time] if timed else []),
                item.title + (f" – {item.text}" if item.text else "")] for item in report.agenda],
              caption=f"Ablauf{when}")


def participation(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    p = report.participation
    figures = [*([counted(p.counted, "Person", "Personen") + " im Raum (gezählt)"]
                 if p.counted is not None else []),
               counted(p.phones, "Smartphone", "Smartphones") + " angemeldet",
               counted(report.stats.cards, "Karte", "Karten"),
               *(f"Runde {r}: {n}" for r, n in report.stats.per_round.items())]
    document.add_paragraph(" · ".join(figures))
    document.add_paragraph(
        f"{counted(p.proposals, 'Leitsatz-Vorschlag', 'Leitsatz-Vorschläge')} · "
        f"{counted(p.supports, 'Unterstützung', 'Unterstützungen')} "
        f"(von {counted(p.supporters, 'Person', 'Personen')}) · "
        f"{counted(p.dots, 'Punkt', 'Punkte')} im Plenum vergeben "
        f"(von {counted(p.dot_givers, 'Person', 'Personen')})")
    if not p.entered:
        document.add_paragraph("Die Teilnehmenden im Raum wurden nicht gezählt; die Zahlen oben "
                               "hat die Anwendung selbst erfasst (Personen ohne Smartphone "
                               "fehlen darin).")
    groups = list(dict.fromkeys([*p.by_group, *p.phone_groups]))
    if groups:
        table(document, ["Gruppe", "im Raum gezählt", "auf dem Smartphone angegeben"],
              [[g, p.by_group.get(g, "–"), p.phone_groups.get(g, "–")] for g in groups],
              caption="Nach Gruppe")
    for caption, label, values in (("Nach Alter", "Altersgruppe", p.by_age),
                                   ("Nach Gemeinde", "Gemeinde", p.by_municipality)):
        if values:
            table(document, [label, "Personen"], [[k, n] for k, n in values.items()],
                  caption=caption)
    empty = {f.number for f in report.fields if f.subfield_of and not f.card_count}
    rounds = list(report.stats.per_round) if report.rounds_used else []
    rows = [[field, *([p.by_field.get(field, "–")] if p.by_field else []), sum(per.values()),
             *(per.get(r, 0) for r in rounds)]
            for field, per in report.stats.per_field_round.items()
            if field not in empty or p.by_field.get(field)]
    if rows:
        table(document, ["Handlungsfeld", *(["Personen (gezählt)"] if p.by_field else []),
                         "Karten", *(f"Runde {r}" for r in rounds)], rows,
              caption="Nach Arbeitsgruppe")
    if p.note:
        document.add_paragraph(text(p.note))


def privacy(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    if report.privacy:
        document.add_heading("Hinweise zum Datenschutz", level=1)
        for paragraph in report.privacy:
            document.add_paragraph(text(paragraph))
