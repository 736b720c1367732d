"""Demo data for a first look: realistic, invented reports across Baku and the rural regions."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app

from core import gazetteer
from core.extensions import db
from core.intake import Inbound, receive
from core.models import Category, ChannelCursor, Report
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
    baku = gaz.region("baku")
    rural = [gaz.region(r) for r in ("khachmaz", "sabirabad", "ismailli", "masalli")]
    now = datetime.now().replace(microsecond=0)
    count = 0
    for i in range(36):
        in_baku = i % 3 != 2
        language, slugs, title, story = rng.choice(STORIES if in_baku else STORIES + RURAL_STORIES)
        region = baku if in_baku else rng.choice(rural)
        place = rng.choice(region.places)
        lat = place.lat + rng.uniform(-0.01, 0.01)
        lon = place.lon + rng.uniform(-0.01, 0.01)
        status = "published" if i % 5 else "pending"
        occurred = now - timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 23))
        report = Report(
            title=title, story=story, public_story=story if status == "published" else None,
            language=language, occurred_at=occurred, occurred_time_known=bool(i % 2),
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
    for n, (channel, text) in enumerate([
        ("sms", "Salam, Xaçmazda avtobus dayanacağında bir kişi hər gün narahat edir. Nə edim?"),
        ("sms", "KÖMƏK"),
        ("email", "Здравствуйте, на работе начальник требует встреч после работы."),
    ]):
        receive(Inbound(channel=channel, external_id=f"demo-{n}", text=text,
                        sender=f"+99450000{n:04d}" if channel == "sms" else f"demo{n}@example.org"))
    from core.demo_support import load_support_demo

    load_support_demo()
    ChannelCursor.put(*MARKER, now.isoformat())
    return count
