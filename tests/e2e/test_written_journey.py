"""In Chromium: a question asked with the language model, the composing page while it
writes, and the article that names the model and shows only verified statements
(screenshots 20_composing.png, 21_written.png)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from fake_model import INVENTED_DOSE

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

QUESTION = "What is the treatment of community-acquired pneumonia in adults?"


def test_a_model_written_page_in_the_browser(
    driver: WebDriver, written_server: str, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver.get(written_server + "/")
    driver.find_element(By.ID, "question-input").send_keys(QUESTION)
    driver.find_element(By.CSS_SELECTOR, 'input[name="composer"][value="llm"]').click()
    driver.find_element(By.ID, "ask-button").click()
    deadline = time.monotonic() + 120
    seen_composing = False
    while "/questions/" not in driver.current_url and time.monotonic() < deadline:
        if "/composing/" in driver.current_url and not seen_composing:
            assert "checked against the source sentences" in driver.page_source
            driver.save_screenshot(str(artifacts / "20_composing.png"))
            seen_composing = True
        time.sleep(0.2)
    assert "/questions/" in driver.current_url, driver.page_source[-2000:]
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Written by the language model fake-model" in body
    assert "(support 0." in body and INVENTED_DOSE not in body
    driver.save_screenshot(str(artifacts / "21_written.png"))
