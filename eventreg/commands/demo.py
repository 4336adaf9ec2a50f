"""The demo data behind `flask --app eventreg seed-demo`: the Astana "Belt and Road" seminar and friends.

Registrations are generated from a fixed seed, so every machine gets the same people and figures. The Belt and
Road seminar carries its programme in Kazakh, Russian, English and Chinese.
"""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventreg.auth.services import create_user, find_user
from eventreg.models import (
    AgendaItem,
    Category,
    CheckInEvent,
    Registration,
    Seminar,
    SeminarMember,
    Speaker,
    utcnow,
)
from eventreg.registration.validation import ASTANA_UNIVERSITIES
from eventreg.seminars import content, days
from eventreg.seminars.services import DEFAULT_CATEGORIES, default_category_labels

ALMATY = ZoneInfo("Asia/Almaty")

DEMO_USERS = [
    ("admin@eventreg.local", "Demo Admin", "admin", "demo-admin-2024"),
    ("organizer@eventreg.local", "Aliya Organizer", "organizer", "demo-organizer-2024"),
    ("door@eventreg.local", "Aigerim (Door 1)", "staff", "demo-door-2024"),
    ("door2@eventreg.local", "Daniyar (Door 2)", "staff", "demo-door2-2024"),
]

UNIVERSITIES = ASTANA_UNIVERSITIES[:7]
PROGRAMMES = [
    "International Relations", "Oriental Studies", "Economics", "Computer Science", "Political Science",
    "Chinese Language and Literature", "Law", "Journalism", "Finance", "Regional Studies",
]
KAZAKH_GIVEN = ["Айгерим", "Нурлан", "Дана", "Ерлан", "Асель", "Бауыржан", "Жанар", "Санжар", "Әлия", "Диас",
                "Аружан", "Нұрсұлтан", "Мөлдір", "Темірлан", "Салтанат", "Ақбота"]
KAZAKH_FAMILY = ["Сәрсенбаев", "Жұмабекова", "Оспанов", "Ахметова", "Тоқаев", "Серікбаева", "Қасымов",
                 "Нұрланова", "Байжанов", "Әбенова", "Есенов", "Мұратова"]
RUSSIAN = ["Иванов Сергей", "Петрова Анна", "Ким Виктория", "Смирнов Алексей", "Пак Елена", "Соколова Мария",
           "Волков Дмитрий", "Ли Ольга", "Цой Артём", "Белова Ксения"]
CHINESE = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄晨", "周杰", "吴芳"]
LATIN = ["Aibek Nurpeisov", "Madina Seitkali", "Zhang Wei", "Li Na", "Timur Abenov", "Kamila Yerlanova",
         "John Mitchell", "Sophie Laurent", "Arman Dzhaksybekov", "Dinara Sultanbekova", "Wang Fang",
         "Yerzhan Mukanov", "Assel Kairatovna", "Michael Brown"]
ORGANIZATIONS = {
    "expert": ["China Studies Centre", "Institute of World Economics and Politics", "Kazakhstan Institute for "
               "Strategic Studies", "Eurasian Research Institute"],
    "government": ["Ministry of Foreign Affairs of Kazakhstan", "Embassy of the People's Republic of China",
                   "Ministry of Trade and Integration", "Embassy of the Republic of Korea", "Mazhilis"],
    "business": ["Huawei Technologies Kazakhstan", "China-Eurasia Business Council", "KazMunayGas",
                 "Kazakhstan Temir Zholy", "CNPC International", "Halyk Bank", "Astana Hub"],
    "academic": ["L.N. Gumilyov Eurasian National University", "Nazarbayev University",
                 "International University of Astana", "Astana IT University"],
    "media": ["Kazinform", "Xinhua News Agency", "Khabar 24", "The Astana Times", "Tengrinews"],
}
POSITIONS = {
    "expert": ["Senior Research Fellow", "Analyst", "Leading Expert", "Head of Department"],
    "government": ["Counsellor", "First Secretary", "Attaché", "Deputy Director"],
    "business": ["Director", "Head of Partnerships", "Manager", "Chief Economist"],
    "academic": ["Professor", "Associate Professor", "Senior Lecturer", "Dean"],
    "media": ["Correspondent", "Editor", "Reporter", "Photographer"],
}
CATEGORY_WEIGHTS = [("student", 50), ("expert", 12), ("government", 8), ("business", 12), ("academic", 12),
                    ("media", 6)]


