"""The dashboard in a real headless browser (Debian's Chromium driven by
Selenium through /usr/bin/chromedriver): sign in, open the month, open an
enterprise, open the inspections, close an alert with a disposition; each page's content is checked
and a screenshot of it saved.

Run: RISKGRADE=target/debug/riskgrade python -m pytest crates/riskgrade-serve/tests/browser
(needs `apt-get install chromium chromium-driver` and `pip install selenium pytest`).
Screenshots go to $SCREENSHOTS (default: docs/images/dashboard).
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[4]
BIN = os.environ.get("RISKGRADE", str(ROOT / "target" / "debug" / "riskgrade"))
SHOTS = Path(os.environ.get("SCREENSHOTS", ROOT / "docs" / "images" / "dashboard"))


def run(*args):
    out = subprocess.run([BIN, *args], check=True, capture_output=True, text=True)
    return out.stdout


@pytest.fixture(scope="module")
def service():
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "demo.db")
        run("demo", "--store", store, "-n", "3000", "--months", "3", "--quiet")
        key = run("keys", "add", "--store", store, "--role", "analyst").strip().splitlines()[-1]
        proc = subprocess.Popen(
            [BIN, "serve", "--store", store, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            line = proc.stdout.readline()
            addr = re.search(r"http://([0-9.:]+)/", line).group(1)
            yield {"store": store, "base": f"http://{addr}", "analyst": key}
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            proc.stdout.close()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--window-size=1200,1600", "--disable-gpu"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def shot(driver, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000, path


def sign_in(driver, base, key):
    driver.delete_all_cookies()
    driver.get(f"{base}/dashboard/sign-in")
    driver.find_element(By.NAME, "key").send_keys(key)
    driver.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(driver, 10).until(lambda d: not d.current_url.endswith("/sign-in"))


def test_analyst_opens_the_month_and_an_enterprise(service, browser):
    sign_in(browser, service["base"], service["analyst"])
    assert browser.current_url.endswith("/dashboard")
    assert "Class distribution" in browser.page_source
    assert browser.find_elements(By.TAG_NAME, "svg")
    assert "Migration from" in browser.page_source
    shot(browser, "month")
    movers = browser.find_elements(By.CSS_SELECTOR, "table a[href^='/dashboard/enterprises/']")
    assert movers, "no movers listed"
    movers[0].click()
    assert "Enterprise" in browser.find_element(By.TAG_NAME, "h1").text
    assert "History" in browser.page_source
    shot(browser, "enterprise")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Inspections").click()
    WebDriverWait(browser, 10).until(lambda d: "detection rate per class" in d.page_source)
    assert "yearly minimum" in browser.page_source
    shot(browser, "inspections")


def test_a_department_closes_an_alert_with_a_disposition(service, browser):
    # The department with the most alerts in the latest period, through the API.
    import json
    import urllib.request

    req = urllib.request.Request(
        f"{service['base']}/api/v1/alerts/overdue",
        headers={"Authorization": f"Bearer {service['analyst']}"},
    )
    departments = json.load(urllib.request.urlopen(req))["departments"]
    dept = max((d for d in departments if d["department"] != "(no route)"), key=lambda d: d["alerts"])
    key = run("keys", "add", "--store", service["store"], "--role", "department",
              "--department", dept["department"]).strip().splitlines()[-1]
    sign_in(browser, service["base"], key)
    browser.find_element(By.PARTIAL_LINK_TEXT, "Queue of").click()
    shot(browser, "queue")
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/close']")
    enterprise = form.get_attribute("action").split("/")[-2]
    form.find_element(By.NAME, "action").send_keys("on-site check")
    form.find_element(By.CSS_SELECTOR, "select[name='finding'] option[value='problem']").click()
    browser.execute_script("arguments[0].value = '2026-11-05'", form.find_element(By.NAME, "date"))
    form.find_element(By.NAME, "note").send_keys("found in the browser test")
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 10).until(lambda d: "found in the browser test" in d.page_source)
    assert "on-site check" in browser.page_source
    shot(browser, "queue-closed")
    assert enterprise in browser.page_source


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
