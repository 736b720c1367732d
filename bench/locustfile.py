"""Locust scenario for bench/load.py: reporters filing the web form (with its CSRF token),
visitors on the map, stories and API, and an SMS gateway posting. Every report and SMS the server
accepted is written to ``$SESIM_LOAD_LEDGER`` so the runner can check none was lost."""

from __future__ import annotations

import os
import random
import re
import threading
import uuid

from locust import FastHttpUser, between, task

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
LEDGER = os.environ.get("SESIM_LOAD_LEDGER", "accepted.txt")
SMS_SECRET = os.environ.get("SESIM_LOAD_SMS_SECRET", "")
CATEGORIES = os.environ.get("SESIM_LOAD_CATEGORIES", "1").split(",")
BAKU = "49.70,40.30,50.05,40.50"
COUNTRY = "44.76,38.39,50.63,41.91"
_lock = threading.Lock()


def accepted(kind: str, marker: str) -> None:
    with _lock, open(LEDGER, "a", encoding="utf-8") as ledger:
        ledger.write(f"{kind} {marker}\n")


class Reporter(FastHttpUser):
    """A woman filing a report from her phone: the form, then the form sent back."""

    weight = 2
    wait_time = between(2, 6)

    @task
    def file_a_report(self):
        page = self.client.get("/report?lang=az", name="/report [form]")
        match = CSRF.search(page.text or "")
        if not match:
            return
        marker = uuid.uuid4().hex
        data = {
            "csrf_token": match.group(1) or match.group(2),
            "title": f"Load {marker}", "story": "Bir kişi metrodan evə qədər arxamca gəldi.",
            "occurred_on": "2026-11-20", "place": random.choice(["baku-nasimi", "baku-khatai"]),
            "categories": random.choice(CATEGORIES),
        }
        with self.client.post("/report", data=data, name="/report [send]", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code == 303:
                accepted("report", marker)
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class Visitor(FastHttpUser):
    """Someone reading: the map and its data, stories, a report, the API."""

    weight = 7
    wait_time = between(1, 4)

    @task(3)
    def map_page(self):
        self.client.get("/map?lang=az", name="/map")
        self.client.get(f"/map/points.geojson?bbox={COUNTRY}&zoom=7", name="/map/points.geojson")
        self.client.get("/map/areas.geojson", name="/map/areas.geojson")

    @task(2)
    def zoom_in(self):
        self.client.get(f"/map/points.geojson?bbox={BAKU}&zoom=13", name="/map/points.geojson")

    @task(2)
    def stories(self):
        self.client.get("/stories/?lang=ru", name="/stories/")

    @task(1)
    def api(self):
        self.client.get("/api/v1/reports?per_page=50", name="/api/v1/reports")
        self.client.get("/api/v1/stats", name="/api/v1/stats")


class SmsGateway(FastHttpUser):
    """SMSSync on an Android phone forwarding SMS as they arrive."""

    weight = 1
    wait_time = between(0.5, 2)

    @task
    def forward_an_sms(self):
        marker = uuid.uuid4().hex
        data = {"from": f"+99450{random.randrange(10**6, 10**7)}", "secret": SMS_SECRET,
                "message": "Xətai rayonunda bir kişi hər gün izləyir", "message_id": marker}
        with self.client.post("/channels/sms/smssync", data=data, name="/channels/sms/smssync",
                              catch_response=True) as response:
            if response.status_code == 200 and '"success":true' in (response.text or "").replace(" ", ""):
                accepted("sms", marker)
                response.success()
            else:
                response.failure(f"status {response.status_code}")