# The Belt and Road seminar in the other languages (its columns hold English, its default language). Names keep
# their Latin spelling in Chinese; Chinese names are given in Russian and Kazakh in the usual Cyrillic spelling.
BELT_AND_ROAD_TEXTS = {
    "title": {
        "kk": "«Бір белдеу, бір жол»: екінші «алтын» онжылдық",
        "ru": "«Один пояс, один путь»: второе «золотое» десятилетие",
        "zh": "“一带一路”：第二个“金色十年”",
    },
    "description": {
        "kk": "«Бір белдеу, бір жол» бастамасы Астанада жарияланғаннан кейін он жыл өткен соң сарапшылар, "
              "дипломаттар, бизнес өкілдері мен студенттер оның екінші онжылдығы Қазақстан мен Орталық Азияға не "
              "әкелетінін талқылайды: көлік дәліздері, цифрлық ынтымақтастық, білім беру және сауда.\n\n"
              "Жұмыс тілдері: қазақ, орыс, қытай және ағылшын тілдері; ілеспе аударма қамтамасыз етіледі.",
        "ru": "Спустя десять лет после того, как инициатива «Один пояс, один путь» была провозглашена в Астане, "
              "эксперты, дипломаты, представители бизнеса и студенты обсуждают, что принесёт её второе "
              "десятилетие Казахстану и Центральной Азии: транспортные коридоры, цифровое сотрудничество, "
              "образование и торговля.\n\n"
              "Рабочие языки: казахский, русский, китайский и английский; обеспечивается синхронный перевод.",
        "zh": "“一带一路”倡议在阿斯塔纳提出十年之际，专家、外交官、企业界人士和学生共同探讨它的第二个十年将为"
              "哈萨克斯坦和中亚带来什么：交通走廊、数字合作、教育与贸易。\n\n"
              "工作语言：哈萨克语、俄语、汉语和英语，提供同声传译。",
    },
    "venue": {
        "kk": "«Пекин Палас» қонақүйі",
        "ru": "Гостиница «Пекин Палас»",
        "zh": "阿斯塔纳北京大厦酒店",
    },
    "address": {
        "kk": "Қазақстан, Астана, Сауран көшесі, 10",
        "ru": "Казахстан, Астана, ул. Сауран, 10",
        "zh": "哈萨克斯坦阿斯塔纳市萨乌兰街10号",
    },
}
# Programme item titles, by their English title.
BELT_AND_ROAD_AGENDA = {
    "Registration and welcome coffee": {
        "kk": "Қатысушыларды тіркеу және кофе", "ru": "Регистрация участников и приветственный кофе",
        "zh": "签到及欢迎咖啡"},
    "Welcome speech": {"kk": "Құттықтау сөз", "ru": "Приветственное слово", "zh": "欢迎致辞"},
    "The Belt and Road Initiative and the revival of Silk Road routes in Central Asia": {
        "kk": "«Бір белдеу, бір жол» бастамасы және Орталық Азиядағы Жібек жолы бағыттарының жаңғыруы",
        "ru": "Инициатива «Один пояс, один путь» и возрождение маршрутов Шёлкового пути в Центральной Азии",
        "zh": "“一带一路”倡议与中亚丝绸之路通道的复兴"},
    "The SCO as a platform for intergovernmental relations": {
        "kk": "ШЫҰ үкіметаралық қатынастар алаңы ретінде",
        "ru": "ШОС как площадка межправительственных отношений",
        "zh": "上海合作组织：政府间关系的平台"},
    "Coffee break": {"kk": "Кофе-брейк", "ru": "Кофе-брейк", "zh": "茶歇"},
    "Educational cooperation between Kazakhstan and China": {
        "kk": "Қазақстан мен Қытайдың білім беру саласындағы ынтымақтастығы",
        "ru": "Образовательное сотрудничество Казахстана и Китая",
        "zh": "哈中教育合作"},
    "AI, 5G and digital cooperation": {
        "kk": "Жасанды интеллект, 5G және цифрлық ынтымақтастық",
        "ru": "Искусственный интеллект, 5G и цифровое сотрудничество",
        "zh": "人工智能、5G与数字合作"},
    "Investment and trade turnover: the figures of the first decade": {
        "kk": "Инвестициялар мен тауар айналымы: алғашқы онжылдықтың көрсеткіштері",
        "ru": "Инвестиции и товарооборот: итоги первого десятилетия в цифрах",
        "zh": "投资与贸易额：第一个十年的数据"},
    "Youth exchanges along the Belt and Road": {
        "kk": "«Бір белдеу, бір жол» бойындағы жастар алмасуы",
        "ru": "Молодёжные обмены на пространстве «Одного пояса, одного пути»",
        "zh": "“一带一路”沿线青年交流"},
    "Questions and answers": {"kk": "Сұрақтар мен жауаптар", "ru": "Вопросы и ответы", "zh": "问答环节"},
}
_PROFESSOR = {"kk": "Профессор", "ru": "Профессор", "zh": "教授"}
_ENU = {"kk": "Л. Н. Гумилев атындағы Еуразия ұлттық университеті",
        "ru": "Евразийский национальный университет имени Л. Н. Гумилёва", "zh": "古米廖夫欧亚国立大学"}
