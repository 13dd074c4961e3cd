"""reports.pdf: Chinese text as real text, an embedded CJK font, page numbers, stored images."""

import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import engines
from django.utils import translation

from reports.pdf import page_counter_css, render_pdf, storage_fetcher, storage_url
from tests.reports.test_documents import assert_cjk_embedded, jpeg, pdf_text, save_pages


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_page_counter_css_puts_counters_where_the_translation_says():
    assert page_counter_css("Page {page} of {pages}") == (
        '"Page " counter(page) " of " counter(pages)'
    )
    assert page_counter_css("第 {page} 页 / 共 {pages} 页") == (
        '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    )
    assert page_counter_css('a "quoted" {page}') == '"a \\"quoted\\" " counter(page)'


def test_render_pdf_has_chinese_text_page_numbers_font_and_a_stored_image(tmp_path, artifacts_dir):
    name = default_storage.save("test/photo.jpg", ContentFile(jpeg()))
    rows = "".join(f"<p>东江水务集团有限公司 第{n}行</p>" for n in range(120))
    html = f'<img src="{storage_url(name)}" style="width:40mm" alt="照片">{rows}'
    template = engines["django"].from_string(
        '{% extends "reports/_document.html" %}{% block content %}' + html + "{% endblock %}"
    )
    pdf = render_pdf_from(template, {"title": "巡检报告", "header": "东江水务集团有限公司"})
    save_pages(pdf, artifacts_dir, "pdf-basics")
    text = pdf_text(pdf, tmp_path)
    assert "巡检报告" in text and "东江水务集团有限公司 第119行" in text
    assert "Page 1 of" in text
    assert_cjk_embedded(pdf, tmp_path)
    path = tmp_path / "doc.pdf"
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "jpeg" in images or "image" in images  # the stored photo is embedded


def render_pdf_from(template, context):
    """render_pdf with an inline template, through the same code path."""
    from unittest import mock

    with mock.patch("reports.pdf.render_to_string", lambda name, ctx: template.render(ctx)):
        return render_pdf("inline", context)


def test_the_fetcher_reads_storage_and_data_but_never_the_network():
    name = default_storage.save("test/x.jpg", ContentFile(b"abc"))
    fetcher = storage_fetcher()
    assert fetcher.fetch(storage_url(name)).read() == b"abc"
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in ["http://example.com/x.png", "https://example.com/x.png", "file:///etc/passwd"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_missing_image_does_not_stop_the_report(tmp_path):
    template = engines["django"].from_string(
        '{% extends "reports/_document.html" %}{% block content %}'
        '<img src="storage:nowhere.jpg" alt="x"><p>东江水务</p>{% endblock %}'
    )
    text = pdf_text(render_pdf_from(template, {"title": "t", "header": "h"}), tmp_path)
    assert "东江水务" in text
