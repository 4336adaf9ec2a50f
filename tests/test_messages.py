"""Messages to attendees (#23 item 2): a segment or the ticked people, a preview for one person with the count,
placeholders, sending through the outbox (one copy each, only their own address, throttled), the audit entry,
and the unsubscribe link that every message carries."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from eventreg import mail
from eventreg.messages import emails, services
from eventreg.messages.services import Draft, MessageRefused, Segment
from eventreg.models import AuditEntry, Certificate, OutboxMessage, Registration, SeminarMessage, utcnow
from eventreg.registration import services as registrations
from tests.factories import make_registration, make_seminar, make_user

HELLO = Draft("News about {seminar}", "Hello {name},\nsee you on {date}.\n\nYour ticket: {ticket_link}",
              Segment(status="confirmed"))


@pytest.fixture
def organizer(session):
    return make_user(session, role="organizer")


def _ids(session, seminar, **criteria):
    return services.audience(session, seminar, Segment(**criteria)).ids


def _draft(segment=None, subject="News", body="Hello {name}"):
    return Draft(subject, body, segment or Segment())


def _refusal(call):
    with pytest.raises(MessageRefused) as refused:
        call()
    return refused.value


def _body(message, kind="plain"):
    return message.get_body((kind,)).get_content()


# --- who a message is for ---------------------------------------------------------------------------------------


def _begun(session):
    """A seminar that began an hour ago: only then has anyone not come."""
    return make_seminar(session, starts_at=utcnow() - timedelta(hours=1))


def test_before_the_seminar_begins_nobody_has_missed_it(session):
    seminar = make_seminar(session)
    make_registration(session, seminar)
    session.commit()
    assert _ids(session, seminar, attendance="no_show") == []
    with pytest.raises(MessageRefused) as refused:
        services.send_message(session, seminar, _draft(Segment(attendance="no_show")),
                              by=make_user(session, role="organizer"))
    assert refused.value.code == "nobody"


def test_each_criterion_of_a_segment_picks_its_people(session):
    seminar = _begun(session)
    came = make_registration(session, seminar, checked_in_at=utcnow())
    stayed_away = make_registration(session, seminar, full_name="Дана Серикова", organization="KazMunayGas")
    waiting = make_registration(session, seminar, status="waitlisted")
    pending = make_registration(session, seminar, status="pending")
    cancelled = make_registration(session, seminar, status="cancelled")
    student = make_registration(session, seminar, category_key="student", university="Astana IT University")
    other_student = make_registration(session, seminar, category_key="student")
    make_registration(session, make_seminar(session))  # another seminar's: never
    session.commit()
    assert _ids(session, seminar, status="confirmed") == [came.id, stayed_away.id, student.id, other_student.id]
    assert _ids(session, seminar, status="waitlisted") == [waiting.id]
    assert _ids(session, seminar, status="pending") == [pending.id]
    assert _ids(session, seminar, status="cancelled") == [cancelled.id]
    assert _ids(session, seminar, category_key="student") == [student.id, other_student.id]
    assert _ids(session, seminar, attendance="checked_in") == [came.id]
    assert _ids(session, seminar, attendance="no_show") == [stayed_away.id, student.id, other_student.id]
    assert _ids(session, seminar, university="Astana IT University") == [student.id]
    assert _ids(session, seminar, q="Dana") == [stayed_away.id]
    assert _ids(session, seminar, ids=(waiting.id, cancelled.id)) == [waiting.id, cancelled.id]
    assert len(_ids(session, seminar)) == 7
    assert services.universities(session, seminar) == ["Astana IT University", "Nazarbayev University"]


def test_one_copy_per_address_nobody_erased_and_those_without_an_address_counted(session):
    seminar = make_seminar(session)
    make_registration(session, seminar, email="aliya@example.kz", status="cancelled")
    again = make_registration(session, seminar, email="aliya@example.kz")
    make_registration(session, seminar, email="")  # a walk-in who gave none
    make_registration(session, seminar, anonymised_at=utcnow())
    session.commit()
    people = services.audience(session, seminar, Segment())
    assert people.ids == [again.id] and people.without_address == 1 and people.unsubscribed == 0


def test_the_unsubscribed_are_left_out_and_counted(session):
    seminar = make_seminar(session)
    staying = make_registration(session, seminar)
    leaving = make_registration(session, seminar, email="leaving@example.kz", status="cancelled",
                                unsubscribed_at=utcnow())
    # The same address registered again: still unsubscribed from this seminar's messages.
    make_registration(session, seminar, email="leaving@example.kz")
    session.commit()
    people = services.audience(session, seminar, Segment())
    assert people.ids == [staying.id] and people.unsubscribed == 1
    assert services.audience(session, seminar, Segment(ids=(leaving.id,))).count == 0


def test_ids_of_another_seminar_and_unknown_criteria_are_refused(session):
    seminar, other = make_seminar(session), make_seminar(session)
    ours, theirs = make_registration(session, seminar), make_registration(session, other)
    session.commit()
    for ids in ((ours.id, theirs.id), (999999,), (2**40,)):
        assert _refusal(lambda ids=ids: services.audience(session, seminar, Segment(ids=ids))).code == \
            "not_this_seminar"
    assert _refusal(lambda: services.audience(session, seminar, Segment(attendance="all"))).code == "invalid"
    assert _refusal(lambda: services.audience(session, seminar, Segment(status="everyone"))).code == "invalid"


# --- what it says -------------------------------------------------------------------------------------------------


def test_an_empty_subject_or_text_and_an_unknown_placeholder_are_refused(session, organizer):
    seminar = make_seminar(session)
    make_registration(session, seminar)
    session.commit()
    cases = ((_draft(subject=" "), "subject", "Write a subject."),
             (_draft(body="\n \n"), "body", "Write the message."),
             (_draft(body="Hello {nmae}, see {seminar} and {Name}"), "body",
              "Unknown placeholder: {nmae}, {Name}. The placeholders are {name}, {seminar}, {date}, {ticket_link}, "
              "{certificate_link}."),
             (_draft(subject="Two\nlines"), "subject", "The subject is one line."))
    for draft, name, message in cases:
        for call in (lambda draft=draft: services.preview(session, seminar, draft),
                     lambda draft=draft: services.send_message(session, seminar, draft, by=organizer)):
            refusal = _refusal(call)
            assert refusal.code == "invalid" and [str(m) for m in refusal.fields[name]] == [message]
    assert session.scalar(select(func.count()).select_from(SeminarMessage)) == 0


def test_a_segment_of_nobody_cannot_be_sent(session, organizer):
    seminar = make_seminar(session)
    make_registration(session, seminar, unsubscribed_at=utcnow())
    session.commit()
    refusal = _refusal(lambda: services.send_message(session, seminar, _draft(), by=organizer))
    assert refusal.code == "nobody" and refusal.audience.unsubscribed == 1
    assert _refusal(lambda: services.preview(session, seminar, _draft(Segment(status="pending")))).code == "nobody"
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_count_that_changed_since_the_preview_is_refused(session, organizer):
    seminar = make_seminar(session)
    make_registration(session, seminar)
    session.commit()
    assert services.preview(session, seminar, _draft()).audience.count == 1
    make_registration(session, seminar)
    session.commit()
    refusal = _refusal(lambda: services.send_message(session, seminar, _draft(), by=organizer, expected=1))
    assert refusal.code == "count_changed" and refusal.audience.count == 2


def test_the_preview_fills_the_placeholders_for_the_chosen_person_in_their_language(session):
    seminar = make_seminar(session, title="Digital Silk Road")
    first = make_registration(session, seminar, full_name="Aliya Nurlanovna")
    chosen = make_registration(session, seminar, full_name="Иван Петров", language="ru")
    session.commit()
    preview = services.preview(session, seminar, HELLO, recipient_id=chosen.id)
    assert preview.recipient.id == chosen.id and preview.audience.count == 2
    assert [c.id for c in preview.choices] == [first.id, chosen.id]
    assert preview.subject == "News about Digital Silk Road"
    with force_locale("ru"):
        greeting = gettext("Dear %(name)s,", name="Иван Петров")
    assert preview.text.startswith(greeting) and greeting != "Dear Иван Петров,"
    assert "Hello Иван Петров,\nsee you on " in preview.text
    assert f"http://localhost/t/{chosen.token}/?lang=ru" in preview.text
    assert "Aliya" not in preview.text and "{" not in preview.text
    # Someone not in the audience: the first person instead.
    assert services.preview(session, seminar, HELLO, recipient_id=999).recipient.id == first.id


def test_the_certificate_link_is_there_for_holders_and_empty_for_the_others(session):
    seminar = make_seminar(session)
    holder = make_registration(session, seminar, checked_in_at=utcnow())
    other = make_registration(session, seminar)
    session.add(Certificate(seminar_id=seminar.id, registration_id=holder.id, holder_name="x", number="c-1"))
    session.commit()
    draft = _draft(body="Your certificate: [{certificate_link}]")
    preview = services.preview(session, seminar, draft, recipient_id=holder.id)
    assert f"[http://localhost/t/{holder.token}/certificate.pdf]" in preview.text
    assert preview.with_certificate == 1
    assert "Your certificate: []" in services.preview(session, seminar, draft, recipient_id=other.id).text
    assert services.preview(session, seminar, _draft()).with_certificate is None


def test_the_organizers_text_is_escaped_in_the_html_with_its_lines_and_links():
    html = str(emails.as_html('<script>alert(1)</script> & "x"\nline two\n\nSee https://example.kz/a?b=1&c=2.'))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;<br>" in html
    assert html.count("<p ") == 2
    assert '<a href="https://example.kz/a?b=1&amp;c=2">https://example.kz/a?b=1&amp;c=2</a>.' in html
    assert str(emails.as_html('"><img src=x onerror=alert(1)> http://x.kz/"onmouseover=1')).count("<a ") == 1


# --- sending ------------------------------------------------------------------------------------------------------


def test_each_recipient_gets_exactly_one_message_with_only_their_own_address(app, session, organizer,
                                                                                smtp_server):
    seminar = make_seminar(session, title="Digital Silk Road")
    people = [make_registration(session, seminar, full_name=f"Person {n}", email=f"person{n}@example.kz")
              for n in range(4)]
    make_registration(session, seminar, status="cancelled", email="gone@example.kz")
    session.commit()
    message = services.send_message(session, seminar, HELLO, by=organizer, expected=4)
    session.commit()
    assert mail.send_due(session) == (4, 0)
    assert mail.send_due(session, now=utcnow() + timedelta(hours=1)) == (0, 0)  # nobody gets it twice

    assert sorted(rcpts for _, rcpts in smtp_server.envelopes) == [[p.email] for p in people]
    for received in smtp_server.messages:
        person = next(p for p in people if p.email == received["To"])
        assert received["Subject"] == "News about Digital Silk Road"
        whole = received.as_string() + _body(received) + _body(received, "html")
        others = [p for p in people if p is not person]
        assert person.full_name in _body(received) and person.full_name in _body(received, "html")
        assert not [p for p in others if p.email in whole or p.full_name in whole or p.token in whole]
        assert "gone@example.kz" not in whole
    assert message.recipient_count == 4
    [sent] = services.history(session, seminar)
    assert (sent.sent, sent.waiting, sent.failed, sent.withdrawn) == (4, 0, 0, 0)


def test_a_message_is_audited_with_its_segment_and_count(session, organizer):
    seminar = _begun(session)
    for _ in range(3):
        make_registration(session, seminar, checked_in_at=None)
    make_registration(session, seminar, unsubscribed_at=utcnow())
    session.commit()
    message = services.send_message(session, seminar, _draft(Segment(attendance="no_show")), by=organizer)
    session.commit()
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "message_sent")).all()
    assert entry.user_id == organizer.id and entry.seminar_id == seminar.id
    assert entry.details == {"message": message.id, "segment": {"attendance": "no_show"}, "count": 3,
                             "unsubscribed_left_out": 1, "essential": False}
    assert message.segment == {"attendance": "no_show"} and message.author_id == organizer.id
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.seminar_message_id == message.id)) == 3


def test_smtp_down_nothing_is_lost(app, session, organizer, smtp_server):
    seminar = make_seminar(session)
    make_registration(session, seminar)
    session.commit()
    services.send_message(session, seminar, _draft(), by=organizer)
    session.commit()
    app.config["MAIL_PORT"] = 1
    now = utcnow()
    assert mail.send_due(session, now=now) == (0, 1)
    [waiting] = services.history(session, seminar)
    assert (waiting.sent, waiting.waiting) == (0, 1)
    app.config["MAIL_PORT"] = smtp_server.port
    assert mail.send_due(session, now=now + mail.backoff(1)) == (1, 0)
    assert len(smtp_server.messages) == 1


def test_a_big_message_is_throttled_and_a_ticket_is_not_held_up_behind_it(app, session, organizer, smtp_server):
    app.config["MAIL_BULK_PER_MINUTE"] = 2
    seminar = make_seminar(session)
    people = [make_registration(session, seminar) for _ in range(5)]
    session.commit()
    services.send_message(session, seminar, _draft(), by=organizer)
    session.commit()
    now = utcnow()
    assert mail.send_due(session, now=now) == (2, 0)
    registrations.send_ticket_again(session, people[0], now=now)
    session.commit()
    assert mail.send_due(session, now=now + timedelta(seconds=30)) == (1, 0)  # the ticket, nothing more
    assert "registration" in smtp_server.messages[-1]["Subject"]
    assert mail.send_due(session, now=now + timedelta(seconds=61)) == (2, 0)
    assert mail.send_due(session, now=now + timedelta(seconds=122)) == (1, 0)
    assert len(smtp_server.messages) == 6


def test_the_throttle_holds_across_two_senders(app, session, organizer):
    """The allowance is checked in the claim itself: a sender that starts with a stale list still stops."""
    app.config["MAIL_BULK_PER_MINUTE"] = 2
    seminar = make_seminar(session)
    for _ in range(4):
        make_registration(session, seminar)
    session.commit()
    services.send_message(session, seminar, _draft(), by=organizer)
    session.commit()
    now = utcnow()
    due = mail._due(session, now, 200, 2)  # a second sender's list, read before the first one sends
    assert mail.send_due(session, now=now) == (2, 0)
    assert [outbox_id for outbox_id in due if mail._claim(session, outbox_id, now, 2)] == []


# --- unsubscribing ------------------------------------------------------------------------------------------------


def _unsubscribe_url(message):
    header = message["List-Unsubscribe"].strip()  # folded onto its own line: unfolding leaves a space
    return re.fullmatch(r"<http://localhost(/unsubscribe/[^>]+)>", header).group(1)


def test_every_message_carries_a_one_click_unsubscribe_link(app, client, session, organizer, smtp_server):
    seminar = make_seminar(session)
    person = make_registration(session, seminar, language="ru")
    session.commit()
    services.send_message(session, seminar, _draft(), by=organizer)
    session.commit()
    mail.send_due(session)
    [received] = smtp_server.messages
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _unsubscribe_url(received)
    assert path.endswith("?lang=ru") and f"http://localhost{path}" in _body(received)
    assert f'href="http://localhost{path}"' in _body(received, "html")

    page = client.get(path)
    assert page.status_code == 200 and person.email in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "same-origin" and page.headers["Cache-Control"] == "no-store"
    session.expire_all()
    assert session.get(Registration, person.id).unsubscribed_at is None  # opening the link changes nothing
    assert client.post(path, data={"x": "1"}).status_code == 400
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    session.expire_all()
    assert session.get(Registration, person.id).unsubscribed_at is not None


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_mail_clients_one_click_post_needs_no_cookie_or_token(app, client, session, organizer):
    seminar = make_seminar(session)
    person = make_registration(session, seminar)
    session.commit()
    path = emails.unsubscribe_path(person)
    response = client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    session.expire_all()
    first = session.get(Registration, person.id).unsubscribed_at
    assert first is not None
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    session.expire_all()
    assert session.get(Registration, person.id).unsubscribed_at == first  # the first time is kept
    assert client.get(f"{path}x").status_code == 404
    assert client.post("/unsubscribe/MQ.forged", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_the_unsubscribed_are_left_out_next_time_while_their_ticket_still_reaches_them(app, session, organizer,
                                                                                         smtp_server):
    seminar = make_seminar(session)
    leaving = make_registration(session, seminar, email="leaving@example.kz")
    staying = make_registration(session, seminar, email="staying@example.kz")
    session.commit()
    services.send_message(session, seminar, _draft(), by=organizer)
    session.commit()
    services.unsubscribe(session, leaving)  # before their copy went out: it is withdrawn
    session.commit()
    assert mail.send_due(session) == (1, 0)
    assert [m["To"] for m in smtp_server.messages] == ["staying@example.kz"]
    [first] = services.history(session, seminar)
    assert (first.sent, first.withdrawn) == (1, 1)

    second = services.send_message(session, seminar, _draft(), by=organizer)
    registrations.send_ticket_again(session, leaving)
    session.commit()
    assert second.recipient_count == 1
    mail.send_due(session)
    assert [(m["To"], m["List-Unsubscribe"] is None) for m in smtp_server.messages[1:]] == [
        ("leaving@example.kz", True), ("staying@example.kz", False)]
    assert staying.unsubscribed_at is None


def test_a_change_to_the_seminar_reaches_the_unsubscribed_too_with_no_unsubscribe_link(app, session, organizer,
                                                                                        smtp_server):
    seminar = make_seminar(session)
    make_registration(session, seminar, email="left@example.kz", unsubscribed_at=utcnow())
    make_registration(session, seminar, email="stayed@example.kz")
    session.commit()
    moved = Draft("The venue has moved", "Dear {name}, we meet in Hall 2 of the hotel.", Segment(), essential=True)
    message = services.send_message(session, seminar, moved, by=organizer)
    session.commit()
    assert message.recipient_count == 2 and message.essential
    # Unsubscribing now does not withdraw it: it is not one of the messages they asked to stop.
    services.unsubscribe(session, session.get(Registration, _ids(session, seminar)[0]))
    session.commit()
    assert mail.send_due(session) == (2, 0)
    assert sorted((m["To"], m["List-Unsubscribe"]) for m in smtp_server.messages) == [
        ("left@example.kz", None), ("stayed@example.kz", None)]
    assert "unsubscribe" not in _body(smtp_server.messages[0]).lower()
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "message_sent")).all()
    assert entry.details["essential"] is True
    # An ordinary message leaves them out again: both have unsubscribed now.
    assert _refusal(lambda: services.send_message(session, seminar, _draft(), by=organizer)).code == "nobody"


# --- the pages ----------------------------------------------------------------------------------------------------


def _form(draft_fields, **extra):
    return {"subject": "Thank you, {name}", "body": "It was good to see you.", **draft_fields, **extra}


def test_compose_preview_and_send_to_the_no_shows(app, client, session, login, smtp_server):
    seminar = _begun(session)
    make_registration(session, seminar, full_name="Came Early", checked_in_at=utcnow())
    absent = make_registration(session, seminar, full_name="Stayed Home")
    make_registration(session, seminar, full_name="Left Us", unsubscribed_at=utcnow())
    session.commit()
    login("organizer")
    url = f"/organizer/s/{seminar.slug}/messages/new"
    page = client.get(url).get_data(as_text=True)
    assert "{certificate_link}" in page and '<option selected value="confirmed">' in page

    fields = {"status": "", "category": "", "attendance": "no_show", "university": "", "q": ""}
    preview = client.post(url, data=_form(fields, step="preview"))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "It goes to 1 person." in text and "1 who unsubscribed is left out." in text
    assert "Thank you, Stayed Home" in text and absent.email in text and "Came Early" not in text

    sent = client.post(url, data=_form(fields, step="send", expected="1"))
    assert sent.status_code == 302 and sent.location.endswith(f"/organizer/s/{seminar.slug}/messages")
    history = client.get(sent.location).get_data(as_text=True)
    assert "The message is on its way to 1 person." in history and "Did not come" in history
    assert "Queued: 1" in history
    mail.send_due(session)
    assert [m["To"] for m in smtp_server.messages] == [absent.email]
    assert "Sent: 1" in client.get(sent.location).get_data(as_text=True)


def test_the_page_sends_a_change_to_the_seminar_to_everyone_confirmed(client, session, login):
    seminar = make_seminar(session)
    make_registration(session, seminar)
    make_registration(session, seminar, unsubscribed_at=utcnow())
    session.commit()
    login("organizer")
    url = f"/organizer/s/{seminar.slug}/messages/new"
    assert "About a change to the seminar" in client.get(url).get_data(as_text=True)
    fields = {"status": "confirmed", "essential": "y"}
    preview = client.post(url, data=_form(fields, step="preview")).get_data(as_text=True)
    assert "It goes to 2 people." in preview and 'name="essential" value="y"' in preview
    assert client.post(url, data=_form(fields, step="send", expected="2")).status_code == 302
    assert session.scalars(select(SeminarMessage)).one().essential


def test_the_page_refuses_empty_text_unknown_placeholders_nobody_and_a_changed_count(client, session, login):
    seminar = make_seminar(session)
    make_registration(session, seminar)
    session.commit()
    login("organizer")
    url = f"/organizer/s/{seminar.slug}/messages/new"
    fields = {"status": "confirmed"}
    empty = client.post(url, data={**fields, "subject": "", "body": "", "step": "preview"})
    assert empty.status_code == 400
    assert "Write a subject." in empty.get_data(as_text=True) and "Write the message." in empty.get_data(as_text=True)
    unknown = client.post(url, data=_form(fields, body="Hi {nam}", step="send", expected="1"))
    assert unknown.status_code == 400 and "Unknown placeholder: {nam}." in unknown.get_data(as_text=True)
    nobody = client.post(url, data=_form({"status": "pending"}, step="preview"))
    assert nobody.status_code == 400 and "Nobody is in this segment" in nobody.get_data(as_text=True)
    changed = client.post(url, data=_form(fields, step="send", expected="5"))
    assert changed.status_code == 409 and "It goes to 1 person." in changed.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(SeminarMessage)) == 0


def test_write_to_the_ticked_rows_or_the_filter_from_the_registration_list(client, session, login):
    seminar = _begun(session)
    ticked = [make_registration(session, seminar) for _ in range(2)]
    make_registration(session, seminar, status="waitlisted")
    session.commit()
    login("organizer")
    listing = client.get(f"/organizer/s/{seminar.slug}/registrations?attendance=no_show").get_data(as_text=True)
    assert f"/organizer/s/{seminar.slug}/messages/new" in listing and "Write to them" in listing
    url = f"/organizer/s/{seminar.slug}/messages/new"
    chosen = client.post(url, data={"step": "start", "scope": "selected", "ids": [str(r.id) for r in ticked],
                                    "status": "", "action": "approve"})
    page = chosen.get_data(as_text=True)
    assert "The 2 people you ticked on the list." in page
    assert all(f'name="ids" value="{r.id}"' in page for r in ticked)
    preview = client.post(url, data={"ids": [str(ticked[0].id)], "subject": "S", "body": "B", "step": "preview"})
    assert "It goes to 1 person." in preview.get_data(as_text=True)

    by_filter = client.post(url, data={"step": "start", "scope": "filter", "ids": [str(ticked[0].id)],
                                       "status": "waitlisted", "category": "", "q": ""})
    page = by_filter.get_data(as_text=True)
    assert 'name="ids"' not in page and '<option selected value="waitlisted">' in page
    nothing = client.post(url, data={"step": "start", "scope": "selected"})
    assert nothing.status_code == 302


def test_the_list_filters_the_no_shows(client, session, login):
    seminar = _begun(session)
    make_registration(session, seminar, full_name="Came Early", checked_in_at=utcnow())
    make_registration(session, seminar, full_name="Stayed Home")
    session.commit()
    login("organizer")
    page = client.get(f"/organizer/s/{seminar.slug}/registrations?attendance=no_show").get_data(as_text=True)
    assert "Stayed Home" in page and "Came Early" not in page
    page = client.get(f"/organizer/s/{seminar.slug}/registrations?attendance=checked_in").get_data(as_text=True)
    assert "Came Early" in page and "Stayed Home" not in page


@pytest.mark.parametrize("role", ["door", "viewer"])
def test_door_and_viewer_members_may_not_write_and_outsiders_do_not_see_it(client, session, login, role):
    seminar, other = make_seminar(session), make_seminar(session)
    make_registration(session, seminar)
    session.commit()
    login("staff", seminars=[seminar], seminar_role=role)
    for path in ("messages", "messages/new"):
        assert client.get(f"/organizer/s/{seminar.slug}/{path}").status_code == 403
        assert client.get(f"/organizer/s/{other.slug}/{path}").status_code == 404
    sent = client.post(f"/organizer/s/{seminar.slug}/messages/new", data=_form({}, step="send", expected="1"))
    assert sent.status_code == 403
    assert session.scalar(select(func.count()).select_from(SeminarMessage)) == 0


def test_the_seminar_page_and_the_list_link_to_the_messages(client, session, login):
    seminar = make_seminar(session)
    session.commit()
    login("organizer")
    for path in ("", "registrations"):
        assert f"/organizer/s/{seminar.slug}/messages" in client.get(f"/organizer/s/{seminar.slug}/{path}").get_data(
            as_text=True)