_CHINA_STUDIES = {"kk": "Қытайтану орталығы", "ru": "Центр изучения Китая", "zh": "中国研究中心"}
# Speakers by their English name: name, position and affiliation in the other languages.
BELT_AND_ROAD_SPEAKERS = {
    "Gulnar Shaimergenova": {
        "name": {"kk": "Гүлнар Шаймергенова", "ru": "Гульнар Шаймергенова"},
        "position": {"kk": "Директор", "ru": "Директор", "zh": "主任"},
        "affiliation": _CHINA_STUDIES},
    "Xin Fangfang": {
        "name": {"kk": "Синь Фанфан", "ru": "Синь Фанфан"},
        "position": {"kk": "Кеңесші", "ru": "Советник", "zh": "参赞"},
        "affiliation": {"kk": "Қытай Халық Республикасының Қазақстан Республикасындағы Елшілігі",
                        "ru": "Посольство Китайской Народной Республики в Республике Казахстан",
                        "zh": "中华人民共和国驻哈萨克斯坦共和国大使馆"}},
    "Lazat Nursultanova": {
        "name": {"kk": "Ләззат Нұрсұлтанова", "ru": "Лаззат Нурсултанова"},
        "position": _PROFESSOR,
        "affiliation": {"kk": "Астана халықаралық университеті", "ru": "Международный университет Астана",
                        "zh": "阿斯塔纳国际大学"}},
    "Zhamaladen Ibragimov": {
        "name": {"kk": "Жамаладен Ибрагимов", "ru": "Жамаладен Ибрагимов"},
        "position": {"kk": "Сарапшы", "ru": "Эксперт", "zh": "专家"}},
    "Aiman Azmukhanova": {
        "name": {"kk": "Айман Азмұханова", "ru": "Айман Азмуханова"},
        "position": _PROFESSOR,
        "affiliation": _ENU},
    "Xu Hai": {
        "name": {"kk": "Сюй Хай", "ru": "Сюй Хай"},
        "position": {"kk": "Директор", "ru": "Директор", "zh": "总经理"},
        "affiliation": {"zh": "华为技术哈萨克斯坦公司"}},
    "Yerlan Kudys": {
        "name": {"kk": "Ерлан Құдыс", "ru": "Ерлан Кудыс"},
        "position": _PROFESSOR,
        "affiliation": _ENU},
    "Botakoz Elshibek": {
        "name": {"kk": "Ботакөз Елшібек", "ru": "Ботакоз Елшибек"},
        "position": {"kk": "Өкіл", "ru": "Представитель", "zh": "代表"},
        "affiliation": {"kk": "Қытай–Еуразия іскерлік кеңесі", "ru": "Китайско-Евразийский деловой совет",
                        "zh": "中国—欧亚商业理事会"}},
}


