"""Demo support contacts, one awareness page and legal cases for ``sesim demo``: invented
organisations with obviously fake numbers, so nobody calls a real line from a demo."""

from __future__ import annotations

from flask import current_app

from core.extensions import db
from core.models import AwarenessPage, Report, SupportResource

RESOURCES = [
    # kind, region, (az, ru, en) name, phone, (az, ru, en) hours
    ("hotline", None, ("Qadınlar üçün qaynar xətt (nümunə)", "Горячая линия для женщин (пример)",
                       "Women's hotline (sample)"), "+994 12 000 00 00",
     ("Hər gün, 24 saat", "Ежедневно, круглосуточно", "Every day, 24 hours")),
    ("legal_clinic", "baku", ("Hüquqi klinika (nümunə)", "Юридическая клиника (пример)",
                              "Legal clinic (sample)"), "+994 12 000 00 01",
     ("B.e.–Cümə, 10:00–18:00", "Пн–Пт, 10:00–18:00", "Mon–Fri, 10:00–18:00")),
    ("shelter", "khachmaz", ("Sığınacaq (nümunə)", "Приют (пример)", "Shelter (sample)"),
     "+994 23 000 00 02", ("Zəng edin", "Звоните заранее", "Call first")),
    ("psychological", "masalli", ("Psixoloji dəstək (nümunə)", "Психологическая помощь (пример)",
                                  "Psychological support (sample)"), "+994 25 000 00 03",
     ("Ç.a., Cümə 14:00–17:00", "Ср, Пт 14:00–17:00", "Wed, Fri 14:00–17:00")),
]

RIGHTS_BODY = {
    "az": "<p>Təqib və təzyiq cinayətdir. Şikayət etmək hüququnuz var.</p>"
          "<ul><li>Baş verənləri yazın: tarix, yer, şahidlər.</li>"
          "<li>Mesajların ekran şəkillərini saxlayın.</li></ul>",
    "ru": "<p>Преследование и давление — правонарушение. У вас есть право пожаловаться.</p>"
          "<ul><li>Запишите, что случилось: дату, место, свидетелей.</li>"
          "<li>Сохраните снимки экрана сообщений.</li></ul>",
    "en": "<p>Harassment and pressure are offences. You have the right to complain.</p>"
          "<ul><li>Write down what happened: date, place, witnesses.</li>"
          "<li>Keep screenshots of messages.</li></ul>",
}


def load_support_demo() -> None:
    if SupportResource.query.count() == 0:
        for position, (kind, region, names, phone, hours) in enumerate(RESOURCES):
            db.session.add(SupportResource(
                kind=kind, region_id=region, phone=phone, position=position,
                **{f"name_{lang}": text for lang, text in zip(("az", "ru", "en"), names, strict=True)},
                **{f"hours_{lang}": text for lang, text in zip(("az", "ru", "en"), hours, strict=True)}))
    if AwarenessPage.query.filter_by(slug="know-your-rights").count() == 0:
        db.session.add(AwarenessPage(
            slug="know-your-rights", kind="rights", published=True,
            title_az="Hüquqlarınızı bilin", title_ru="Знайте свои права", title_en="Know your rights",
            summary_az="Təqibə məruz qalsanız nə edə bilərsiniz.",
            summary_ru="Что можно сделать, если вас преследуют.",
            summary_en="What you can do if you are harassed.",
            **{f"body_{lang}": html for lang, html in RIGHTS_BODY.items()}))
    if current_app.config["SESIM_LEGAL_HELP"]:
        from core import legal

        for report in Report.query.filter_by(wants_legal_help=True).all():
            legal.ensure_case(report, announce=False)
    db.session.commit()
