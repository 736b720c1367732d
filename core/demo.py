"""Demo data for a first look: realistic, invented reports and inbox messages in the deployment's
own regions (``SESIM_REGIONS``, set by the profile: Baku for ``baku``, the four districts for
``rural``), with a few SMS from the same sender to try a merge, a conversation and adding a
message to an existing report."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app

from core import gazetteer
from core.config import split_list
from core.extensions import db
from core.intake import Inbound, queue_reply, receive
from core.models import Category, ChannelCursor, Report
from core.progress import tracked
from core.seed import ensure_categories

MARKER = ("core", "demo-loaded")

# (language, category slugs, title, story) — invented, with no real names.
STORIES = [
    ("az", ["verbal"], "Metroda söz atdılar", "28 May stansiyasında bir kişi mənə yaxınlaşıb "
     "ədəbsiz sözlər dedi, sonra vaqona qədər arxamca gəldi. Ətrafdakılar heç nə demədi."),
    ("az", ["physical"], "Avtobusda toxundular", "Səhər avtobusda sıxlıqdan istifadə edib mənə "
     "toxundu. Qışqıranda sürücü qapını açdı və o, düşüb qaçdı."),
    ("ru", ["stalking"], "Преследовал до дома", "Мужчина шёл за мной от остановки до подъезда "
     "три вечера подряд. Я начала возвращаться с подругой."),
    ("en", ["online"], "Fake profile with my photos", "Someone made an account with my photos "
     "and sends messages to my colleagues. The platform did not answer my complaint."),
    ("az", ["workplace"], "Rəhbər iş saatından sonra yazır", "Şöbə müdiri gecə yazır, cavab "
     "verməsəm işdən çıxaracağını deyir. Başqa qızlar da eyni şeyi yaşayıb."),
    ("ru", ["sextortion"], "Чиновник требовал «услугу»", "Чтобы получить справку для "
     "пособия, сотрудник сказал, что я должна встретиться с ним вечером. Я отказалась, "
     "документ до сих пор не выдан."),
    ("az", ["verbal", "stalking"], "Bulvarda narahat etdilər", "Bir qrup oğlan bulvarda "
     "ardımca gəlib şəkil çəkdi və gülürdü. Polis postu uzaqda idi."),
    ("en", ["workplace"], "Comments about my body at work", "A senior colleague comments on my "
     "clothes every day in front of others. HR told me to ignore it."),
    ("az", ["sextortion"], "Məhkəmə işində təzyiq", "Qardaşımın işi ilə bağlı bir məmur "
     "kömək müqabilində mənimlə görüşmək istədi. Qorxuram ki, şikayət etsəm iş pisləşər."),
    ("ru", ["online"], "Угрозы в мессенджере", "Бывший знакомый угрожает опубликовать "
     "переписку, если я не встречусь с ним."),
    ("az", ["physical"], "Bazarda itələdilər", "Bazarda satıcı qolumdan tutub zorla dükana "
     "çəkmək istədi. Başqa qadınlar kömək etdi."),
    ("az", ["other"], "Taksi sürücüsü yolu dəyişdi", "Gecə taksi sürücüsü başqa yolla getdi və "
     "şəxsi suallar verdi. Maşından işıqforda düşdüm."),
]

RURAL_STORIES = [
    ("az", ["family-pressure", "verbal"], "Ailədə təzyiq", "Həyat yoldaşımın ailəsi işə "
     "getməyimə icazə vermir və telefonumu yoxlayır."),
    ("az", ["sextortion"], "Kənd icra nümayəndəsi", "Torpaq sənədi üçün müraciət edəndə "
     "nümayəndə mənə uyğunsuz təkliflər etdi."),
    ("ru", ["land-inheritance"], "Лишили доли наследства", "После смерти отца братья "
     "переоформили дом и землю без моего согласия."),
    ("az", ["workplace"], "Tarlada işləyərkən", "Mövsümi işdə briqadir qadın işçilərə "
     "söyüş söyür və maaşı kəsməklə hədələyir."),
]


def load_demo(force: bool = False) -> int:
    """Add the demo reports and a few inbox messages; a second call does nothing."""
    if ChannelCursor.get(*MARKER) and not force:
        return 0
    ensure_categories(current_app.config)
    categories = {c.slug: c for c in Category.query.all()}
    rng = random.Random(2026)
    gaz = gazetteer.load()
    wanted = split_list(current_app.config["SESIM_REGIONS"])
    baku = gaz.region("baku") if not wanted or "baku" in wanted else None
    rural = [gaz.region(r) for r in RURAL_REGIONS if not wanted or r in wanted]
    if baku is None and not rural:  # a deployment of other regions: use them as rural ones
        rural = [r for r in gaz.regions if r.id in wanted] or [gaz.region("masalli")]
    now = datetime.now().replace(microsecond=0)
    count = 0
    for i in tracked(range(36), "Demo reports"):
        in_baku = baku is not None and (not rural or i % 3 != 2)
        language, slugs, title, story = rng.choice(STORIES if in_baku else STORIES + RURAL_STORIES)
        region = baku if in_baku else rng.choice(rural)
        place = rng.choice(region.places)
        lat = place.lat + rng.uniform(-0.01, 0.01)
        lon = place.lon + rng.uniform(-0.01, 0.01)
        status = "published" if i % 5 else "pending"
        occurred = now - timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 23))
        report = Report(
            title=title, story=story, public_story=story if status == "published" else None,
            language=language, occurred_at=occurred,
            created_at=occurred + timedelta(days=1), status=status,
            published_at=occurred + timedelta(days=2) if status == "published" else None,
            verified=status == "published" and i % 3 == 0,
            latitude=lat, longitude=lon, place_id=place.id, region_id=region.id,
            public_latitude=place.lat, public_longitude=place.lon,
            source_channel=rng.choice(["web", "web", "sms", "email"]),
            consent_publish=i % 7 != 0, wants_legal_help=not in_baku and i % 2 == 0,
            categories=[categories[s] for s in slugs if s in categories] or [categories["other"]],
        )
        db.session.add(report)
        count += 1
    db.session.commit()
    _inbox(INBOX_RURAL if rural and baku is None else INBOX_BAKU, now)
    from core.demo_support import load_support_demo

    load_support_demo()
    ChannelCursor.put(*MARKER, now.isoformat())
    return count


def _inbox(script, now: datetime) -> None:
    """The demo inbox: ``(sender, channel, text, minutes ago)``; sender "B" also gets a report made
    from her first SMS with a staff reply, so her later SMS can join it."""
    stored = []
    for n, (who, channel, text, minutes) in enumerate(script):
        sender = DEMO_SENDERS[who] if channel == "sms" else f"demo-{who.lower()}@example.org"
        message, _created = receive(Inbound(channel=channel, external_id=f"demo-{n}", text=text,
                                            sender=sender, received_at=now - timedelta(minutes=minutes)))
        stored.append((who, message))
    first_b = next((m for who, m in stored if who == "B"), None)
    if first_b is None:
        return
    place = ((first_b.data or {}).get("suggestions") or {}).get("places") or [None]
    gaz_place = gazetteer.load().place(place[0]) if place[0] else None
    report = Report(title=DEMO_B_TITLE, story=first_b.text, language="az",
                    occurred_at=first_b.received_at, source_channel="sms",
                    place_id=gaz_place.id if gaz_place else None,
                    region_id=gaz_place.region_id if gaz_place else None)
    db.session.add(report)
    db.session.flush()
    first_b.report, first_b.status = report, "converted"
    db.session.commit()
    queue_reply(first_b, DEMO_B_REPLY)  # no gateway in a demo: it stays queued, in the thread


RURAL_REGIONS = ("khachmaz", "sabirabad", "ismailli", "masalli")
DEMO_SENDERS = {"A": "+994500000101", "B": "+994500000102", "C": "+994500000103"}
DEMO_B_TITLE = "Sənəd üçün görüş tələb olunur"
DEMO_B_REPLY = "Mesajınızı aldıq. Təhlükəsiz olduğunuz vaxt yazın; hüquqşünas sizinlə əlaqə saxlaya bilər."

# Same sender A three times (merge them into one report); B's first SMS is already a report with
# a staff reply (add her second SMS to it); C asks for help; one e-mail.
INBOX_RURAL = [
    ("A", "sms", "Salam, Masallıda bazarda bir kişi hər gün mənə söz atır.", 300),
    ("A", "sms", "Bu gün yenə gəldi, dükanın qabağında gözləyirdi.", 240),
    ("A", "sms", "Qorxuram, evə tək gedirəm. Nə edim?", 200),
    ("B", "sms", "İsmayıllıda kənd icra nümayəndəsi torpaq sənədi üçün axşam görüş istəyir.", 180),
    ("B", "sms", "Yenə zəng etdi, sənədi verməyəcəyini deyir.", 60),
    ("C", "sms", "KÖMƏK", 30),
    ("D", "email", "Здравствуйте, в Хачмазе бригадир угрожает урезать зарплату женщинам.", 20),
]
INBOX_BAKU = [
    ("A", "sms", "Salam, Bakıda metroda 28 May stansiyasında bir kişi hər gün arxamca gəlir.", 300),
    ("A", "sms", "Bu gün yenə eyni vaqonda idi.", 240),
    ("A", "sms", "Qorxuram, evə tək gedirəm. Nə edim?", 200),
    ("B", "sms", "Nəsimi rayonunda idarədə məmur arayış üçün axşam görüş istəyir.", 180),
    ("B", "sms", "Yenə zəng etdi, arayışı verməyəcəyini deyir.", 60),
    ("C", "sms", "KÖMƏK", 30),
    ("D", "email", "Здравствуйте, на работе начальник требует встреч после работы.", 20),
]