def _local(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


def seed(session, now=None):
    """Create whatever of the demo is missing; returns the messages to print. Running it twice adds nothing."""
    now = now or utcnow()
    said = []
    for email, name, role, password in DEMO_USERS:
        if find_user(session, email) is None:
            create_user(session, email=email, name=name, role=role, password=password)
            said.append(f"created {role} {email}")
    door_staff = [find_user(session, e) for e in ("door@eventreg.local", "door2@eventreg.local")]

    belt_and_road = _seminar(session, "belt-and-road-2024")
    if belt_and_road is None:
        _belt_and_road(session, door_staff)
        said.append("created the past seminar “Belt and Road: The Second «Golden» Decade”")
    elif not belt_and_road.translations:  # seeded before it spoke four languages
        _belt_and_road_languages(belt_and_road)
        said.append("added the Kazakh, Russian and Chinese texts of the Belt and Road seminar")
    upcoming_slug = "digital-silk-road"
    if _seminar(session, upcoming_slug) is None:
        _upcoming(session, upcoming_slug, now)
        said.append("created the upcoming seminar “Digital Silk Road”")
    school_slug = "belt-and-road-summer-school"
    if _seminar(session, school_slug) is None:
        _summer_school(session, school_slug, now)
        said.append("created the three-day “Belt and Road Summer School” with its workshops")
    today = now.astimezone(ALMATY).date()
    today_slug = f"door-demo-{today.isoformat()}"
    if _seminar(session, today_slug) is None:
        _today(session, today_slug, now)
        said.append("created today's seminar for trying the door")
    session.flush()
    added = _teams(session, [_seminar(session, slug)
                             for slug in ("belt-and-road-2024", upcoming_slug, school_slug, today_slug)],
                   owner=find_user(session, "organizer@eventreg.local"), door=door_staff)
    if added:
        said.append(f"put the demo organizer and door staff on the demo seminars' teams ({added} memberships)")
    session.flush()
    return said


def _teams(session, seminars, *, owner, door):
    """The demo organizer owns the demo seminars, the demo door staff are on their doors; returns how many
    memberships were missing."""
    added = 0
    for seminar in seminars:
        present = set(session.scalars(select(SeminarMember.user_id).where(SeminarMember.seminar_id == seminar.id)))
        for user, role in [(owner, "owner"), *((person, "door") for person in door)]:
            if user.id not in present:
                session.add(SeminarMember(seminar_id=seminar.id, user_id=user.id, role=role))
                added += 1
    return added


def _seminar(session, slug):
    return session.scalar(select(Seminar).where(Seminar.slug == slug))


def _categories(session, seminar, student_quota=None):
    categories = []
    for position, (key, label, is_student) in enumerate(DEFAULT_CATEGORIES):
        category = Category(seminar=seminar, key=key, is_student=is_student, position=position,
                            quota=student_quota if is_student else None, seats_taken=0)
        content.store(category, {"label": default_category_labels(key, label, "en")}, "en")
        categories.append(category)
    session.add_all(categories)
    return {c.key: c for c in categories}


def _belt_and_road(session, door_staff):
    seminar = Seminar(
        slug="belt-and-road-2024",
        title="Belt and Road: The Second «Golden» Decade",
        description=(
            "Ten years after the Belt and Road Initiative was announced in Astana, experts, diplomats, business "
            "leaders and students discuss what its second decade holds for Kazakhstan and Central Asia: "
            "transport corridors, digital cooperation, education and trade.\n\n"
            "Working languages: Kazakh, Russian, Chinese and English, with simultaneous interpretation."
        ),
        organizer_name="China Studies Centre",
        venue="Beijing Palace Astana Hotel",
        address="Sauran Street 10, Astana, Kazakhstan",
        timezone="Asia/Almaty",
        starts_at=_local(2024, 9, 13, 10),
        ends_at=_local(2024, 9, 13, 13),
        capacity=300,
        registration_opens_at=_local(2024, 8, 20, 9),
        registration_closes_at=_local(2024, 9, 13, 9),
        contact_email="info@chinastudies.kz",
        status="closed",
        seats_taken=0,
    )
    session.add(seminar)
    speakers = {
        key: Speaker(seminar=seminar, honorific=h, name=n, position=p, affiliation=a)
        for key, h, n, p, a in [
            ("shaimergenova", "", "Gulnar Shaimergenova", "Director", "China Studies Centre"),
            ("xin", "", "Xin Fangfang", "Counsellor",
             "Embassy of the People's Republic of China in Kazakhstan"),
            ("nursultanova", "Dr.", "Lazat Nursultanova", "Professor", "International University of Astana"),
            ("ibragimov", "Dr.", "Zhamaladen Ibragimov", "Expert", ""),
            ("azmukhanova", "Prof.", "Aiman Azmukhanova", "Professor", "L.N. Gumilyov Eurasian National University"),
            ("xu", "", "Xu Hai", "Director", "Huawei Technologies Kazakhstan"),
            ("kudys", "Prof.", "Yerlan Kudys", "Professor", "L.N. Gumilyov Eurasian National University"),
            ("elshibek", "", "Botakoz Elshibek", "Representative", "China-Eurasia Business Council"),
        ]
    }
    programme = [
        (9, 30, 10, 0, "Registration and welcome coffee", "break", []),
        (10, 0, 10, 10, "Welcome speech", "welcome", ["shaimergenova"]),
        (10, 10, 10, 20, "Welcome speech", "welcome", ["xin"]),
        (10, 20, 10, 40, "The Belt and Road Initiative and the revival of Silk Road routes in Central Asia",
         "talk", ["nursultanova"]),
        (10, 40, 11, 0, "The SCO as a platform for intergovernmental relations", "talk", ["ibragimov"]),
        (11, 0, 11, 20, "Coffee break", "break", []),
        (11, 20, 11, 40, "Educational cooperation between Kazakhstan and China", "talk", ["azmukhanova"]),
        (11, 40, 12, 0, "AI, 5G and digital cooperation", "talk", ["xu"]),
        (12, 0, 12, 20, "Investment and trade turnover: the figures of the first decade", "talk", ["kudys"]),
        (12, 20, 12, 40, "Youth exchanges along the Belt and Road", "talk", ["elshibek"]),
        (12, 40, 13, 0, "Questions and answers", "qa", []),
    ]
    session.add_all(speakers.values())
    for position, (h1, m1, h2, m2, title, kind, who) in enumerate(programme):
        session.add(AgendaItem(seminar=seminar, position=position, starts_at=_local(2024, 9, 13, h1, m1),
                   ends_at=_local(2024, 9, 13, h2, m2), title=title, kind=kind,
                   speakers=[speakers[k] for k in who]))
    categories = _categories(session, seminar, student_quota=160)
    _belt_and_road_languages(seminar)
    session.flush()
    rng = random.Random(20240913)
    people = _people(rng, 290)
    registered_from = _local(2024, 8, 20, 9)
    for index, (name, email, key) in enumerate(people):
        created = registered_from + timedelta(minutes=rng.randint(0, 24 * 60 * 23))
        registration = _registration(rng, seminar, categories[key], name, email, created)
        roll = rng.random()
        if roll < 0.06:
            registration.status = "cancelled"
            registration.cancelled_at = created + timedelta(days=rng.randint(1, 3))
        elif index >= 282:
            registration.status = "waitlisted"
        else:
            _confirm(seminar, categories[key], registration, created)
            if rng.random() < 0.78:
                minutes = rng.randint(-40, 35)
                gate_staff = door_staff[rng.random() < 0.45]
                arrived = seminar.starts_at + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
                gate = "Door 2" if gate_staff is door_staff[1] else "Door 1"
                _checked_in(session, registration, arrived, gate_staff, gate,
                            rng.choice(["camera", "camera", "camera", "keyboard", "manual"]))
        session.add(registration)
    for minutes in (-25, -12, -3, 4, 18):
        session.add(CheckInEvent(seminar_id=seminar.id, at=seminar.starts_at + timedelta(minutes=minutes),
                                 result=rng.choice(["unknown_code", "already_checked_in", "not_confirmed"]),
                                 gate="Door 1", method="camera", user_id=door_staff[0].id, code="?"))
    walk_ins = _people(rng, 6)
    for name, email, key in walk_ins:
        registration = _registration(rng, seminar, categories[key], name, "walkin." + email,
                                      seminar.starts_at - timedelta(minutes=rng.randint(1, 20)))
        registration.source = "walk_in"
        _confirm(seminar, categories[key], registration, registration.created_at)
        _checked_in(session, registration, registration.created_at, door_staff[0], "Door 1", "walk_in")
        session.add(registration)


def _belt_and_road_languages(seminar):
    """The seminar's texts in Kazakh, Russian and Chinese, beside its English columns."""
    seminar.translations = {field: dict(texts) for field, texts in BELT_AND_ROAD_TEXTS.items()}
    for item in seminar.agenda_items:
        content.store(item, {"title": {"en": item.title, **BELT_AND_ROAD_AGENDA.get(item.title, {})},
                             "description": {"en": item.description}}, "en")
    for speaker in seminar.speakers:
        texts = BELT_AND_ROAD_SPEAKERS.get(speaker.name, {})
        content.store(speaker, {field: {"en": getattr(speaker, field), **texts.get(field, {})}
                                for field in ("name", "position", "affiliation", "bio")}, "en")
    for category in seminar.categories:
        content.store(category, {"label": default_category_labels(category.key, category.label, "en")}, "en")


def _upcoming(session, slug, now):
    day = (now.astimezone(ALMATY) + timedelta(days=21)).date()
    starts = datetime(day.year, day.month, day.day, 10, tzinfo=ALMATY).astimezone(UTC)
    seminar = Seminar(
        slug=slug,
        title="Digital Silk Road: AI and Connectivity in Central Asia",
        description=(
            "How data centres, fibre corridors and AI research link Kazakhstan and China. A half-day seminar "
            "for experts, business people, diplomats and students.\n\n"
            "Students of Astana universities are welcome: a quota of seats is reserved for you."
        ),
        organizer_name="China Studies Centre",
        venue="Astana Hub, Congress Hall",
        address="Mangilik El Avenue 55/8, Astana, Kazakhstan",
        timezone="Asia/Almaty",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3, minutes=30),
        capacity=120,
        registration_opens_at=now - timedelta(days=7),
        registration_closes_at=starts - timedelta(hours=1),
        contact_email="info@chinastudies.kz",
        status="published",
        seats_taken=0,
    )
    session.add(seminar)
    speaker = Speaker(seminar=seminar, honorific="", name="Gulnar Shaimergenova", position="Director",
                      affiliation="China Studies Centre")
    talk = Speaker(seminar=seminar, honorific="Prof.", name="Aiman Azmukhanova", position="Professor",
                   affiliation="L.N. Gumilyov Eurasian National University")
    session.add_all([speaker, talk])
    for position, (offset, length, title, kind, who) in enumerate([
        (0, 10, "Welcome speech", "welcome", [speaker]),
        (10, 30, "AI research partnerships between Kazakh and Chinese universities", "talk", [talk]),
        (40, 20, "Coffee break", "break", []),
        (60, 60, "Panel: fibre, data centres and the digital corridor", "panel", [speaker, talk]),
        (120, 30, "Questions and answers", "qa", []),
    ]):
        session.add(AgendaItem(seminar=seminar, position=position, starts_at=starts + timedelta(minutes=offset),
                               ends_at=starts + timedelta(minutes=offset + length), title=title, kind=kind,
                               speakers=who))
    categories = _categories(session, seminar, student_quota=50)
    categories["speaker"] = Category(seminar=seminar, key="speaker", label="Speaker", is_public=False,
                                     position=len(categories), seats_taken=0)
    session.add(categories["speaker"])
    session.flush()
    rng = random.Random(2026)
    for name, email, key in _people(rng, 34):
        created = now - timedelta(minutes=rng.randint(10, 7 * 24 * 60))
        registration = _registration(rng, seminar, categories[key], name, email, created)
        _confirm(seminar, categories[key], registration, created)
        session.add(registration)


