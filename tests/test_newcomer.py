"""The first minutes of a newcomer: `make run PORT=5001`, demo links with that port, a favicon, the demo's
"today" seminar at a sensible local time, and a CSV whose content type says its charset once."""

import io
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from eventreg.commands.demo import today_starts_at
from tests.test_reports import make_report_seminar

ROOT = Path(__file__).resolve().parent.parent
ASTANA = ZoneInfo("Asia/Almaty")


def test_make_run_takes_the_port_and_gives_it_to_the_links():
    plan = subprocess.run(["make", "-n", "run", "PORT=5001"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "--port 5001" in plan.stdout
    assert "EVENTREG_PUBLIC_URL=http://127.0.0.1:5001" in plan.stdout
    default = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "--port 5000" in default.stdout


def test_the_demo_prints_urls_with_the_port_in_use(app, runner):
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5001"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "eventreg demo is ready at http://127.0.0.1:5001/" in result.output
    assert "Staff login: http://127.0.0.1:5001/login" in result.output
    assert ":5000" not in result.output


def test_the_site_has_a_favicon(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
        assert Image.open(io.BytesIO(response.get_data())).size[0] >= 16
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page
    with client.get("/static/img/apple-touch-icon.png") as response:
        assert response.status_code == 200


@pytest.mark.parametrize(("local", "expected"), [
    ((2026, 12, 7, 9, 20), (2026, 12, 7, 10, 0)),     # morning: the next full hour
    ((2026, 12, 7, 7, 5), (2026, 12, 7, 8, 0)),       # just before eight: eight o'clock
    ((2026, 12, 7, 17, 59), (2026, 12, 7, 18, 0)),
    ((2026, 12, 7, 5, 12), (2026, 12, 7, 4, 40)),     # at night: in progress for half an hour, never "05:00 next"
    ((2026, 12, 7, 21, 3), (2026, 12, 7, 20, 30)),
])
def test_the_demos_today_seminar_starts_at_a_sensible_local_time(local, expected):
    now = datetime(*local, tzinfo=ASTANA).astimezone(UTC)
    assert today_starts_at(now).astimezone(ASTANA).timetuple()[:5] == expected


def test_the_csv_says_its_charset_once(client, session, login):
    make_report_seminar(session)
    login("organizer")
    response = client.get("/reports/s/silk-road-report/attendance.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
