"""The signup form and the ticket page say only what is true, and the form is short and clear on a phone:
an error summary with links, a full student quota said before the rest is filled, no badge promised, and a
cancelled ticket that says so."""

import re
from datetime import timedelta

from eventreg.models import utcnow
from tests.factories import category, make_registration, make_seminar
from tests.test_registration import form_data


def _page(client, url, **kw):
    response = client.get(url, **kw)
    return response.status_code, response.get_data(as_text=True)


def test_the_form_promises_no_badge(session, client):
    seminar = make_seminar(session)
    session.commit()
    _, body = _page(client, f"/s/{seminar.slug}/register")
    assert "badge" not in re.sub(r'class="[^"]*"', "", body).lower()


def test_a_failed_submit_lists_every_problem_with_a_link_to_its_field(session, client):
    seminar = make_seminar(session)
    session.commit()
    response = client.post(f"/s/{seminar.slug}/register",
                           data=form_data(seminar, full_name="", email="not-an-address", category_id=""))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>',
                        body, re.S).group(1)
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == ["full_name", "email", "category_id-0"]
    assert links[1][1] == "E-mail: This is not a valid e-mail address."
    assert 'id="category_id-0"' in body and 'id="full_name"' in body
    assert 'value="not-an-address"' in body  # the person's answers stay


def test_the_form_carries_the_inline_check_messages_and_collapses_what_most_skip(session, client):
    seminar = make_seminar(session)
    session.commit()
    _, body = _page(client, f"/s/{seminar.slug}/register")
    assert 'data-message-email="This is not a valid e-mail address."' in body
    assert 'data-message-required="Please fill this in."' in body
    more = re.search(r'<details class="more-options">(.*?)</details>', body, re.S).group(1)
    assert 'name="phone"' in more and 'name="language"' in more and 'name="consent_photos"' in more
    assert '/static/js/registration.js' in body and '/static/css/registration.css' in body
    # A phone number typed before a failed submit stays visible: the group opens.
    response = client.post(f"/s/{seminar.slug}/register", data=form_data(seminar, full_name=""))
    assert '<details class="more-options" open>' in response.get_data(as_text=True)


def test_a_full_student_quota_is_said_beside_the_choice_and_on_the_seminar_page(session, client):
    seminar = make_seminar(session, capacity=100)
    student = category(seminar, "student")
    student.quota = 1
    make_registration(session, seminar, category_key="student")
    session.commit()
    _, form = _page(client, f"/s/{seminar.slug}/register")
    option = re.search(rf'<input[^>]*id="category_id-\d+"[^>]*value="{student.id}"[^>]*>', form).group(0)
    assert 'data-quota-full="1"' in option and f'aria-describedby="quota-full-{student.id}"' in option
    assert "All places in this category are taken: if you register in it, you join the waiting list" in form
    _, page = _page(client, f"/s/{seminar.slug}/")
    assert "All places for “Student” are taken: registering in that category puts you on the waiting list." in page
    general = category(seminar, "general")
    assert f'value="{general.id}"' in form and 'data-quota-full="0"' in form


def test_a_cancelled_ticket_says_so_and_offers_to_register_again(session, client):
    seminar = make_seminar(session)
    registration = make_registration(session, seminar, status="cancelled", cancelled_at=utcnow())
    session.commit()
    _, body = _page(client, f"/t/{registration.token}/")
    assert "This registration is cancelled: there is no ticket to show at the entrance." in body
    assert "appears here once your seat is confirmed" not in body
    assert "Add to calendar" not in body and "calendar.ics" not in body
    assert f'href="/s/{seminar.slug}/register">Register again: seats are still open' in body


def test_a_cancelled_ticket_of_a_past_seminar_offers_nothing(session, client):
    seminar = make_seminar(session, starts_at=utcnow() - timedelta(days=2))
    registration = make_registration(session, seminar, status="cancelled", cancelled_at=utcnow())
    session.commit()
    _, body = _page(client, f"/t/{registration.token}/")
    assert "This registration is cancelled" in body and "Register again" not in body


def test_a_confirmed_ticket_offers_google_and_outlook_beside_the_ics(session, client):
    seminar = make_seminar(session)
    registration = make_registration(session, seminar)
    session.commit()
    _, body = _page(client, f"/t/{registration.token}/")
    assert "Add to calendar (.ics)" in body
    assert 'href="https://calendar.google.com/calendar/render?action=TEMPLATE' in body
    assert 'href="https://outlook.live.com/calendar/0/deeplink/compose?' in body