def _summer_school(session, slug, now):
    """A seminar over three days with two workshops that take places: what a multi-day programme looks like."""
    first = (now.astimezone(ALMATY) + timedelta(days=35)).date()
    starts = datetime(first.year, first.month, first.day, 9, tzinfo=ALMATY).astimezone(UTC)
    seminar = Seminar(
        slug=slug, title="Belt and Road Summer School",
        description="Three days of lectures for graduate students and young professionals, with workshops to "
                    "choose on the second and third days. Each day is checked in at the door.",
        organizer_name="China Studies Centre", venue="Beijing Palace Astana Hotel, Hall 2",
        address="Syganak Street 10, Astana, Kazakhstan", timezone="Asia/Almaty",
        starts_at=starts, ends_at=starts + timedelta(days=2, hours=8), capacity=80,
        registration_opens_at=now - timedelta(days=3), registration_closes_at=starts - timedelta(days=1),
        contact_email="info@chinastudies.kz", status="published", seats_taken=0,
        translations={"title": {"ru": "Летняя школа «Пояс и путь»", "kk": "«Белдеу және жол» жазғы мектебі",
                                "zh": "“一带一路”暑期学校"}},
    )
    session.add(seminar)
    _categories(session, seminar, student_quota=50)
    session.flush()
    second, third = days.make_days(session, seminar)[1:]
    for day, title, ru, capacity in (
            (second, "Workshop: reading Chinese contracts", "Практикум: как читать китайские контракты", 25),
            (third, "Site visit: Astana International Financial Centre", "Выезд в МФЦА", 30)):
        days.save_session(session, seminar, {
            "title": {"en": title, "ru": ru}, "day_id": day.id, "room": "Hall 3", "capacity": capacity,
            "starts_at": day.starts_at + timedelta(hours=5), "ends_at": day.starts_at + timedelta(hours=7)})


