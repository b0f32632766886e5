"""Streamlit's file uploader on a Chinese page (issue 21): its English drop-zone text ("Drag and drop a file here",
"… per file") is hidden, the button reads 选择文件; on an English page Streamlit's own texts stay."""
import pytest

from models.store import accounts
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
USER, PASSWORD = "uploader-editor", "upload-words-1"


@pytest.fixture
def editor(db):
    accounts.add_account(USER, PASSWORD, role="editor", display_name="上传测试", by="test", db=db)
    yield USER
    db.write(lambda con: con.execute("DELETE FROM accounts WHERE username = ?", [USER]))


def test_uploader_texts_follow_the_page_language(server, page, editor):
    login(page, server, USER, PASSWORD)
    zone = page.get_by_test_id("stFileUploaderDropzone").first
    zone.wait_for()
    visible = zone.inner_text()
    assert "Drag and drop" not in visible and "per file" not in visible, visible
    button = zone.locator("button").first
    after = button.evaluate("b => getComputedStyle(b, '::after').content")
    assert "选择文件" in after
    # Streamlit's "Upload" stays in the page but is drawn at size 0: no element with that text has a visible size
    sizes = button.evaluate("""b => [b, ...b.querySelectorAll('*')].filter(e => [...e.childNodes]
        .some(n => n.nodeType === 3 && n.textContent.includes('Upload'))).map(e => getComputedStyle(e).fontSize)""")
    assert sizes and set(sizes) == {"0px"}, sizes