def today_starts_at(now):
    """When today's demo seminar starts: the next full hour in Astana while that is between 08:00 and 18:00,
    else half an hour ago (in progress), so the door can be tried at once and nobody reads "starts at 05:00"."""
    local = now.astimezone(ALMATY)
    next_hour = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if 8 <= next_hour.hour <= 18:
        return next_hour.astimezone(UTC)
    started = (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
    return started - timedelta(minutes=started.minute % 5)


def _today(session, slug, now):
    starts = today_starts_at(now)
    seminar = Seminar(
        slug=slug,
        title="Morning Briefing: Kazakhstan–China Trade Outlook",
        description="A short briefing that takes place today, so the door can be tried at once.",
        organizer_name="China Studies Centre",
        venue="China Studies Centre, Conference Room",
        address="Kabanbay Batyr Avenue 8, Astana",
        timezone="Asia/Almaty",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=60,
        registration_opens_at=now - timedelta(days=3),
        contact_email="info@chinastudies.kz",
        status="published",
        seats_taken=0,
    )
    session.add(seminar)
    session.add_all([
        AgendaItem(seminar=seminar, position=0, starts_at=starts, ends_at=starts + timedelta(minutes=15),
                   title="Welcome speech", kind="welcome"),
        AgendaItem(seminar=seminar, position=1, starts_at=starts + timedelta(minutes=15),
                   ends_at=starts + timedelta(hours=2), title="Trade outlook and discussion", kind="panel"),
    ])
    categories = _categories(session, seminar)
    session.flush()
    rng = random.Random(7)
    for name, email, key in _people(rng, 40):
        created = now - timedelta(hours=rng.randint(2, 60))
        registration = _registration(rng, seminar, categories[key], name, email, created)
        _confirm(seminar, categories[key], registration, created)
        session.add(registration)


def _people(rng, count):
    people = []
    seen = set()
    while len(people) < count:
        script = rng.random()
        if script < 0.45:
            given, family = rng.choice(KAZAKH_GIVEN), rng.choice(KAZAKH_FAMILY)
            name = f"{given} {family}"
        elif script < 0.6:
            name = rng.choice(RUSSIAN)
        elif script < 0.72:
            name = rng.choice(CHINESE)
        else:
            name = rng.choice(LATIN)
        key = rng.choices([k for k, _ in CATEGORY_WEIGHTS], [w for _, w in CATEGORY_WEIGHTS])[0]
        email = f"guest{len(people) + 1:03d}.{rng.randint(100, 999)}@example.kz"
        if email in seen:
            continue
        seen.add(email)
        people.append((name, email, key))
    return people


def _registration(rng, seminar, category, name, email, created):
    registration = Registration(
        seminar=seminar, category=category, full_name=name, email=email, created_at=created,
        consent_data_at=created, consent_photos=rng.random() < 0.7, source="demo", status="pending",
        language=rng.choice(["en", "en", "ru", "kk"]),
        phone=f"+7 701 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
    )
    if category.is_student:
        registration.university = rng.choice(UNIVERSITIES)
        registration.programme = rng.choice(PROGRAMMES)
        registration.study_level = rng.choices(["bachelor", "master", "phd"], [70, 22, 8])[0]
        registration.study_year = rng.randint(1, 4 if registration.study_level == "bachelor" else 2)
    elif category.key in ORGANIZATIONS:
        registration.organization = rng.choice(ORGANIZATIONS[category.key])
        registration.position = rng.choice(POSITIONS[category.key])
    return registration


def _confirm(seminar, category, registration, when):
    """Demo rows bypass the registration service, so the seat counters are kept here, by the same rule."""
    registration.status = "confirmed"
    registration.confirmed_at = when
    seminar.seats_taken += 1
    category.seats_taken += 1


def _checked_in(session, registration, at, user, gate, method):
    registration.checked_in_at = at
    registration.checked_in_gate = gate
    registration.checked_in_method = method
    registration.checked_in_by_id = user.id
    session.add(CheckInEvent(seminar_id=registration.seminar.id, registration=registration, at=at, result="checked_in",
                             gate=gate, method=method, user_id=user.id, code=""))

